import { type DType, type DataArray, INT32_MAX, INT32_MIN, allocate, dtypeOfArray } from "../base/dtype.js";
import { ArgumentError, DTypeError, ShapeError, formatShape } from "../base/errors.js";
import { sizeOf } from "../base/shape.js";
import { MAX_RANK } from "../base/tensor_size.js";
import { Tensor } from "./tensor.js";

/**
 * Tensors an op created from a JS argument (the `1` in `x.add(1)`). The eager trace frees
 * them right after the op runs; an op's function frees them itself on the paths that never
 * reach `bind` (a rejected argument, a result known without running an op: see
 * `freeConverted` in ops/convert.ts), so converting arguments never leaks.
 */
export const ephemeralTensors = new WeakSet<Tensor>();

/** Objects that stand for a tensor (Variables) implement this to be accepted by every op. */
export const toTensorSymbol: unique symbol = Symbol.for("kiln.toTensor");

export interface TensorConvertible {
  [toTensorSymbol](): Tensor;
}

/** Nested JS arrays of numbers or booleans. */
export type NestedValues = number | boolean | readonly NestedValues[];

/** Anything an op accepts where a tensor is expected. */
export type TensorLike = Tensor | TensorConvertible | NestedValues | DataArray;

/** JS values flattened to a typed array, with their shape. */
export interface FlatValues {
  readonly values: DataArray;
  readonly shape: number[];
  readonly dtype: DType;
}

export function isTensorConvertible(value: unknown): value is TensorConvertible {
  return typeof value === "object" && value !== null && toTensorSymbol in value;
}

/** Infers the shape of nested arrays, rejecting ragged ones. */
export function inferShape(value: NestedValues | DataArray, op: string): number[] {
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level) || ArrayBuffer.isView(level)) {
    // Deeper nesting (or an array that contains itself) is not a tensor.
    if (shape.length === MAX_RANK) throw new ShapeError(`${op}: the nested array is more than ${MAX_RANK} levels deep; tensors have at most ${MAX_RANK} dimensions`);
    shape.push((level as ArrayLike<unknown>).length);
    level = (level as ArrayLike<unknown>)[0];
  }
  const check = (v: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(v) || ArrayBuffer.isView(v)) throw new ShapeError(`${op}: ragged nested array: expected a scalar at depth ${dim}, found an array; all rows must have shape ${formatShape(shape)}`);
      return;
    }
    if (!(Array.isArray(v) || ArrayBuffer.isView(v)) || (v as ArrayLike<unknown>).length !== shape[dim]) {
      throw new ShapeError(`${op}: ragged nested array: every element at depth ${dim} must have length ${shape[dim]} (inferred shape ${formatShape(shape)})`);
    }
    if (Array.isArray(v)) for (const item of v) check(item, dim + 1);
  };
  check(value, 0);
  return shape;
}

/** Converts one JS element to the stored number for `dtype`, rejecting lossy conversions. */
function storeValue(v: unknown, dtype: DType, op: string): number {
  if (typeof v === "boolean") {
    if (dtype === "float32" || dtype === "int32" || dtype === "bool") return v ? 1 : 0;
  }
  if (typeof v !== "number") {
    throw new DTypeError(`${op}: expected numbers or booleans, received ${typeof v === "object" ? (v === null ? "null" : "an object") : typeof v} (${String(v)})`);
  }
  if (dtype === "int32" && !(Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX)) {
    throw new DTypeError(
      !Number.isFinite(v)
        ? `${op}: ${v} cannot be converted to int32 (it has no integer value); use a float32 tensor`
        : Number.isInteger(v)
          ? `${op}: ${v} cannot be converted to int32: it is outside the int32 range [${INT32_MIN}, ${INT32_MAX}]; use a float32 tensor`
          : `${op}: ${v} cannot be converted to int32 without losing its fraction; use a float32 tensor or round it first`,
    );
  }
  if (dtype === "bool") return v !== 0 ? 1 : 0;
  return v;
}

/**
 * Flattens nested JS arrays (or a typed array) into a typed array of `dtype`. A missing
 * dtype is inferred: booleans give `bool`, numbers `float32`, an Int32Array `int32`.
 */
export function flattenValues(value: NestedValues | DataArray, dtype: DType | undefined, op: string): FlatValues {
  const shape = inferShape(value, op);
  const size = sizeOf(shape);
  if (ArrayBuffer.isView(value)) {
    const arrayDtype = dtypeOfArray(value);
    if (arrayDtype === undefined) throw new DTypeError(`${op}: typed array ${value.constructor.name} is not supported; use Float32Array, Int32Array or Uint8Array`);
    const target = dtype ?? arrayDtype;
    const values = allocate(target, size);
    for (let i = 0; i < size; i++) values[i] = storeValue(value[i], target, op);
    return { values, shape, dtype: target };
  }
  const flat: unknown[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const item of v) walk(item);
    else flat.push(v);
  };
  walk(value);
  const target = dtype ?? (flat.length > 0 && typeof flat[0] === "boolean" ? "bool" : "float32");
  const values = allocate(target, size);
  for (let i = 0; i < size; i++) values[i] = storeValue(flat[i], target, op);
  return { values, shape, dtype: target };
}

/** Narrows a TensorLike to a Tensor if it already is one (or a Variable). */
export function asTensor(value: unknown): Tensor | undefined {
  if (value instanceof Tensor) return value;
  if (isTensorConvertible(value)) return value[toTensorSymbol]();
  return undefined;
}

/** Throws an ArgumentError when a value is neither a tensor nor convertible to one. */
export function checkTensorLike(value: unknown, op: string, argName: string): asserts value is TensorLike {
  if (value instanceof Tensor || isTensorConvertible(value) || typeof value === "number" || typeof value === "boolean" || Array.isArray(value) || ArrayBuffer.isView(value)) {
    return;
  }
  const hint = value === null ? " (inside a tf.function, x.shape[i] is null for a dim the trace leaves unknown: use tf.shape(x) or tf.size(x) for sizes that change between calls)" : "";
  throw new ArgumentError(`${op}: argument '${argName}' must be a Tensor, a number, a boolean or a nested array, received ${value === null ? "null" : typeof value}${hint}`);
}
