import type { DType } from "../base/dtype.js";
import { ArgumentError } from "../base/errors.js";
import { isPlainObject } from "../base/plain_object.js";
import type { ConcreteShape, Shape } from "../base/shape.js";
import type { OpOutput } from "../ir/graph.js";
import { isResourceOutput as isResource } from "../ir/graph.js";
import { GraphFormatError, readArray, readDType, readField, readRecord, readShape, readString } from "../ir/serialize.js";
import { Tensor } from "../tensor/tensor.js";
import type { TypeNode } from "./function_type.js";

// How a saved function records its traced signature (the cache's TypeNodes) and the
// structure of its result, in JSON; and how both are read back from untrusted input.

/** A literal in JSON: JSON's own values, or a tag for what JSON cannot hold. */
export type SavedLiteral =
  | { readonly kind: "literal"; readonly value: string | number | boolean | null }
  | { readonly kind: "literal"; readonly special: "undefined" | "NaN" | "Infinity" | "-Infinity" | "-0" }
  | { readonly kind: "literal"; readonly bigint: string };

/** One traced parameter: a tensor spec, a variable, a pinned JS value, or a structure of them. */
export type SavedTypeNode =
  | { readonly kind: "tensor"; readonly dtype: DType; readonly shape: Shape; readonly name?: string }
  | { readonly kind: "variable"; readonly dtype: DType; readonly shape: ConcreteShape; readonly trainable: boolean; readonly alias: number }
  | SavedLiteral
  | { readonly kind: "list"; readonly items: readonly SavedTypeNode[] }
  | { readonly kind: "dict"; readonly keys: readonly string[]; readonly values: readonly SavedTypeNode[]; readonly order?: readonly string[] };

/** The structure of a function's result: graph outputs by index, JS values, arrays and objects. */
export type SavedOutput =
  | { readonly kind: "tensor"; readonly index: number }
  | SavedLiteral
  | { readonly kind: "list"; readonly items: readonly SavedOutput[] }
  | { readonly kind: "dict"; readonly keys: readonly string[]; readonly values: readonly SavedOutput[]; readonly order?: readonly string[] };

const MAX_NESTING = 64;
const SPECIAL_LITERALS = ["undefined", "NaN", "Infinity", "-Infinity", "-0"] as const;

function unsavable(value: unknown, path: string, what: string): never {
  const kind =
    typeof value === "function" ? "a function" : `an object (${(value as object | undefined)?.constructor?.name ?? "no longer alive"})`;
  throw new ArgumentError(
    `saveFunction: ${what} ${path} is ${kind}, which cannot be saved; saved functions hold tensors, variables, JS primitives, and arrays and plain objects of them`,
  );
}

/** A JS primitive as JSON; NaN, ±Infinity, -0, undefined and bigints are tagged. */
export function saveLiteral(value: unknown, path: string, what: string): SavedLiteral {
  if (value === undefined) return { kind: "literal", special: "undefined" };
  if (typeof value === "bigint") return { kind: "literal", bigint: String(value) };
  if (typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0))) {
    return { kind: "literal", special: Object.is(value, -0) ? "-0" : (String(value) as "NaN" | "Infinity" | "-Infinity") };
  }
  if (value === null || typeof value === "number" || typeof value === "string" || typeof value === "boolean")
    return { kind: "literal", value };
  return unsavable(value, path, what);
}

/**
 * A parameter's saved type. Tensor leaves take their placeholder's shape and name: a
 * relaxed trace accepts `[null, 2]` even though the call that traced it had `[2, 2]`.
 */
export function saveTypeNode(node: TypeNode, path: string, placeholders: OpOutput[]): SavedTypeNode {
  switch (node.kind) {
    case "tensor": {
      const placeholder = placeholders.shift()!;
      return { kind: "tensor", dtype: node.dtype, shape: [...placeholder.shape], name: placeholder.op.name };
    }
    case "variable":
      return {
        kind: "variable",
        dtype: node.dtype,
        shape: [...(node.shape as ConcreteShape)],
        trainable: node.trainable,
        alias: node.alias,
      };
    case "literal":
      return saveLiteral(node.value, path, "argument");
    case "list":
      return { kind: "list", items: node.items.map((item, i) => saveTypeNode(item, `${path}[${i}]`, placeholders)) };
    case "dict":
      return {
        kind: "dict",
        keys: [...node.keys],
        values: node.values.map((v, i) => saveTypeNode(v, `${path}.${node.keys[i]}`, placeholders)),
        order: [...node.order],
      };
    case "ref":
      // Objects keyed by identity exist only in this process.
      return unsavable(node.ref.deref(), path, "argument");
  }
}

/** A function's result structure: graph outputs by index, JS primitives as literals. */
export function saveOutput(value: unknown, outputs: readonly OpOutput[], path: string): SavedOutput {
  if (value instanceof Tensor && value.handle.kind === "symbolic") {
    const index = outputs.indexOf(value.handle.ref as OpOutput);
    if (index >= 0) return { kind: "tensor", index };
  }
  if (Array.isArray(value)) return { kind: "list", items: value.map((v, i) => saveOutput(v, outputs, `${path}[${i}]`)) };
  if (isPlainObject(value)) {
    const order = Object.keys(value);
    const keys = [...order].sort();
    return {
      kind: "dict",
      keys,
      values: keys.map((k) => saveOutput((value as Record<string, unknown>)[k], outputs, path === "" ? k : `${path}.${k}`)),
      order,
    };
  }
  return saveLiteral(value, path || "(the whole result)", "result");
}

function fail(path: string, message: string): never {
  throw new GraphFormatError(`${path}: ${message}`);
}

function loadLiteral(record: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(record, "special")) {
    const special = record.special;
    if (!SPECIAL_LITERALS.includes(special as (typeof SPECIAL_LITERALS)[number]))
      fail(`${path}.special`, `expected one of ${SPECIAL_LITERALS.join(", ")}`);
    return special === "undefined" ? undefined : Number(special);
  }
  if (Object.hasOwn(record, "bigint")) {
    const text = readString(record.bigint, `${path}.bigint`);
    if (!/^-?\d{1,400}$/.test(text)) fail(`${path}.bigint`, "expected decimal digits");
    return BigInt(text);
  }
  const value = readField(record, "value", path);
  if (value !== null && typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean")
    fail(`${path}.value`, "a literal must be a string, number, boolean or null");
  return value;
}

/** The key order an object had when saved (a permutation of `keys`; files without one keep sorted order). */
function loadOrder(record: Readonly<Record<string, unknown>>, keys: readonly string[], path: string): string[] {
  if (!Object.hasOwn(record, "order")) return [...keys];
  const order = readArray(record.order, `${path}.order`).map((k, i) => readString(k, `${path}.order[${i}]`));
  const sorted = [...order].sort();
  if (sorted.length !== keys.length || sorted.some((k, i) => k !== keys[i])) fail(`${path}.order`, "expected the same keys as 'keys', in any order");
  return order;
}

function loadKeys(record: Readonly<Record<string, unknown>>, path: string): string[] {
  const keys = readArray(readField(record, "keys", path), `${path}.keys`).map((k, i) => readString(k, `${path}.keys[${i}]`));
  // Canonical order (sorted, unique) is what fixes the order of the flat inputs.
  keys.forEach((k, i) => {
    if (i > 0 && !(keys[i - 1]! < k)) fail(`${path}.keys`, "keys must be sorted and unique");
    if (k === "__proto__" || k === "constructor" || k === "prototype") fail(`${path}.keys`, `forbidden key '${k}'`);
  });
  return keys;
}

/** Reads a saved parameter type back into the cache's TypeNode, validating every field. */
export function loadTypeNode(value: unknown, path: string, depth: number): TypeNode {
  if (depth > MAX_NESTING) fail(path, `arguments nested more than ${MAX_NESTING} levels deep`);
  const record = readRecord(value, path);
  const kind = readField(record, "kind", path);
  switch (kind) {
    case "tensor": {
      const name = readField(record, "name", path, true);
      const node = {
        kind,
        dtype: readDType(readField(record, "dtype", path), `${path}.dtype`),
        shape: readShape(readField(record, "shape", path), `${path}.shape`),
      };
      return name === undefined ? node : { ...node, name: readString(name, `${path}.name`) };
    }
    case "variable": {
      const alias = readField(record, "alias", path);
      if (typeof alias !== "number" || !Number.isInteger(alias) || alias < 0) fail(`${path}.alias`, "expected a non-negative integer");
      const trainable = readField(record, "trainable", path);
      if (typeof trainable !== "boolean") fail(`${path}.trainable`, "expected a boolean");
      const shape = readShape(readField(record, "shape", path), `${path}.shape`, false) as number[];
      return { kind, dtype: readDType(readField(record, "dtype", path), `${path}.dtype`), shape, trainable, alias };
    }
    case "literal":
      return { kind, value: loadLiteral(record, path) };
    case "list":
      return {
        kind,
        items: readArray(readField(record, "items", path), `${path}.items`).map((v, i) =>
          loadTypeNode(v, `${path}.items[${i}]`, depth + 1),
        ),
      };
    case "dict": {
      const keys = loadKeys(record, path);
      const values = readArray(readField(record, "values", path), `${path}.values`);
      if (values.length !== keys.length) fail(`${path}.values`, `expected ${keys.length} values, one per key`);
      return { kind, keys, values: values.map((v, i) => loadTypeNode(v, `${path}.values[${i}]`, depth + 1)), order: loadOrder(record, keys, path) };
    }
    default:
      return fail(`${path}.kind`, `expected "tensor", "variable", "literal", "list" or "dict", received ${JSON.stringify(kind)}`);
  }
}

/** Rebuilds a result structure with the graph's (symbolic) output tensors at the tensor leaves. */
export function loadOutput(value: unknown, outputs: readonly Tensor[], path: string, depth: number): unknown {
  if (depth > MAX_NESTING) fail(path, `result nested more than ${MAX_NESTING} levels deep`);
  const record = readRecord(value, path);
  const kind = readField(record, "kind", path);
  if (kind === "tensor") {
    const index = readField(record, "index", path);
    const tensor = typeof index === "number" && Number.isInteger(index) ? outputs[index] : undefined;
    if (tensor === undefined)
      fail(`${path}.index`, `expected the index of one of the graph's ${outputs.length} output(s), received ${JSON.stringify(index)}`);
    return tensor;
  }
  if (kind === "literal") return loadLiteral(record, path);
  if (kind === "list")
    return readArray(readField(record, "items", path), `${path}.items`).map((v, i) =>
      loadOutput(v, outputs, `${path}.items[${i}]`, depth + 1),
    );
  if (kind === "dict") {
    const keys = loadKeys(record, path);
    const values = readArray(readField(record, "values", path), `${path}.values`);
    if (values.length !== keys.length) fail(`${path}.values`, `expected ${keys.length} values, one per key`);
    const byKey = new Map(keys.map((k, i) => [k, loadOutput(values[i], outputs, `${path}.values[${i}]`, depth + 1)]));
    return Object.fromEntries(loadOrder(record, keys, path).map((k) => [k, byKey.get(k)]));
  }
  return fail(`${path}.kind`, `expected "tensor", "literal", "list" or "dict", received ${JSON.stringify(kind)}`);
}

/** Checks the parameters line up with the graph's inputs (so the graph only ever sees what it was traced for). */
export function checkParams(params: readonly TypeNode[], inputs: readonly OpOutput[], path: string): { dims: Shape[]; used: number } {
  const dims: Shape[] = [];
  let next = 0;
  let aliases = 0;
  const expect = (resource: boolean, dtype: DType, shape: Shape, where: string) => {
    const input = inputs[next++];
    const same =
      input !== undefined &&
      isResource(input) === resource &&
      input.dtype === dtype &&
      input.shape.length === shape.length &&
      input.shape.every((d, i) => d === shape[i]);
    if (!same) fail(where, `does not match the graph's input ${next - 1}`);
  };
  const visit = (node: TypeNode, where: string): void => {
    if (node.kind === "tensor") {
      expect(false, node.dtype, node.shape, where);
      dims.push(node.shape);
    } else if (node.kind === "variable") {
      // A variable passed twice is one input: only its first use (a new alias) takes an input.
      if (node.alias > aliases) fail(`${where}.alias`, `variable aliases must count up from 0 in order of first use`);
      if (node.alias === aliases) {
        aliases++;
        expect(true, node.dtype, node.shape, where);
      }
    } else if (node.kind === "list") node.items.forEach((item, i) => visit(item, `${where}.items[${i}]`));
    else if (node.kind === "dict") node.values.forEach((v, i) => visit(v, `${where}.values[${i}]`));
  };
  params.forEach((p, i) => visit(p, `${path}.params[${i}]`));
  return { dims, used: next };
}
