import type { Tensor } from "../../tensor/tensor.js";
import { getRuntime } from "../../trace/runtime.js";
import { tfFunction } from "../tf_function.js";

/**
 * Runs eager control flow whose condition cannot be read synchronously (it lives on an
 * async-only backend, or is still being computed) as a small staged graph: `fn` is traced
 * once into a function of `args` and called, so the `If` or `While` runs as one call whose
 * predicate reads happen asynchronously (SPEC L1). The outputs come back pending. JS code
 * in `fn` runs once, at trace time, as in a `tf.function`.
 *
 * ```ts
 * stageEagerly("cond", (p) => cond(p, a, b), [pred]);
 * ```
 */
export function stageEagerly<T>(name: string, fn: (...args: Tensor[]) => T, args: readonly Tensor[]): T {
  const staged = tfFunction(fn, { autograph: false, name, reduceRetracing: false });
  // The plans (and their constants) serve this one call: freed once it has run.
  const release = () => {
    for (const cf of staged.concreteFunctions()) cf.dispose();
  };
  try {
    // Traced even under runFunctionsEagerly (getConcreteFunction always traces, SPEC I1).
    return staged.getConcreteFunction(...args)(...args) as T;
  } finally {
    const tasks = getRuntime().tasks;
    if (tasks.busy) tasks.enqueue(release);
    else release();
  }
}
