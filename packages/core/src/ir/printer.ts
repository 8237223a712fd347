import { isDType } from "../base/dtype.js";
import type { FuncGraph, LibraryFunction } from "./func_graph.js";
import type { Graph, Operation, OpOutput } from "./graph.js";
import { isResourceOutput as isResource } from "./graph.js";
import type { AttrValue, ValueInfo } from "./op.js";

/**
 * Attributes whose string value names a function in the graph's library: the `f` of
 * `PartitionedCall` / `StatefulPartitionedCall`, the branches of `If` and the condition
 * and body of `While`. Printing, serialization and the verifier follow these references;
 * add the attribute names of new functional ops here.
 */
export const FUNCTION_ATTRS: readonly string[] = ["f", "thenBranch", "elseBranch", "cond", "body"];

// Longer attribute arrays (a big Const, a long shape) print their first items only.
const MAX_PRINTED_ITEMS = 10;
const PRINTED_HEAD = 6;

const BARE_NAME = /^[A-Za-z0-9_.$/-]+$/;
const BARE_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** An operation name as the text form shows it: bare when it is simple, JSON-quoted otherwise. */
export function formatName(name: string): string {
  return BARE_NAME.test(name) ? name : JSON.stringify(name);
}

/** A reference to an operation output: `pow:0`. */
export function formatRef(output: OpOutput): string {
  return `${formatName(output.op.name)}:${output.index}`;
}

/** A value's type: `float32[?,2]` (`?` is an unknown dimension), `resource<int32[]>` for a variable. */
export function formatType(info: ValueInfo, resource = false): string {
  const type = `${info.dtype}[${info.shape.map((d) => (d === null ? "?" : String(d))).join(",")}]`;
  return resource ? `resource<${type}>` : type;
}

/** The names of library functions an operation calls, in attribute order. */
export function calledFunctions(op: Operation): string[] {
  const names: string[] = [];
  for (const key of FUNCTION_ATTRS) {
    const value = op.attrs[key];
    if (typeof value === "string") names.push(value);
  }
  return names;
}

/** A graph's own function library (only function graphs have one). */
export function libraryOf(graph: Graph): ReadonlyMap<string, LibraryFunction> {
  // A structural check: importing FuncGraph here would make a module cycle through graph.ts.
  return (graph as Partial<FuncGraph>).library ?? new Map();
}

/**
 * Every function reachable from `graph` through call attributes, each once, depth-first
 * in the order the calls appear (nested functions' own libraries included). With
 * `onConflict`, two different graphs under one name are reported instead of the later
 * one being ignored.
 */
export function libraryFunctions(graph: Graph, onConflict?: (name: string) => void): { name: string; graph: Graph }[] {
  const found = new Map<string, Graph>();
  const visit = (g: Graph): void => {
    const library = libraryOf(g);
    const names = g.operations.flatMap(calledFunctions);
    // Entries no operation calls (unusual) still belong to the graph: list them last.
    for (const name of library.keys()) if (!names.includes(name)) names.push(name);
    for (const name of names) {
      const callee = library.get(name)?.graph;
      if (callee === undefined) continue;
      const previous = found.get(name);
      if (previous !== undefined) {
        if (previous !== callee) onConflict?.(name);
        continue;
      }
      found.set(name, callee);
      visit(callee);
    }
  };
  visit(graph);
  return [...found].map(([name, g]) => ({ name, graph: g }));
}

/** The shortest decimal that reads back as the same float32 (`0.1`, not `0.10000000149011612`). */
function formatFloat32(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return formatNumber(value);
  for (let digits = 1; digits < 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(value);
}

function formatNumber(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

function formatList(items: readonly string[]): string {
  if (items.length <= MAX_PRINTED_ITEMS) return `[${items.join(", ")}]`;
  return `[${items.slice(0, PRINTED_HEAD).join(", ")}, ... ${items.length - PRINTED_HEAD} more]`;
}

function formatAttr(value: AttrValue | undefined, library: ReadonlyMap<string, LibraryFunction>, key?: string): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value === "string") {
    if (key !== undefined && FUNCTION_ATTRS.includes(key) && library.has(value)) return `@${formatName(value)}`;
    return isDType(value) ? value : JSON.stringify(value);
  }
  if (Array.isArray(value)) return formatList(value.map((v) => formatAttr(v, library)));
  const record = value as { readonly [key: string]: AttrValue };
  const keys = Object.keys(record);
  // `{shape, dtype}` pairs (a call's output types) read best as types.
  if (keys.length === 2 && Array.isArray(record.shape) && isDType(record.dtype)) return formatType(record as unknown as ValueInfo);
  return `{${keys.map((k) => `${BARE_KEY.test(k) ? k : JSON.stringify(k)}: ${formatAttr(record[k], library)}`).join(", ")}}`;
}

/** Attributes as `{key: value, ...}`; a Const shows only its values (its type is printed anyway). */
function formatAttrs(op: Operation, library: ReadonlyMap<string, LibraryFunction>): string {
  if (op.type === "Const") {
    const { value, shape, dtype } = op.attrs as { value?: unknown; shape?: unknown; dtype?: unknown };
    if (Array.isArray(value) && Array.isArray(shape) && value.every((v) => typeof v === "number")) {
      const items = (value as number[]).map((v) =>
        dtype === "bool" ? String(v !== 0) : dtype === "float32" ? formatFloat32(v) : formatNumber(v),
      );
      return ` {value: ${shape.length === 0 && items.length === 1 ? items[0] : formatList(items)}}`;
    }
  }
  const entries = Object.entries(op.attrs).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "";
  return ` {${entries.map(([k, v]) => `${BARE_KEY.test(k) ? k : JSON.stringify(k)}: ${formatAttr(v, library, k)}`).join(", ")}}`;
}

function formatOutputs(outputs: readonly OpOutput[]): string {
  if (outputs.length === 0) return "";
  const types = outputs.map((o) => formatType(o, isResource(o)));
  return types.length === 1 ? ` : ${types[0]}` : ` : (${types.join(", ")})`;
}

function formatOperation(op: Operation, library: ReadonlyMap<string, LibraryFunction>): string {
  const args = [...op.inputs.map(formatRef), ...op.controlInputs.map((c) => `^${formatName(c.name)}`)];
  return `${formatName(op.name)} = ${op.type}(${args.join(", ")})${formatAttrs(op, library)}${formatOutputs(op.outputs)}`;
}

function formatOne(graph: Graph, name: string): string {
  const library = libraryOf(graph);
  const params = graph.inputs.map((o) => `${o.index === 0 ? formatName(o.op.name) : formatRef(o)}: ${formatType(o, isResource(o))}`);
  const results = graph.outputs.map((o) => formatType(o, isResource(o)));
  const lines = [`graph ${formatName(name)}(${params.join(", ")}) -> (${results.join(", ")}) {`];
  for (const op of graph.operations) lines.push(`  ${formatOperation(op, library)}`);
  lines.push(graph.outputs.length === 0 ? "  return" : `  return ${graph.outputs.map(formatRef).join(", ")}`);
  lines.push("}");
  return lines.join("\n");
}

/**
 * The stable text form of a graph (SPEC B14): a header with the inputs and output types,
 * one line per operation in creation order (`name = Type(inputs, ^controls) {attrs} :
 * types`), the returned values, then every function it calls, each once.
 *
 * ```ts
 * graphToText(tfCube.getConcreteFunction(new tf.TensorSpec([])).graph);
 * // graph tfCube(x: float32[]) -> (float32[]) {
 * //   x = Placeholder() {shape: [], dtype: float32} : float32[]
 * //   pow/y = Const() {value: 3} : float32[]
 * //   pow = Pow(x:0, pow/y:0) : float32[]
 * //   Identity = Identity(pow:0) : float32[]
 * //   return Identity:0
 * // }
 * ```
 */
export function graphToText(graph: Graph): string {
  return [formatOne(graph, graph.name), ...libraryFunctions(graph).map((f) => formatOne(f.graph, f.name))].join("\n\n");
}
