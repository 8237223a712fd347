import type { DType } from "../base/dtype.js";
import { allocate } from "../base/dtype.js";
import { FuncGraph } from "../ir/func_graph.js";
import { type Graph, isResourceOutput, type Operation, type OpOutput } from "../ir/graph.js";
import { AddV2, Sub } from "../ops/binary.js";
import { writtenOperands } from "../plan/graph_facts.js";
import type { Attrs } from "../ir/op.js";
import { FUNCTION_ATTRS, libraryOf } from "../ir/printer.js";
import { SIDE_EFFECTS, assignedInside, valueFormAttrs } from "./value_form.js";
import { Tensor } from "../tensor/tensor.js";
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
  return replay(graph, inputs).outputs;
}

/**
 * `replayGraph`, also returning the last value of each variable the graph assigns (by graph
 * input index). Variable state is threaded through the replay: a read sees the value the
 * assignments before it left, so gradients of what a function computes after assigning a
 * variable are right (the assignments themselves are not repeated).
 */
function replay(graph: Graph, inputs: readonly Tensor[]): { outputs: Tensor[]; finals: Map<number, Tensor> } {
  const values = new Map<OpOutput, Tensor>();
  graph.inputs.forEach((o, i) => values.set(o, inputs[i]!));
  const valueFor = (o: OpOutput): Tensor => values.get(o)!;
  const state = new VariableState(graph);
  for (const op of graph.operations) {
    switch (op.type) {
      case "Placeholder":
        continue;
      case "ReadVariableOp":
        values.set(op.outputs[0]!, state.read(op.inputs[0]!, op) ?? valueFor(op.inputs[0]!));
        continue;
      case "AssignVariableOp":
        state.write(op.inputs[0]!, valueFor(op.inputs[1]!));
        continue;
      case "AssignAddVariableOp":
      case "AssignSubVariableOp": {
        const current = state.read(op.inputs[0]!, op) ?? valueFor(op.inputs[0]!);
        const update = op.type === "AssignAddVariableOp" ? AddV2 : Sub;
        state.write(op.inputs[0]!, bind(update, [current, valueFor(op.inputs[1]!)], {})[0]!);
        continue;
      }
      case "Const": {
        const attrs = op.attrs as { value: number[]; shape: number[]; dtype: DType };
        const data = allocate(attrs.dtype, attrs.value.length);
        data.set(attrs.value);
        values.set(op.outputs[0]!, getRuntime().trace.constant(data, attrs.shape, attrs.dtype));
        continue;
      }
      case "Identity":
        values.set(op.outputs[0]!, valueFor(op.inputs[0]!));
        continue;
      case "PartitionedCall":
      case "StatefulPartitionedCall": {
        const callee = libraryOf(graph).get((op.attrs as { f: string }).f);
        // The callee sees the variables' current values and hands back what it assigned.
        const { outputs, finals } = replay(callee!.graph, op.inputs.map((i) => state.read(i, op) ?? valueFor(i)));
        op.outputs.forEach((o, i) => values.set(o, outputs[i]!));
        for (const [k, value] of finals) state.write(op.inputs[k]!, value);
        continue;
      }
      default: {
        if (SIDE_EFFECTS.has(op.type)) continue;
        const outs = bind(op.def, op.inputs.map((i) => state.read(i, op) ?? valueFor(i)), replayedAttrs(graph, op));
        op.outputs.forEach((o, i) => values.set(o, outs[i]!));
        // Assignments inside a branch or loop body stay inside it: a later read would miss them.
        state.markAssignedInside(op);
      }
    }
  }
  return { outputs: graph.outputs.map(valueFor), finals: state.finals() };
}

/**
 * The variables' values along a replay: for each variable resource a replayed graph took,
 * the value its last assignment left, or "assigned inside" an op whose effect the replay
 * cannot see (an `If` branch or `While` body that assigns it), which a later read reports.
 */
class VariableState {
  readonly #current = new Map<OpOutput, Tensor | Operation>();

  constructor(private readonly graph: Graph) {}

  /** The value a read of `resource` sees now, or undefined when no assignment came before. */
  read(resource: OpOutput, reader: Operation): Tensor | undefined {
    const value = this.#current.get(resource);
    if (value === undefined || !isOperation(value)) return value;
    throw assignedInside(value, reader);
  }

  write(resource: OpOutput, value: Tensor): void {
    this.#current.set(resource, value);
  }

  markAssignedInside(op: Operation): void {
    if (!(this.graph instanceof FuncGraph) || !FUNCTION_ATTRS.some((key) => typeof op.attrs[key] === "string")) return;
    for (const k of writtenOperands(op, this.graph)) this.#current.set(op.inputs[k]!, op);
  }

  /** The last value of each assigned graph input, by index. */
  finals(): Map<number, Tensor> {
    const finals = new Map<number, Tensor>();
    this.graph.inputs.forEach((input, i) => {
      const value = this.#current.get(input);
      if (value !== undefined && !isOperation(value)) finals.set(i, value);
    });
    return finals;
  }
}

function isOperation(value: Tensor | Operation): value is Operation {
  return !(value instanceof Tensor);
}
