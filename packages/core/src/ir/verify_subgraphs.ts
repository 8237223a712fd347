import type { Shape } from "../base/shape.js";
import type { Graph, Operation, OpOutput } from "./graph.js";
import { isResourceOutput as isResource } from "./graph.js";
import type { LibraryFunction } from "./func_graph.js";
import { formatType } from "./printer.js";

/**
 * How the ops that run sub-graphs must fit them, for `verifyGraph`. The ops name their
 * sub-graphs by attribute (the convention `printer.ts` and the plan layer's graph facts
 * share): `f` for calls, `thenBranch`/`elseBranch` with `thenInputs`/`elseInputs` for
 * `If`, `cond`/`body` with `numLoopVars` and `condInputs`/`bodyInputs` for `While`. The
 * attributes themselves (types, index ranges, `Tout`) are checked by each op's `infer`
 * first; here each sub-graph must take what the op passes it (count, resource or tensor,
 * dtype, and a shape it accepts) and return what the op declares (SPEC K2).
 */

type Fail = (message: string) => void;
type Library = ReadonlyMap<string, LibraryFunction>;

/** True when every value of shape `value` fits `accepted` (`[2]` fits `[null]`, not the reverse). */
export function shapeFits(value: Shape, accepted: Shape): boolean {
  return value.length === accepted.length && accepted.every((d, i) => d === null || d === value[i]);
}

const typeOf = (o: OpOutput) => formatType(o, isResource(o));

/**
 * The op's inputs at `feeds` (indices) must match `params` (the callee's parameters, or
 * those after the loop variables, from parameter `offset` on) one for one.
 */
function checkFeeds(op: Operation, where: string, name: string, feeds: readonly number[], params: readonly OpOutput[], fail: Fail, offset = 0): void {
  if (feeds.length !== params.length) {
    fail(`${where}: passes ${feeds.length} input(s) to '${name}', which takes ${params.length}`);
    return;
  }
  feeds.forEach((index, k) => {
    const input = op.inputs[index]!;
    const param = params[k]!;
    if (isResource(input) !== isResource(param) || input.dtype !== param.dtype || !shapeFits(input.shape, param.shape))
      fail(`${where}: input ${index} is ${typeOf(input)} but '${name}' takes ${typeOf(param)}${index === k + offset ? "" : ` (its parameter ${k + offset})`}`);
  });
}

/** `callee`'s results must be the op's outputs: same count and dtypes, and shapes that fit the declared ones. */
function checkResults(where: string, name: string, outputs: readonly { shape: Shape; dtype: string }[], callee: Graph, fail: Fail): void {
  const returned = callee.outputs;
  const ok = returned.length === outputs.length && returned.every((r, k) => r.dtype === outputs[k]!.dtype && shapeFits(r.shape, outputs[k]!.shape));
  if (!ok) {
    const list = (infos: readonly { shape: Shape; dtype: string }[]) => infos.map((o) => formatType(o as { shape: Shape; dtype: "float32" })).join(", ");
    fail(`${where}: outputs (${list(outputs)}) differ from what '${name}' returns (${list(returned)})`);
  }
}

/** The library function an attribute names, if it is there (a missing one is reported by the caller). */
function calleeGraph(op: Operation, key: string, library: Library): { name: string; graph: Graph } | undefined {
  const name = op.attrs[key];
  const graph = typeof name === "string" ? library.get(name)?.graph : undefined;
  return graph === undefined ? undefined : { name: name as string, graph };
}

/** Input indices an attribute lists, or undefined when the op's `infer` would reject them. */
function indices(op: Operation, key: string): number[] | undefined {
  const list = op.attrs[key];
  return Array.isArray(list) && list.every((i) => Number.isInteger(i) && op.inputs[i as number] !== undefined) ? (list as number[]) : undefined;
}

/**
 * Checks a call, `If` or `While` against the functions it names; does nothing for other
 * ops. Problems go to `fail`, one message each.
 *
 * ```ts
 * checkSubgraphs(ifOp, "operation 'cond' (If)", graph.library, (m) => problems.push(m));
 * ```
 */
export function checkSubgraphs(op: Operation, where: string, library: Library, fail: Fail): void {
  const call = calleeGraph(op, "f", library);
  if (call !== undefined) {
    // A call passes its inputs straight to the function's parameters.
    checkFeeds(op, where, call.name, op.inputs.map((_, i) => i), call.graph.inputs, fail);
    checkResults(where, call.name, op.outputs, call.graph, fail);
  }
  for (const [branch, list] of [
    ["thenBranch", "thenInputs"],
    ["elseBranch", "elseInputs"],
  ] as const) {
    const callee = calleeGraph(op, branch, library);
    const feeds = indices(op, list);
    if (callee === undefined || feeds === undefined) continue;
    checkFeeds(op, where, callee.name, feeds, callee.graph.inputs, fail);
    checkResults(where, callee.name, op.outputs, callee.graph, fail);
  }
  const cond = calleeGraph(op, "cond", library);
  const body = calleeGraph(op, "body", library);
  if (cond !== undefined || body !== undefined) checkLoop(op, where, cond, body, fail);
  if (op.attrs.thenBranch !== undefined && op.inputs[0] !== undefined && isResource(op.inputs[0]))
    fail(`${where}: the predicate (input 0) is a variable resource; read the variable first`);
  checkStateful(op, where, library, fail);
}

/**
 * A stateless call, `If` or `While` may be pruned, merged or folded, so its sub-graphs must
 * have no side effects (tracing picks the stateful op whenever one has).
 */
function checkStateful(op: Operation, where: string, library: Library, fail: Fail): void {
  if (op.def.stateful === true) return;
  for (const key of ["f", "thenBranch", "elseBranch", "cond", "body"]) {
    const callee = calleeGraph(op, key, library);
    const effect = callee?.graph.operations.find((o) => o.def.stateful === true);
    if (callee !== undefined && effect !== undefined)
      fail(`${where}: ${op.type} is stateless, but '${callee.name}' has a side effect (${effect.type}); use the stateful op`);
  }
}

/** A `While`: both sub-graphs take the loop variables (of the op's output types) and then their listed inputs. */
function checkLoop(op: Operation, where: string, cond: { name: string; graph: Graph } | undefined, body: { name: string; graph: Graph } | undefined, fail: Fail): void {
  const n = op.attrs.numLoopVars;
  if (!Number.isInteger(n) || (n as number) < 0 || (n as number) !== op.outputs.length) return;
  const vars = op.inputs.slice(0, n as number);
  vars.forEach((v, k) => {
    if (isResource(v)) fail(`${where}: loop variable ${k} is a variable resource; loop variables are tensors (read the variable)`);
  });
  for (const [sub, list] of [
    [cond, "condInputs"],
    [body, "bodyInputs"],
  ] as const) {
    const feeds = indices(op, list);
    if (sub === undefined || feeds === undefined) continue;
    const params = sub.graph.inputs;
    if (params.length !== vars.length + feeds.length) {
      fail(`${where}: '${sub.name}' takes ${params.length} input(s), but the loop passes ${vars.length} loop variable(s) and ${feeds.length} more`);
      continue;
    }
    // Each loop variable's parameter must accept every value of the variable's declared type.
    op.outputs.forEach((t, k) => {
      const param = params[k]!;
      if (isResource(param) || param.dtype !== t.dtype || !shapeFits(t.shape, param.shape))
        fail(`${where}: loop variable ${k} is ${formatType(t)} but '${sub.name}' takes ${typeOf(param)}`);
    });
    checkFeeds(op, where, sub.name, feeds, params.slice(vars.length), fail, vars.length);
  }
  if (cond !== undefined) {
    const [c, ...rest] = cond.graph.outputs;
    if (c === undefined || rest.length > 0 || c.dtype !== "bool" || !c.shape.every((d) => d === 1))
      fail(`${where}: the condition '${cond.name}' must return one bool scalar, it returns (${cond.graph.outputs.map(typeOf).join(", ")})`);
  }
  if (body !== undefined) checkResults(where, body.name, op.outputs, body.graph, fail);
}
