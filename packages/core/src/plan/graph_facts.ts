import type { Shape } from "../base/shape.js";
import { isConcrete, shapesEqual } from "../base/shape.js";
import type { FuncGraph } from "../ir/func_graph.js";
import type { OpOutput, Operation } from "../ir/graph.js";
import { inferOp, type ValueInfo } from "../ir/op.js";

/** Variable writes: these ops assign to the variable whose resource is input 0. */
const ASSIGNMENTS: ReadonlySet<string> = new Set(["AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp"]);

const writtenCache = new WeakMap<FuncGraph, ReadonlySet<number>>();

/** The graph input a value comes from (through Identity), if it is one. */
function inputIndex(graph: FuncGraph, value: OpOutput): number {
  let v: OpOutput | undefined = value;
  while (v !== undefined && v.op.type === "Identity") v = v.op.inputs[0];
  return v === undefined ? -1 : graph.inputs.indexOf(v);
}

/** For an op that runs sub-graphs: each sub-graph and, per sub-graph input, the op input feeding it. */
function subgraphInputs(op: Operation, graph: FuncGraph): { graph: FuncGraph; feeds: readonly number[] }[] {
  const attrs = op.attrs as Record<string, unknown>;
  const get = (key: string) => (typeof attrs[key] === "string" ? graph.library.get(attrs[key] as string)?.graph : undefined);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const found: { graph: FuncGraph; feeds: readonly number[] }[] = [];
  const callee = get("f");
  if (callee !== undefined) found.push({ graph: callee, feeds: range(op.inputs.length) });
  const thenBranch = get("thenBranch");
  const elseBranch = get("elseBranch");
  if (thenBranch !== undefined) found.push({ graph: thenBranch, feeds: attrs.thenInputs as number[] });
  if (elseBranch !== undefined) found.push({ graph: elseBranch, feeds: attrs.elseInputs as number[] });
  const n = attrs.numLoopVars as number;
  const cond = get("cond");
  const body = get("body");
  if (cond !== undefined) found.push({ graph: cond, feeds: [...range(n), ...(attrs.condInputs as number[])] });
  if (body !== undefined) found.push({ graph: body, feeds: [...range(n), ...(attrs.bodyInputs as number[])] });
  return found;
}

/**
 * The inputs of `graph` (by index) that are variables' resources it may assign, directly
 * or in a nested call, branch or loop body. An asynchronous call marks exactly these
 * variables as pending while it runs.
 *
 * ```ts
 * writtenInputs(cf.graph); // Set { 1 } when the function assigns its captured variable
 * ```
 */
export function writtenInputs(graph: FuncGraph): ReadonlySet<number> {
  const cached = writtenCache.get(graph);
  if (cached !== undefined) return cached;
  const written = new Set<number>();
  writtenCache.set(graph, written);
  for (const op of graph.operations) {
    for (const input of writtenOperands(op, graph)) {
      const index = inputIndex(graph, op.inputs[input]!);
      if (index >= 0) written.add(index);
    }
  }
  return written;
}

/**
 * The inputs of `op` (by index) that are variables' resources it assigns: input 0 of a
 * variable write, or what a call, branch or loop body it runs may assign.
 *
 * ```ts
 * writtenOperands(whileOp, graph); // Set { 3 } when the loop body assigns the variable fed as input 3
 * ```
 */
export function writtenOperands(op: Operation, graph: FuncGraph): ReadonlySet<number> {
  if (ASSIGNMENTS.has(op.type)) return new Set([0]);
  const written = new Set<number>();
  for (const sub of subgraphInputs(op, graph)) {
    for (const k of writtenInputs(sub.graph)) {
      const feed = sub.feeds[k];
      if (feed !== undefined) written.add(feed);
    }
  }
  return written;
}

/**
 * The shapes `graph` outputs for inputs of the given shapes, found by running shape
 * inference over the graph with them (a trace with relaxed dims knows more once the call's
 * shapes are known). A dim that depends on data (a loop whose shapes change) stays `null`.
 *
 * ```ts
 * outputShapes(cf.graph, [[3, 2]]); // [[3, 2]] where the trace said [null, 2]
 * ```
 */
export function outputShapes(graph: FuncGraph, inputs: readonly Shape[]): Shape[] {
  const shapes = new Map<OpOutput, Shape>();
  graph.inputs.forEach((o, i) => shapes.set(o, inputs[i] ?? o.shape));
  const shapeOf = (o: OpOutput) => shapes.get(o) ?? o.shape;
  for (const op of graph.operations) {
    if (op.type === "Placeholder") continue;
    const infos: ValueInfo[] = op.inputs.map((i) => ({ shape: shapeOf(i), dtype: i.dtype }));
    const outs = subgraphOutputShapes(op, graph, infos) ?? inferred(op, infos);
    op.outputs.forEach((o, i) => shapes.set(o, outs[i] ?? o.shape));
  }
  return graph.outputs.map(shapeOf);
}

function inferred(op: Operation, infos: readonly ValueInfo[]): Shape[] {
  try {
    return inferOp(op.def, infos, op.attrs).map((o) => o.shape);
  } catch {
    return op.outputs.map((o) => o.shape);
  }
}

/** Output shapes of a call, `If` or `While` from its sub-graphs (undefined for other ops). */
function subgraphOutputShapes(op: Operation, graph: FuncGraph, infos: readonly ValueInfo[]): Shape[] | undefined {
  const subs = subgraphInputs(op, graph);
  if (subs.length === 0) return undefined;
  const run = (sub: { graph: FuncGraph; feeds: readonly number[] }) => outputShapes(sub.graph, sub.feeds.map((k) => infos[k]!.shape));
  const attrs = op.attrs as Record<string, unknown>;
  if (typeof attrs.f === "string") return run(subs[0]!);
  if (typeof attrs.thenBranch === "string") {
    const [a, b] = subs.map(run);
    return op.outputs.map((o, i) => (a?.[i] !== undefined && b?.[i] !== undefined && isConcrete(a[i]!) && shapesEqual(a[i]!, b[i]!) ? a[i]! : o.shape));
  }
  // While: the loop values keep their shapes when one iteration maps them to themselves.
  const n = attrs.numLoopVars as number;
  const start = infos.slice(0, n).map((i) => i.shape);
  const after = run(subs[1]!);
  return op.outputs.map((o, i) => (isConcrete(start[i]!) && after[i] !== undefined && shapesEqual(start[i]!, after[i]!) ? start[i]! : o.shape));
}
