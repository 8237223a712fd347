import { isDType } from "../base/dtype.js";
import { KilnError } from "../base/errors.js";
import type { Shape } from "../base/shape.js";
import type { Graph, Operation, OpOutput } from "./graph.js";
import { isResourceOutput as isResource } from "./graph.js";
import { type AnyOpDef, type Attrs, inferOp, kernelArity, type ValueInfo } from "./op.js";
import { calledFunctions, formatName, formatRef, formatType, libraryOf } from "./printer.js";
import { checkSubgraphs } from "./verify_subgraphs.js";

/** A graph that breaks an invariant of the IR (dangling reference, bad order, shapes that disagree with inference...). */
export class InvalidGraphError extends KilnError {
  static override readonly errorName: string = "InvalidGraphError";
}

/** Anything that finds an op definition by its raw op name (an `OpTable`, `tf.knownOps()`). */
export interface OpResolver {
  get(name: string): AnyOpDef | undefined;
}

export interface VerifyOptions {
  /** When given, every operation's type must resolve to exactly its definition here. */
  readonly ops?: OpResolver;
  /** Check only this graph, not the functions it calls (a loader that verifies each function as it builds it). */
  readonly shallow?: boolean;
}

// Stop collecting after this many problems: the first few say what is wrong.
const MAX_PROBLEMS = 10;

/** True when two shapes can describe the same value: same rank, and each dim equal or unknown on one side. */
export function shapesCompatible(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === null || b[i] === null || d === b[i]);
}

export { shapeFits } from "./verify_subgraphs.js";

function describe(info: ValueInfo): string {
  return formatType(info);
}

/**
 * Checks the invariants every pass and loader relies on, and throws an InvalidGraphError
 * listing what is broken: operation names unique and non-empty; every input and control
 * input produced by an earlier operation of the same graph (so creation order is a
 * topological order); references point at real outputs; the graph's inputs are exactly
 * its Placeholders (captures last) and its outputs real non-resource values; re-running
 * each op's `infer` gives outputs compatible with the recorded ones; variable resources
 * only flow into `resource` inputs; calls match the called function's inputs and
 * outputs, and called functions verify too. With `options.ops`, op types must be known.
 *
 * ```ts
 * verifyGraph(cf.graph, { ops: tf.knownOps() }); // throws if anything is off
 * ```
 */
export function verifyGraph(graph: Graph, options: VerifyOptions = {}): void {
  const problems: string[] = [];
  verifyInto(graph, graph.name, options, problems, new Set());
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_PROBLEMS);
    const more = problems.length > MAX_PROBLEMS ? `\n  ... and ${problems.length - MAX_PROBLEMS} more` : "";
    throw new InvalidGraphError(`graph '${graph.name}' is invalid:\n  ${shown.join("\n  ")}${more}`);
  }
}

function verifyInto(graph: Graph, label: string, options: VerifyOptions, problems: string[], visited: Set<Graph>): void {
  visited.add(graph);
  const fail = (message: string) => problems.push(label === graph.name ? message : `in function ${label}: ${message}`);
  const position = new Map<Operation, number>();
  const names = new Set<string>();
  graph.operations.forEach((op, i) => {
    const where = `operation ${formatName(op.name)} (${op.type})`;
    if (typeof op.name !== "string" || op.name.length === 0) fail(`operation #${i} (${op.type}) has an empty name`);
    if (names.has(op.name)) fail(`${where}: the name is used twice`);
    names.add(op.name);
    if (graph.getOperationByName(op.name) !== op) fail(`${where}: not registered under its name in the graph`);
    const known = options.ops?.get(op.type);
    if (options.ops !== undefined && known !== op.def) {
      fail(
        `${where}: ${known === undefined ? `unknown op type '${op.type}' (not in the op table)` : "its definition is not the op table's definition of that type"}`,
      );
    }
    checkReferences(op, where, position, fail);
    checkInference(op, where, fail);
    for (const problem of attrInputProblems(op.def, op.inputs, op.attrs)) fail(`${where}: ${problem}`);
    checkResources(op, where, graph, fail);
    position.set(op, i);
  });
  checkBoundary(graph, position, fail);
  if (options.shallow === true) return;
  for (const name of new Set(graph.operations.flatMap(calledFunctions))) {
    const callee = libraryOf(graph).get(name)?.graph;
    if (callee !== undefined && !visited.has(callee)) verifyInto(callee, name, options, problems, visited);
  }
}

function checkReferences(op: Operation, where: string, position: ReadonlyMap<Operation, number>, fail: (m: string) => void): void {
  op.inputs.forEach((input, k) => {
    if (!position.has(input.op)) fail(`${where}: input ${k} (${formatRef(input)}) is not produced by an earlier operation of this graph`);
    else if (input.op.outputs[input.index] !== input)
      fail(`${where}: input ${k} refers to output ${input.index} of ${formatName(input.op.name)}, which has ${input.op.outputs.length}`);
  });
  for (const control of op.controlInputs) {
    if (!position.has(control)) fail(`${where}: control input ^${formatName(control.name)} is not an earlier operation of this graph`);
  }
  op.outputs.forEach((output, k) => {
    if (output.op !== op || output.index !== k) fail(`${where}: output ${k} does not point back at its operation`);
  });
}

function checkInference(op: Operation, where: string, fail: (m: string) => void): void {
  let inferred: ValueInfo[];
  try {
    inferred = inferOp(op.def, op.inputs, op.attrs);
  } catch (error) {
    fail(`${where}: shape inference rejects the recorded inputs and attributes: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (!Array.isArray(inferred) || inferred.length !== op.outputs.length) {
    fail(`${where}: inference gives ${Array.isArray(inferred) ? inferred.length : "no"} output(s), the graph records ${op.outputs.length}`);
    return;
  }
  inferred.forEach((info, k) => {
    const recorded = op.outputs[k]!;
    if (!isDType(info.dtype) || info.dtype !== recorded.dtype || !shapesCompatible(info.shape, recorded.shape)) {
      fail(`${where}: output ${k} is recorded as ${describe(recorded)} but inference gives ${describe(info)}`);
    }
  });
}

/**
 * What is wrong with how an op takes attrs as tensors (see `OpDef.attrInputs`), one message
 * each: given, each such input must be an int32 vector of known length (a shape) or a
 * one-element number (a scalar), so the values read when the plan runs make a well-formed
 * attr; not given, the attr itself must be fully known (`null` marks values only an input
 * can give). A loader checks this before running the op's `infer`.
 *
 * ```ts
 * attrInputProblems(Fill, [], { shape: [null, 3], value: 1, dtype: "float32" }); // ["attribute 'shape' has unknown (null) values, ..."]
 * ```
 */
export function attrInputProblems(def: AnyOpDef, inputs: readonly ValueInfo[], attrs: Attrs): string[] {
  const specs = def.attrInputs;
  if (specs === undefined) return [];
  const problems: string[] = [];
  const given = inputs.length > (kernelArity(def) ?? inputs.length);
  for (const spec of specs) {
    const name = def.inputs === "variadic" ? spec.attr : (def.inputs[spec.input] ?? spec.attr);
    if (given) {
      const input = inputs[spec.input];
      if (input === undefined) continue;
      const ok = spec.scalar
        ? input.dtype !== "bool" && input.shape.every((d) => d === 1)
        : input.dtype === "int32" && input.shape.length === 1 && input.shape[0] !== null;
      if (!ok)
        problems.push(`input '${name}' is ${formatType(input)}, but it must be ${spec.scalar ? "a number (one int32 or float32 element)" : "an int32 vector of known length"}`);
      continue;
    }
    const value = attrs[spec.attr];
    if (value === null || (Array.isArray(value) && value.includes(null)))
      problems.push(`attribute '${spec.attr}' has unknown (null) values, which only a '${name}' input could give, and the op has none`);
  }
  return problems;
}

function checkResources(op: Operation, where: string, graph: Graph, fail: (m: string) => void): void {
  const library = libraryOf(graph);
  const called = calledFunctions(op);
  for (const name of called) if (library.get(name)?.graph === undefined) fail(`${where}: calls function '${name}', which is not in the graph's library`);
  // Calls, If and While pass their inputs to sub-graphs: resources may pass where a sub-graph takes one.
  if (called.length > 0) {
    checkSubgraphs(op, where, library, fail);
    return;
  }
  op.inputs.forEach((input, k) => {
    const declared = op.def.inputs === "variadic" ? undefined : op.def.inputs[k];
    const wantsResource = declared === "resource";
    // Identity passes a resource through unchanged; everything else takes tensors.
    if (isResource(input) !== wantsResource && !(op.type === "Identity" && isResource(input))) {
      fail(
        `${where}: input ${k} (${formatRef(input)}) is ${isResource(input) ? "a variable resource" : "a tensor"} but the op expects ${wantsResource ? "a variable resource" : "a tensor"}`,
      );
    }
  });
}

function checkBoundary(graph: Graph, position: ReadonlyMap<Operation, number>, fail: (m: string) => void): void {
  const inputs = new Set<OpOutput>();
  graph.inputs.forEach((input, k) => {
    if (!position.has(input.op) || input.op.type !== "Placeholder")
      fail(`graph input ${k} (${formatRef(input)}) is not a Placeholder of this graph`);
    if (inputs.has(input)) fail(`graph input ${k} (${formatRef(input)}) is listed twice`);
    inputs.add(input);
  });
  for (const op of position.keys()) {
    if (op.type === "Placeholder" && !inputs.has(op.outputs[0]!))
      fail(`Placeholder ${formatName(op.name)} is not one of the graph's inputs`);
  }
  const captures = (graph as { captures?: readonly { placeholder: OpOutput }[] }).captures ?? [];
  const tail = graph.inputs.slice(graph.inputs.length - captures.length);
  if (captures.length > 0 && captures.some((c, k) => tail[k] !== c.placeholder))
    fail(`captured values' placeholders must be the last inputs, in capture order`);
  graph.outputs.forEach((output, k) => {
    if (!position.has(output.op) || output.op.outputs[output.index] !== output)
      fail(`graph output ${k} (${formatRef(output)}) is not produced by this graph`);
    else if (isResource(output))
      fail(`graph output ${k} (${formatRef(output)}) is a variable resource; functions return tensors (read the variable)`);
  });
}
