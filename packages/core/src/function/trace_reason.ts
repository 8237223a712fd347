import type { Shape } from "../base/shape.js";
import { formatTfShape } from "../tensor/format.js";
import type { ConcreteFunction } from "./concrete_function.js";
import type { FunctionType, TypeNode } from "./function_type.js";
import { describeSpec } from "./pretty_signature.js";

/** What about an argument made a call miss every earlier trace. */
export type ArgumentChangeKind = "dtype" | "shape" | "rank" | "value" | "identity" | "trainable" | "structure" | "kind";

/** One argument (or part of one: `x[1]`, `opts.lr`) whose type differs from the closest earlier trace. */
export interface ArgumentChange {
  /** The parameter, with the path inside it: `x`, `xs[1]`, `opts.lr`. */
  readonly parameter: string;
  readonly what: ArgumentChangeKind;
  /** The earlier trace's side and the call's side, as text (`(1, 2)`, `float32`, `Literal[2]`). */
  readonly before: string;
  readonly after: string;
}

/**
 * Why a concrete function was traced (`fn.traceReasons()`): the first trace, the one trace
 * of an `inputSignature`, or a retrace, with the arguments whose types differ from the
 * closest earlier trace and, when `reduceRetracing` generalised the new trace, the
 * dimensions it relaxed to `null`.
 */
export interface TraceReason {
  readonly concreteFunction: ConcreteFunction;
  readonly kind: "first" | "retrace" | "inputSignature";
  readonly changes: readonly ArgumentChange[];
  /** Tensor arguments traced with relaxed (`null`) dimensions, and the shape they were traced with. */
  readonly relaxed: readonly { readonly parameter: string; readonly shape: Shape }[];
  /** One line for people: `x: shape (1, 2) -> (2, 2); relaxed x to (None, 2)`. */
  readonly message: string;
}

/** An earlier trace as the cache holds it: its type and the dims it was traced with. */
export interface TracedEntry {
  readonly type: FunctionType;
  readonly dims: readonly Shape[];
}

/** A side of a comparison: a type node and the dims its tensor leaves were traced with. */
interface Side {
  readonly dims: readonly Shape[];
  leaf: number;
}

function describeNode(node: TypeNode | undefined, side: Side): string {
  if (node === undefined) return "(not passed)";
  switch (node.kind) {
    case "tensor":
      return `TensorSpec(shape=${formatTfShape(side.dims[side.leaf++] ?? node.shape)}, dtype=${node.dtype})`;
    case "variable":
      return `VariableSpec(shape=${formatTfShape(node.shape)}, dtype=${node.dtype}, trainable=${node.trainable})`;
    case "literal":
      return describeSpec(node.value);
    case "ref": {
      const value = node.ref.deref();
      if (value === undefined) return "a collected object";
      return typeof value === "function" ? `<function ${value.name || "(anonymous)"}>` : `<${value.constructor?.name ?? "Object"} object>`;
    }
    case "list":
      return `[${node.items.map((item) => describeNode(item, side)).join(", ")}]`;
    case "dict":
      return `{${node.keys.map((k, i) => `${k}: ${describeNode(node.values[i], side)}`).join(", ")}}`;
  }
}

/** Skips a node's tensor leaves on one side (after describing a mismatch without walking it). */
function tensorLeaves(node: TypeNode | undefined): number {
  if (node === undefined) return 0;
  if (node.kind === "tensor") return 1;
  if (node.kind === "list") return node.items.reduce((n, item) => n + tensorLeaves(item), 0);
  if (node.kind === "dict") return node.values.reduce((n, value) => n + tensorLeaves(value), 0);
  return 0;
}

/** The differences between an earlier trace's argument types and a call's, path by path. */
function compare(before: TypeNode | undefined, after: TypeNode | undefined, path: string, a: Side, b: Side, out: ArgumentChange[]): void {
  const whole = (what: ArgumentChangeKind) => {
    const startA = a.leaf;
    const startB = b.leaf;
    out.push({ parameter: path, what, before: describeNode(before, a), after: describeNode(after, b) });
    a.leaf = startA + tensorLeaves(before);
    b.leaf = startB + tensorLeaves(after);
  };
  if (before === undefined || after === undefined || before.kind !== after.kind) return whole("kind");
  if (before.kind === "tensor" && after.kind === "tensor") {
    const was = a.dims[a.leaf++]!;
    const now = b.dims[b.leaf++]!;
    if (before.dtype !== after.dtype) out.push({ parameter: path, what: "dtype", before: before.dtype, after: after.dtype });
    else if (was.length !== now.length) out.push({ parameter: path, what: "rank", before: formatTfShape(was), after: formatTfShape(now) });
    else if (was.some((d, i) => d !== null && d !== now[i])) out.push({ parameter: path, what: "shape", before: formatTfShape(was), after: formatTfShape(now) });
    return;
  }
  if (before.kind === "variable" && after.kind === "variable") {
    if (before.dtype !== after.dtype) out.push({ parameter: path, what: "dtype", before: before.dtype, after: after.dtype });
    else if (before.shape.join() !== after.shape.join()) out.push({ parameter: path, what: "shape", before: formatTfShape(before.shape), after: formatTfShape(after.shape) });
    else if (before.trainable !== after.trainable) out.push({ parameter: path, what: "trainable", before: String(before.trainable), after: String(after.trainable) });
    return;
  }
  if (before.kind === "literal" && after.kind === "literal") {
    if (!Object.is(before.value, after.value)) out.push({ parameter: path, what: "value", before: describeSpec(before.value), after: describeSpec(after.value) });
    return;
  }
  if (before.kind === "ref" && after.kind === "ref") {
    if (before.id !== after.id) out.push({ parameter: path, what: "identity", before: describeNode(before, a), after: `another ${describeNode(after, b)}` });
    return;
  }
  if (before.kind === "list" && after.kind === "list") {
    if (before.items.length !== after.items.length) return whole("structure");
    before.items.forEach((item, i) => compare(item, after.items[i], `${path}[${i}]`, a, b, out));
    return;
  }
  if (before.kind === "dict" && after.kind === "dict") {
    if (before.keys.join("\u0000") !== after.keys.join("\u0000")) return whole("structure");
    before.keys.forEach((key, i) => compare(before.values[i], after.values[i], `${path}.${key}`, a, b, out));
  }
}

/** The changes from `entry` to `call`, parameter by parameter. */
function changesFrom(entry: TracedEntry, call: FunctionType, names: readonly string[]): ArgumentChange[] {
  const out: ArgumentChange[] = [];
  const a: Side = { dims: entry.dims, leaf: 0 };
  const b: Side = { dims: call.dims, leaf: 0 };
  const count = Math.max(entry.type.params.length, call.params.length);
  for (let i = 0; i < count; i++) compare(entry.type.params[i], call.params[i], names[i] ?? `args_${i}`, a, b, out);
  return out;
}

/** The tensor leaves whose traced dims are more general than the call's, by parameter path. */
function relaxedLeaves(call: FunctionType, dims: readonly Shape[], names: readonly string[]): TraceReason["relaxed"] {
  const found: { parameter: string; shape: Shape }[] = [];
  let leaf = 0;
  const visit = (node: TypeNode, path: string): void => {
    if (node.kind === "tensor") {
      const shape = dims[leaf++]!;
      if (shape.some((d) => d === null) && shape.some((d, j) => d !== call.dims[leaf - 1]![j])) found.push({ parameter: path, shape });
    } else if (node.kind === "list") node.items.forEach((item, i) => visit(item, `${path}[${i}]`));
    else if (node.kind === "dict") node.keys.forEach((key, i) => visit(node.values[i]!, `${path}.${key}`));
  };
  call.params.forEach((node, i) => visit(node, names[i] ?? `args_${i}`));
  return found;
}

/** How far apart two traces are: a different kind of value counts more than a different size. */
const WEIGHT: Record<ArgumentChangeKind, number> = { kind: 4, structure: 4, dtype: 2, rank: 2, identity: 2, shape: 1, value: 1, trainable: 1 };
const distance = (changes: readonly ArgumentChange[]) => changes.reduce((n, c) => n + WEIGHT[c.what], 0);

function describeChange(change: ArgumentChange): string {
  const what = change.what === "kind" || change.what === "structure" || change.what === "identity" ? "" : `${change.what} `;
  return `${change.parameter}: ${what}${change.before} -> ${change.after}`;
}

/**
 * Why a call traced: compares its type with each earlier trace (same tensors' dims as they
 * were traced, relaxed or not) and reports the differences from the closest one (fewest
 * changes, a changed kind of value weighing more than a changed size; the latest on a tie). `dims` are the dims the new trace uses (relaxed or the
 * call's own).
 *
 * ```ts
 * explainTrace(cf, type, cache.traced(), type.dims, ["x"]).message; // "x: shape (1, 2) -> (2, 2)"
 * ```
 */
export function explainTrace(
  concreteFunction: ConcreteFunction,
  call: FunctionType,
  earlier: readonly TracedEntry[],
  dims: readonly Shape[],
  names: readonly string[],
): TraceReason {
  let changes: ArgumentChange[] | undefined;
  for (const entry of earlier) {
    const candidate = changesFrom(entry, call, names);
    if (changes === undefined || distance(candidate) <= distance(changes)) changes = candidate;
  }
  const relaxed = dims === call.dims ? [] : relaxedLeaves(call, dims, names);
  const parts = changes === undefined ? ["first trace"] : changes.length === 0 ? ["no earlier trace accepts these arguments"] : changes.map(describeChange);
  for (const r of relaxed) parts.push(`relaxed ${r.parameter} to ${formatTfShape(r.shape)}`);
  return { concreteFunction, kind: changes === undefined ? "first" : "retrace", changes: changes ?? [], relaxed, message: parts.join("; ") };
}
