import type { DType } from "../base/dtype.js";
import type { Shape } from "../base/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { TensorSpec } from "./tensor_spec.js";
import { Variable } from "./variable.js";

/** The type of one argument, as the cache sees it (SPEC C1-C5). */
export type TypeNode =
  | { readonly kind: "tensor"; readonly dtype: DType; readonly shape: Shape; readonly name?: string | undefined }
  | { readonly kind: "variable"; readonly dtype: DType; readonly shape: Shape; readonly trainable: boolean; readonly alias: number }
  | { readonly kind: "literal"; readonly value: unknown }
  | { readonly kind: "list"; readonly items: readonly TypeNode[] }
  | { readonly kind: "dict"; readonly keys: readonly string[]; readonly values: readonly TypeNode[] }
  | { readonly kind: "ref"; readonly ref: WeakRef<object>; readonly id: number };

/**
 * The encoded type of a whole call: the argument types plus the keys the cache uses.
 * `key` identifies the exact type; `relaxKey` is the same with tensor dimensions erased, so
 * calls that differ only in dimension sizes share it; `dims` are the tensor leaves' shapes.
 */
export interface FunctionType {
  readonly params: readonly TypeNode[];
  readonly key: string;
  readonly relaxKey: string;
  readonly dims: readonly Shape[];
  /** Tensors and variables in canonical (depth-first, sorted-key) order: what a call passes. */
  readonly flat: readonly (Tensor | Variable | TensorSpec)[];
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;

function idOf(value: object): number {
  let id = objectIds.get(value);
  if (id === undefined) objectIds.set(value, (id = nextObjectId++));
  return id;
}

function literalKey(value: unknown): string {
  switch (typeof value) {
    case "number":
      return Object.is(value, -0) ? "n-0" : `n${value}`;
    case "string":
      return `s${value.length}:${value}`;
    case "boolean":
      return value ? "T" : "F";
    case "bigint":
      return `b${value}`;
    case "undefined":
      return "U";
    default:
      return "N";
  }
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The one canonical encoder for cache keys. Tensors and specs key by dtype and shape;
 * JS primitives by value (`Object.is`); arrays by length and items; plain objects by their
 * sorted keys and values; variables by dtype, shape, trainability and aliasing; any other
 * object or function by identity, held weakly. Keys are built here, never with
 * JSON.stringify.
 *
 * ```ts
 * encodeArgs([tf.ones([2]), 3], "f").key; // "[Tfloat32(2),n3]"
 * ```
 */
export function encodeArgs(args: readonly unknown[], fnName: string, paramNames: readonly string[] = []): FunctionType {
  if (args.every((a) => a instanceof Tensor)) return encodeTensors(args as readonly Tensor[]);
  const dims: Shape[] = [];
  const flat: (Tensor | Variable | TensorSpec)[] = [];
  const aliases = new Map<Variable, number>();
  let key = "";
  let relaxKey = "";
  const emit = (exact: string, relaxed = exact): void => {
    key += exact;
    relaxKey += relaxed;
  };
  const encode = (value: unknown, path: string): TypeNode => {
    if (value instanceof Tensor || value instanceof TensorSpec) {
      const shape = value.shape;
      dims.push(shape);
      flat.push(value);
      emit(`T${value.dtype}(${shape.map((d) => (d === null ? "?" : d)).join(",")})`, `T${value.dtype}r${shape.length}`);
      return { kind: "tensor", dtype: value.dtype, shape, ...(value instanceof TensorSpec && value.name !== undefined ? { name: value.name } : {}) };
    }
    if (value instanceof Variable) {
      let alias = aliases.get(value);
      if (alias === undefined) {
        aliases.set(value, (alias = aliases.size));
        flat.push(value);
      }
      emit(`V${value.dtype}(${value.shape.join(",")})${value.trainable ? "t" : "f"}#${alias}`);
      return { kind: "variable", dtype: value.dtype, shape: value.shape, trainable: value.trainable, alias };
    }
    if (value === null || (typeof value !== "object" && typeof value !== "function" && typeof value !== "symbol")) {
      emit(literalKey(value));
      return { kind: "literal", value };
    }
    if (typeof value === "symbol" || value instanceof WeakRef || value instanceof WeakMap || value instanceof WeakSet) {
      const what = typeof value === "symbol" ? `the symbol ${String(value)}` : `a ${value.constructor.name}`;
      throw new TypeError(
        `${fnName}: argument '${path}' is ${what}, which cannot be part of a tf.function cache key; pass tensors, JS primitives, arrays or plain objects of them, or other objects (keyed by identity)`,
      );
    }
    if (Array.isArray(value)) {
      emit("[");
      const items = value.map((item, i) => {
        if (i > 0) emit(",");
        return encode(item, `${path}[${i}]`);
      });
      emit("]");
      return { kind: "list", items };
    }
    if (typeof value === "object" && isPlainObject(value)) {
      const keys = Object.keys(value).sort();
      emit("{");
      const values = keys.map((k, i) => {
        emit(`${i > 0 ? "," : ""}${literalKey(k)}:`);
        return encode(value[k], `${path}.${k}`);
      });
      emit("}");
      return { kind: "dict", keys, values };
    }
    const id = idOf(value);
    emit(`R${id}`);
    return { kind: "ref", ref: new WeakRef(value), id };
  };
  emit("(");
  const params = args.map((arg, i) => {
    if (i > 0) emit(";");
    return encode(arg, paramNames[i] ?? `args_${i}`);
  });
  emit(")");
  return { params, key, relaxKey, dims, flat };
}

/** The common case, all arguments tensors: the same keys as `encodeArgs`, built without closures. */
function encodeTensors(args: readonly Tensor[]): FunctionType {
  let key = "(";
  let relaxKey = "(";
  const params: TypeNode[] = [];
  const dims: Shape[] = [];
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!;
    if (i > 0) {
      key += ";";
      relaxKey += ";";
    }
    let shapeText = "";
    for (let j = 0; j < t.shape.length; j++) shapeText += (j > 0 ? "," : "") + (t.shape[j] === null ? "?" : t.shape[j]);
    key += `T${t.dtype}(${shapeText})`;
    relaxKey += `T${t.dtype}r${t.shape.length}`;
    params.push({ kind: "tensor", dtype: t.dtype, shape: t.shape });
    dims.push(t.shape);
  }
  return { params, key: `${key})`, relaxKey: `${relaxKey})`, dims, flat: args };
}

/** True when an entry traced for `entry` dims accepts a call with `call` dims (same relaxKey assumed). */
export function acceptsDims(entry: readonly Shape[], call: readonly Shape[]): boolean {
  for (let i = 0; i < entry.length; i++) {
    const e = entry[i]!;
    const c = call[i]!;
    for (let j = 0; j < e.length; j++) if (e[j] !== null && e[j] !== c[j]) return false;
  }
  return true;
}

/** Known dims count: the more, the more specific an entry is. */
export function specificity(dims: readonly Shape[]): number {
  let n = 0;
  for (const shape of dims) for (const d of shape) if (d !== null) n++;
  return n;
}

/** The most specific dims accepting both: dimensions that differ become `null` (SPEC D1). */
export function relaxDims(a: readonly Shape[], b: readonly Shape[]): Shape[] {
  return a.map((shape, i) => shape.map((d, j) => (d === b[i]![j] ? d : null)));
}

/** True if any object held weakly by this type was garbage-collected (the entry can never match again). */
export function hasDeadRef(params: readonly TypeNode[]): boolean {
  const dead = (node: TypeNode): boolean => {
    switch (node.kind) {
      case "ref":
        return node.ref.deref() === undefined;
      case "list":
        return node.items.some(dead);
      case "dict":
        return node.values.some(dead);
      default:
        return false;
    }
  };
  return params.some(dead);
}
