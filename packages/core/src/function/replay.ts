import type { DType } from "../base/dtype.js";
import { allocate } from "../base/dtype.js";
import { type Graph, isResourceOutput, type Operation, type OpOutput } from "../ir/graph.js";
import type { Attrs } from "../ir/op.js";
import { FUNCTION_ATTRS, libraryOf } from "../ir/printer.js";
import { SIDE_EFFECTS, valueFormAttrs } from "./value_form.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind } from "../trace/bind.js";
import { getRuntime } from "../trace/runtime.js";

/**
 * The attrs an op is replayed with. Control-flow ops name sub-graphs, which must be in the
 * library of the graph replaying them; where the op took a variable's resource (now given
 * its value), the sub-graphs' value forms take their place.
 */
function replayedAttrs(graph: Graph, op: Operation): Attrs {
  const target = getRuntime().graphTrace()?.graph.library;
  const from = libraryOf(graph);
  if (target === undefined || !FUNCTION_ATTRS.some((key) => typeof op.attrs[key] === "string")) return op.attrs;
  if (op.inputs.some(isResourceOutput)) return valueFormAttrs(op.attrs, from, target);
  for (const key of FUNCTION_ATTRS) {
    const name = op.attrs[key];
    const callee = typeof name === "string" ? from.get(name) : undefined;
    if (callee !== undefined) target.set(name as string, callee);
  }
  return op.attrs;
}

/**
 * Re-runs a graph op by op through the current trace (so a tape records it), with
 * `inputs[i]` standing for `graph.inputs[i]` (for a variable's resource input: the
 * variable's value). Returns one tensor per graph output. Used to build the backward
 * pass of a function call; random ops draw again, as in `tf.recompute_grad`.
 *
 * ```ts
 * const outputs = replayGraph(cf.graph, [x, weightsValue]);
 * ```
 */
export function replayGraph(graph: Graph, inputs: readonly Tensor[]): Tensor[] {
  const values = new Map<OpOutput, Tensor>();
  graph.inputs.forEach((o, i) => values.set(o, inputs[i]!));
  const valueFor = (o: OpOutput): Tensor => values.get(o)!;
  for (const op of graph.operations) {
    switch (op.type) {
      case "Placeholder":
        continue;
      case "Const": {
        const attrs = op.attrs as { value: number[]; shape: number[]; dtype: DType };
        const data = allocate(attrs.dtype, attrs.value.length);
        data.set(attrs.value);
        values.set(op.outputs[0]!, getRuntime().trace.constant(data, attrs.shape, attrs.dtype));
        continue;
      }
      case "Identity":
      case "ReadVariableOp":
        values.set(op.outputs[0]!, valueFor(op.inputs[0]!));
        continue;
      case "PartitionedCall":
      case "StatefulPartitionedCall": {
        const callee = libraryOf(graph).get((op.attrs as { f: string }).f);
        const outs = replayGraph(callee!.graph, op.inputs.map(valueFor));
        op.outputs.forEach((o, i) => values.set(o, outs[i]!));
        continue;
      }
      default: {
        if (SIDE_EFFECTS.has(op.type)) continue;
        const outs = bind(op.def, op.inputs.map(valueFor), replayedAttrs(graph, op));
        op.outputs.forEach((o, i) => values.set(o, outs[i]!));
      }
    }
  }
  return graph.outputs.map(valueFor);
}
