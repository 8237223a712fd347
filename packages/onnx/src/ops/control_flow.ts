/**
 * `If` and `While` (stateful or not) as ONNX `If` and `Loop`. Kiln's branches and bodies are
 * library functions that take their inputs as parameters; ONNX's read outer values by name,
 * so each parameter is bound to the outer value and the sub-graph's nodes go into the ONNX
 * sub-graph. A `While` becomes a `Loop` with no trip count (or `maximumIterations`), its
 * condition evaluated once before the loop and again at the end of each body, so the number
 * of iterations is decided by data, as in Kiln.
 *
 * ```ts
 * // tf.whileLoop((i) => tf.less(i, n), (i) => [i.add(1)], [0])
 * //   ->  Loop(M="", cond=Less(0, n), 0) { body: Add(i, 1); Less(i', n) }
 * ```
 */
import type { Graph, OpOutput } from "@kiln/core";
import type { GraphBuilder } from "../export/graph_builder.js";
import type { Dim } from "../proto/build.js";
import type { NodeContext, OpMapping } from "./mapping.js";

interface IfAttrs {
  readonly thenBranch: string;
  readonly elseBranch: string;
  readonly thenInputs: readonly number[];
  readonly elseInputs: readonly number[];
}

interface WhileAttrs {
  readonly cond: string;
  readonly body: string;
  readonly numLoopVars: number;
  readonly condInputs: readonly number[];
  readonly bodyInputs: readonly number[];
  readonly maximumIterations: number | null;
}

const dims = (o: { shape: readonly (number | null)[] }): Dim[] => [...o.shape];

/** Declares `values` as `sub`'s outputs, typed like `infos`, copying where a value is not the sub-graph's own. */
function declareOutputs(sub: GraphBuilder, values: readonly string[], infos: readonly OpOutput[] | readonly { shape: readonly (number | null)[]; dtype: "float32" | "int32" | "bool" }[]): void {
  const taken = new Set<string>();
  values.forEach((v, k) => sub.addOutput(sub.ownOutput(v, taken), infos[k]!.dtype, dims(infos[k]!)));
}

/** A one-element bool as a scalar (ONNX's Loop condition). */
function scalarBool(b: GraphBuilder, value: string, shape: readonly (number | null)[]): string {
  return shape.length === 0 ? value : b.node1("Reshape", [value, b.int64s([])]);
}

function branch(n: NodeContext, name: string, feeds: readonly number[]): ReturnType<GraphBuilder["toGraph"]> {
  const graph: Graph = n.graphs.library(name);
  const sub = n.b.subgraph(name);
  const outs = n.graphs.emit(graph, sub, feeds.map((i) => n.inputs[i]!));
  declareOutputs(sub, outs, graph.outputs);
  return sub.toGraph();
}

function convertIf(n: NodeContext): readonly string[] {
  const a = n.attrs<IfAttrs>();
  const then_branch = branch(n, a.thenBranch, a.thenInputs);
  const else_branch = branch(n, a.elseBranch, a.elseInputs);
  return n.b.node("If", [n.inputs[0]!], { then_branch: { graph: then_branch }, else_branch: { graph: else_branch } }, n.op.outputs.length);
}

function convertWhile(n: NodeContext): readonly string[] {
  const { b } = n;
  const a = n.attrs<WhileAttrs>();
  const cond = n.graphs.library(a.cond);
  const body = n.graphs.library(a.body);
  const count = a.numLoopVars;
  const vars = n.inputs.slice(0, count);
  const condFeeds = a.condInputs.map((i) => n.inputs[i]!);
  const bodyFeeds = a.bodyInputs.map((i) => n.inputs[i]!);
  const condShape = cond.outputs[0]!.shape;
  // The condition on the initial values decides whether the loop runs at all.
  const first = scalarBool(b, n.graphs.emit(cond, b, [...vars, ...condFeeds])[0]!, condShape);

  const sub = b.subgraph(a.body);
  const iteration = b.names.unique(`${sub.name}_iteration`);
  const going = b.names.unique(`${sub.name}_condition`);
  sub.addInput(iteration, "int64", []);
  sub.addInput(going, "bool", []);
  const carried = n.op.outputs.map((o, k) => {
    const name = b.names.unique(`${sub.name}_${body.inputs[k]!.op.name}`);
    sub.addInput(name, o.dtype, dims(o));
    return name;
  });
  const next = n.graphs.emit(body, sub, [...carried, ...bodyFeeds]);
  const again = scalarBool(sub, n.graphs.emit(cond, sub, [...next, ...condFeeds])[0]!, condShape);
  declareOutputs(sub, [again, ...next], [{ shape: [], dtype: "bool" }, ...n.op.outputs]);

  const limit = a.maximumIterations === null ? "" : b.scalar("int64", a.maximumIterations);
  return b.node("Loop", [limit, first, ...vars], { body: { graph: sub.toGraph() } }, count);
}

export const controlFlowMappings: readonly OpMapping[] = [
  { op: "If", onnx: "If (branches as sub-graphs)", convert: convertIf },
  { op: "StatelessIf", onnx: "If (branches as sub-graphs)", convert: convertIf },
  { op: "While", onnx: "Loop (condition before the loop and at the end of the body)", convert: convertWhile },
  { op: "StatelessWhile", onnx: "Loop (condition before the loop and at the end of the body)", convert: convertWhile },
];
