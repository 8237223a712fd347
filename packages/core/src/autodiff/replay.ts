import type { DType } from "../base/dtype.js";
import { allocate } from "../base/dtype.js";
import type { Graph, OpOutput } from "../ir/graph.js";
import { libraryOf } from "../ir/printer.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind } from "../trace/bind.js";
import { getRuntime } from "../trace/runtime.js";

/** Side-effecting ops are not replayed: a replay recomputes values, it does not repeat effects. */
const SIDE_EFFECTS = new Set(["AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp", "PrintV2"]);

/** Control-flow ops name their sub-graphs in attrs; the graph replaying them needs them in its library. */
function copySubgraphs(source: Graph, attrs: object): void {
  const target = getRuntime().graphTrace()?.graph.library;
  const from = libraryOf(source);
  if (target === undefined) return;
  for (const key of ["thenBranch", "elseBranch", "cond", "body"] as const) {
    const name = (attrs as Record<string, unknown>)[key];
    const callee = typeof name === "string" ? from.get(name) : undefined;
    if (callee !== undefined) target.set(name as string, callee);
  }
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
        copySubgraphs(graph, op.attrs);
        const outs = bind(op.def, op.inputs.map(valueFor), op.attrs);
        op.outputs.forEach((o, i) => values.set(o, outs[i]!));
      }
    }
  }
  return graph.outputs.map(valueFor);
}
