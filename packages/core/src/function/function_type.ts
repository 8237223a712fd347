import type { DType } from "../base/dtype.js";
import { isPlainObject } from "../base/plain_object.js";
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
  /** `keys` sorted (what the key sees); `order` the caller's key order (what the function sees, SPEC C3). */
  | { readonly kind: "dict"; readonly keys: readonly string[]; readonly values: readonly TypeNode[]; readonly order: readonly string[] }
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

/** `Tfloat32(2,?)`: a tensor leaf of an exact key (`?` is a relaxed, unknown dimension). */
function tensorKey(dtype: DType, shape: Shape): string {
  let text = "";
  for (let j = 0; j < shape.length; j++) text += (j > 0 ? "," : "") + (shape[j] === null ? "?" : shape[j]);
  return `T${dtype}(${text})`;
}

/** `Tfloat32r2`: a tensor leaf of a relax key (dimension sizes erased, rank kept). */
function tensorRelaxKey(dtype: DType, rank: number): string {
  return `T${dtype}r${rank}`;
}

/**
 * The one key function: renders argument types as text, the tensor leaves with `dims` (in
 * flat order; the call's, or an entry's relaxed ones) or, with `dims` omitted, with their
 * sizes erased (the relax key). Keys are built from TypeNodes only, never by rewriting
 * another key's text, so no JS value (a string, an object key) can be mistaken for a tensor.
 *
 * ```ts
 * typeKey(type.params, [[null]]); // "(Tfloat32(?);s1:a)"
 * ```
 */
export function typeKey(params: readonly TypeNode[], dims?: readonly Shape[]): string {
  let leaf = 0;
  const render = (node: TypeNode): string => {
    switch (node.kind) {
      case "tensor": {
        const shape = dims === undefined ? node.shape : dims[leaf++]!;
        return dims === undefined ? tensorRelaxKey(node.dtype, shape.length) : tensorKey(node.dtype, shape);
      }
      case "variable":
        return `V${node.dtype}(${node.shape.join(",")})${node.trainable ? "t" : "f"}#${node.alias}`;
      case "literal":
        return literalKey(node.value);
      case "ref":
        return `R${node.id}`;
      case "list":
        return `[${node.items.map(render).join(",")}]`;
      case "dict":
        return `{${node.keys.map((k, i) => `${literalKey(k)}:${render(node.values[i]!)}`).join(",")}}`;
    }
  };
  return `(${params.map(render).join(";")})`;
}

/** Options of `encodeArgs`. */
export interface EncodeOptions {
  /**
   * Whether TensorSpecs may stand for tensors (`getConcreteFunction`, signatures). A call
   * must pass real tensors: a spec there is a TypeError naming where it was found.
   */
  readonly allowSpecs?: boolean;
}

/**
 * The one canonical encoder for cache keys. Tensors and specs key by dtype and shape;
 * JS primitives by value (`Object.is`); arrays by length and items; plain objects by their
 * sorted keys and values; variables by dtype, shape, trainability and aliasing; any other
 * object or function by identity, held weakly. The keys themselves come from `typeKey`.
 * A circular array or object is a TypeError naming the path that refers back.
 *
 * ```ts
 * encodeArgs([tf.ones([2]), 3], "f").key; // "(Tfloat32(2);n3)"
 * ```
 */
export function encodeArgs(
  args: readonly unknown[],
  fnName: string,
  paramNames: readonly string[] = [],
  options: EncodeOptions = {},
): FunctionType {
  if (args.every((a) => a instanceof Tensor)) return encodeTensors(args as readonly Tensor[]);
  const allowSpecs = options.allowSpecs ?? true;
  const dims: Shape[] = [];
  const flat: (Tensor | Variable | TensorSpec)[] = [];
  const aliases = new Map<Variable, number>();
  // The arrays and objects being encoded, with their paths: meeting one again is a cycle.
  const open = new Map<object, string>();
  const fail = (path: string, why: string): never => {
    throw new TypeError(`${fnName}: argument '${path}' ${why}`);
  };
  const encode = (value: unknown, path: string): TypeNode => {
    if (value instanceof Tensor || value instanceof TensorSpec) {
      if (!allowSpecs && value instanceof TensorSpec) {
        fail(
          path,
          `is a TensorSpec (${value.toString()}); a call needs real tensors. TensorSpecs describe inputs for getConcreteFunction(...specs), which traces without running`,
        );
      }
      dims.push(value.shape);
      flat.push(value);
      return {
        kind: "tensor",
        dtype: value.dtype,
        shape: value.shape,
        ...(value instanceof TensorSpec && value.name !== undefined ? { name: value.name } : {}),
      };
    }
    if (value instanceof Variable) {
      let alias = aliases.get(value);
      if (alias === undefined) {
        aliases.set(value, (alias = aliases.size));
        flat.push(value);
      }
      return { kind: "variable", dtype: value.dtype, shape: value.shape, trainable: value.trainable, alias };
    }
    if (value === null || (typeof value !== "object" && typeof value !== "function" && typeof value !== "symbol")) {
      return { kind: "literal", value };
    }
    if (typeof value === "symbol" || value instanceof WeakRef || value instanceof WeakMap || value instanceof WeakSet) {
      const what = typeof value === "symbol" ? `the symbol ${String(value)}` : `a ${value.constructor.name}`;
      fail(
        path,
        `is ${what}, which cannot be part of a tf.function cache key; pass tensors, JS primitives, arrays or plain objects of them, or other objects (keyed by identity)`,
      );
    }
    const structured = Array.isArray(value) || (typeof value === "object" && isPlainObject(value));
    if (!structured) {
      const id = idOf(value as object);
      return { kind: "ref", ref: new WeakRef(value as object), id };
    }
    const outer = open.get(value as object);
    if (outer !== undefined) {
      fail(
        path,
        `refers back to '${outer}' (a circular structure), which cannot be part of a tf.function cache key; pass an acyclic array or object, or wrap it in a class instance (keyed by identity)`,
      );
    }
    open.set(value as object, path);
    try {
      if (Array.isArray(value)) return { kind: "list", items: value.map((item, i) => encode(item, `${path}[${i}]`)) };
      const record = value as Record<string, unknown>;
      const order = Object.keys(record);
      const keys = [...order].sort();
      return { kind: "dict", keys, values: keys.map((k) => encode(record[k], `${path}.${k}`)), order };
    } finally {
      open.delete(value as object);
    }
  };
  const params = args.map((arg, i) => encode(arg, paramNames[i] ?? `args_${i}`));
  return { params, key: typeKey(params, dims), relaxKey: typeKey(params), dims, flat };
}

/** The common case, all arguments tensors: the same keys as `typeKey`, built in one loop. */
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
    key += tensorKey(t.dtype, t.shape);
    relaxKey += tensorRelaxKey(t.dtype, t.shape.length);
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
