import { KilnError } from "../base/errors.js";
import type { FuncGraph, LibraryFunction } from "../ir/func_graph.js";
import type { Differentiate, GradArgs } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";
import { getRuntime } from "../trace/runtime.js";
import type { CallAttrs } from "./call_ops.js";
import { replayGraph } from "./replay.js";
import { tfFunction } from "./tf_function.js";

type Backward = (xs: readonly Tensor[], dys: readonly (Tensor | null)[]) => (Tensor | null)[];

const backwards = new WeakMap<FuncGraph, Backward>();

/** The function a call op names: in the graph being built (traced), else among the runtime's functions. */
function calleeOf(name: string): LibraryFunction {
  const runtime = getRuntime();
  const callee = runtime.graphTrace()?.graph.library.get(name) ?? runtime.functions.get(name);
  if (callee === undefined) {
    throw new KilnError(
      `gradient: the function '${name}' called here no longer exists (its tf.function was garbage-collected before the gradient was computed); keep a reference to the tf.function while its tape is in use`,
    );
  }
  return callee;
}

/**
 * The backward pass of a called graph: a `tf.function`, traced lazily and cached per graph,
 * that replays the forward graph under a fresh tape and returns the gradient of every graph
 * input (`null` for non-float inputs and where none flows).
 */
function backwardOf(graph: FuncGraph, name: string, differentiate: Differentiate<Tensor>): Backward {
  let backward = backwards.get(graph);
  if (backward === undefined) {
    backward = tfFunction(
      (xs: Tensor[], dys: (Tensor | null)[]) => {
        const sources = xs.filter((x) => x.dtype === "float32");
        const grads = differentiate(() => replayGraph(graph, xs), sources, dys);
        let next = 0;
        return xs.map((x) => (x.dtype === "float32" ? grads[next++]! : null));
      },
      { name: `${name}_backward`, autograph: false },
    ) as unknown as Backward;
    backwards.set(graph, backward);
  }
  return backward;
}

/**
 * Frees the plans of the backward functions made for `graph` and the functions it calls
 * (when their calls were differentiated), so disposing a function frees everything it led to.
 */
export function disposeBackward(graph: FuncGraph, seen = new Set<FuncGraph>()): void {
  if (seen.has(graph)) return;
  seen.add(graph);
  const backward = backwards.get(graph) as unknown as { concreteFunctions(): { dispose(): void }[] } | undefined;
  backwards.delete(graph);
  for (const cf of backward?.concreteFunctions() ?? []) cf.dispose();
  for (const callee of graph.library.values()) disposeBackward(callee.graph, seen);
}

/**
 * The gradient rule of `PartitionedCall` / `StatefulPartitionedCall` (SPEC J1): the call is
 * one tape entry whose inputs are the arguments, the captured tensors and the values of the
 * variables it uses (read just before the call), and whose backward is a traced function
 * replaying the callee. Random ops draw again in the replay, as in `tf.recompute_grad`.
 *
 * ```ts
 * tape.gradient(f(x), [x]); // runs f's cached backward function
 * ```
 */
export function callGradient({ inputs, dys, attrs, differentiate }: GradArgs<CallAttrs, Tensor>): (Tensor | null)[] {
  const callee = calleeOf(attrs.f);
  return backwardOf(callee.graph, callee.name, differentiate)(inputs, dys);
}
