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

/** What `beginCall` captured before a call ran: the tapes recording it and the inputs' pre-call values. */
export interface PendingCall {
  readonly tapes: readonly TapeHooks[];
  readonly fn: ConcreteFunction;
  readonly values: readonly Tensor[];
}

/**
 * Starts recording a call of `fn` on the recording tapes; call it BEFORE the call runs.
 * The graph inputs' values are taken now: the arguments, captured tensors, and the
 * current values of variables (a read the tapes watch), which the call may assign. Each
 * tape pins those values, since an assignment inside the call frees a variable's old
 * value. Finish with `endCall` once the outputs exist.
 *
 * ```ts
 * const call = beginCall(runtime.activeTapes(), cf, inputs);
 * const outputs = run(cf, inputs);
 * endCall(call, outputs);
 * ```
 */
export function beginCall(tapes: readonly TapeHooks[], fn: ConcreteFunction, inputs: readonly (Tensor | Variable)[]): PendingCall {
  if (tapes.length === 0) return { tapes, fn, values: [] };
  const all = [...inputs, ...fn.capturedInputs];
  // Traced, a read placed here is ordered before the call op (stateful ops are chained).
  const values = all.map((v) => (v instanceof Variable ? v.read() : v));
  for (const tape of tapes) values.forEach((t, i) => all[i] instanceof Variable && tape.retain(t));
  return { tapes, fn, values };
}

/**
 * Records the call started by `beginCall` on its tapes as ONE entry (SPEC J1): inputs are
 * the pre-call values, outputs the call's outputs; its backward replays the forward graph.
 */
export function endCall(call: PendingCall, outputs: readonly Tensor[]): void {
  if (call.tapes.length === 0) return;
  const fn = call.fn;
  const backward = (dys: readonly (Tensor | null)[], saved: readonly Tensor[]) => backwardOf(fn)([...saved], [...dys]);
  for (const tape of call.tapes) tape.record(call.values, outputs, backward, fn.name);
}
