import type { ConcreteFunction } from "../function/concrete_function.js";
import { tfFunction } from "../function/tf_function.js";
import { Variable } from "../function/variable.js";
import type { Tensor } from "../tensor/tensor.js";
import type { TapeHooks } from "../trace/runtime.js";
import { GradientTape } from "./gradient_tape.js";
import { replayGraph } from "./replay.js";

type Backward = (xs: Tensor[], dys: (Tensor | null)[]) => (Tensor | null)[];

const backwards = new WeakMap<ConcreteFunction, Backward>();

/**
 * The backward pass of a concrete function: a `tf.function`, traced lazily and cached per
 * concrete function, that replays the forward graph under a tape and returns the gradient
 * of every graph input (`null` where none flows).
 */
function backwardOf(fn: ConcreteFunction): Backward {
  let backward = backwards.get(fn);
  if (backward === undefined) {
    backward = tfFunction(
      (xs: Tensor[], dys: (Tensor | null)[]) => {
        const tape = new GradientTape();
        const outputs = tape.record(() => {
          tape.watch(xs.filter((x) => x.dtype === "float32"));
          return replayGraph(fn.graph, xs);
        });
        const sources = xs.map((x) => (x.dtype === "float32" ? x : null));
        const live = sources.filter((s): s is Tensor => s !== null);
        const grads = tape.gradient(outputs, live, dys);
        let next = 0;
        return sources.map((s) => (s === null ? null : grads[next++]!));
      },
      { name: `${fn.name}_backward`, autograph: false },
    ) as unknown as Backward;
    backwards.set(fn, backward);
  }
  return backward;
}

/**
 * Records a call of `fn` on the recording tapes as ONE entry (SPEC J1): its inputs are the
 * values of every graph input (arguments, captured tensors, and the current values of
 * variables, whose reads the tapes watch), its outputs the call's outputs.
 */
export function recordCall(tapes: readonly TapeHooks[], fn: ConcreteFunction, inputs: readonly (Tensor | Variable)[], outputs: readonly Tensor[]): void {
  if (tapes.length === 0) return;
  const values = [...inputs, ...fn.capturedInputs].map((v) => (v instanceof Variable ? v.read() : v));
  const backward = (dys: readonly (Tensor | null)[], saved: readonly Tensor[]) => backwardOf(fn)([...saved], [...dys]);
  for (const tape of tapes) tape.record(values, outputs, backward, fn.name);
}
