import { ArgumentError } from "../base/errors.js";
import { toTensor } from "../ops/convert.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { getRuntime } from "../trace/runtime.js";

/** What the wrapped function returns: its value and how to compute the inputs' gradients. */
export interface CustomGradientResult {
  readonly value: Tensor;
  readonly gradFunc: (dy: Tensor, saved: Tensor[]) => Tensor | Tensor[];
}

/**
 * tfjs's `tf.customGradient`: `f` computes a value and supplies its own gradient; the ops
 * inside `f` are not recorded. Works eagerly and inside `tf.function` (SPEC J3).
 *
 * ```ts
 * const clipGrad = tf.customGradient((x, save) => ({
 *   value: x.identity(), gradFunc: (dy) => tf.clipByValue(dy, -1, 1),
 * }));
 * ```
 */
export function customGradient(f: (...args: any[]) => CustomGradientResult): (...args: TensorLike[]) => Tensor {
  return (...args: TensorLike[]) => {
    const runtime = getRuntime();
    const inputs = args.map((a, i) => toTensor(a, "customGradient", `args[${i}]`));
    const saved: Tensor[] = [];
    const save = (tensors: Tensor[]) => saved.push(...tensors);
    const tapes = runtime.activeTapes();
    const { value, gradFunc } = runtime.withoutTapes(() => f(...inputs, save));
    if (typeof gradFunc !== "function") throw new ArgumentError("customGradient: f must return { value, gradFunc }");
    const backward = (dys: readonly (Tensor | null)[], _inputs: readonly Tensor[], outputs: readonly Tensor[]) => {
      const dy = dys[0] ?? outputs[0]!.zerosLike();
      const result = gradFunc(dy, saved);
      const list = Array.isArray(result) ? result : [result];
      if (list.length !== inputs.length) {
        throw new ArgumentError(`customGradient: gradFunc returned ${list.length} gradients for ${inputs.length} inputs`);
      }
      return list;
    };
    for (const tape of tapes) {
      // The tape keeps the saved tensors alive until it is done with them.
      saved.forEach((t, i) => (saved[i] = (tape as { retain?: (t: Tensor) => Tensor }).retain?.(t) ?? t));
      tape.record(inputs, [value], backward, "customGradient");
    }
    return value;
  };
}
