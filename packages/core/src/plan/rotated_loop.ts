import { FuncGraph } from "../ir/func_graph.js";
import { type Graph, Operation, type OpOutput } from "../ir/graph.js";

/**
 * Loop rotation: one graph that runs a While's body and then its condition on the new
 * loop values. Its inputs are the body's (loop values, then the body's captures) followed
 * by the condition's captures; its outputs are the body's followed by the condition's.
 * A loop then costs one plan run per iteration instead of two, with the same operations in
 * the same order (body, condition, body, condition, ...), so it is used only when no
 * iteration limit could stop the loop between a body and the next condition.
 *
 * ```ts
 * const step = rotateLoop(body.graph, cond.graph, 2); // [i, h, ...captures] -> [i', h', i' < n]
 * ```
 */
export function rotateLoop(body: FuncGraph, cond: FuncGraph, numLoopVars: number): FuncGraph {
  const merged = new FuncGraph(`${body.name}_then_${cond.name}`, undefined, false);
  const mergedOf = new Map<OpOutput, OpOutput>();
  const copy = (graph: Graph, skipInputs: ReadonlySet<OpOutput>) => {
    const opOf = new Map<Operation, Operation>();
    for (const op of graph.operations) {
      if (op.outputs.some((o) => skipInputs.has(o))) continue;
      const inputs = op.inputs.map((i) => mergedOf.get(i)!);
      const controls = op.controlInputs.flatMap((c) => opOf.get(c) ?? []);
      const clone = merged.addOperation(new Operation(merged.uniqueName(op.name), op.def, inputs, op.attrs, op.outputs, controls));
      opOf.set(op, clone);
      op.outputs.forEach((o, i) => mergedOf.set(o, clone.outputs[i]!));
    }
  };
  copy(body, new Set());
  // The condition reads the body's results where it would read the loop values.
  cond.inputs.slice(0, numLoopVars).forEach((input, i) => mergedOf.set(input, mergedOf.get(body.outputs[i]!)!));
  copy(cond, new Set(cond.inputs.slice(0, numLoopVars)));
  merged.inputs = [...body.inputs, ...cond.inputs.slice(numLoopVars)].map((i) => mergedOf.get(i)!);
  merged.outputs = [...body.outputs, ...cond.outputs].map((o) => mergedOf.get(o)!);
  for (const graph of [body, cond]) for (const [name, callee] of graph.library) merged.library.set(name, callee);
  merged.isOpen = false;
  return merged;
}
