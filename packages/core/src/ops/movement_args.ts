import { ArgumentError, AxisError, DTypeError, formatShape, ShapeError } from "../base/errors.js";
import type { Shape } from "../base/shape.js";
import type { ValueInfo } from "../ir/op.js";

/**
 * Argument checks shared by the movement ops (shape ops, joining, slicing, gather). Their
 * attrs are JS arrays of integers that a user typed (or a graph file holds), so each op's
 * `infer` re-validates them here before trusting any element.
 */

/** Shows a user value in an error message without risking a huge or cyclic dump. */
export function show(value: unknown): string {
  // A tensor where a JS value is needed: say so (its value is known only when the graph runs).
  if (isTensorLike(value) || (Array.isArray(value) && value.some(isTensorLike))) {
    return "a tensor (a JS value is needed here: the op reads it when it is traced; pass JS numbers, or read an eager tensor with await t.data())";
  }
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

/**
 * Checks `value` is an array of integers, each at least `min`, and returns it.
 *
 * ```ts
 * checkIntArray([2, -1], "reshape", "shape", -1); // [2, -1]
 * ```
 */
export function checkIntArray(value: unknown, api: string, argName: string, min = Number.MIN_SAFE_INTEGER, what = "integers"): number[] {
  if (!Array.isArray(value) || !value.every((d) => Number.isInteger(d) && d >= min)) {
    throw new ArgumentError(`${api}: '${argName}' must be an array of ${what}, received ${show(value)}`);
  }
  return value as number[];
}

/**
 * Checks a target shape argument (reshape, broadcastTo, scatterNd): non-negative integers,
 * or -1 where `allowInferred`. A malformed shape is a ShapeError, as everywhere in Kiln.
 */
export function checkShapeArg(value: unknown, api: string, allowInferred = false): number[] {
  const min = allowInferred ? -1 : 0;
  if (!Array.isArray(value) || !value.every((d) => Number.isInteger(d) && d >= min)) {
    const inferHint = allowInferred ? ", use -1 for the one dimension to infer" : "";
    const hint = Array.isArray(value) && value.includes(null) ? `; null (unknown) is not allowed here${inferHint}` : "";
    throw new ShapeError(
      `${api}: 'shape' must be an array of non-negative integers${allowInferred ? " (and at most one -1)" : ""}, received ${show(value)}${hint}`,
    );
  }
  return value as number[];
}

/** True for a tensor or a variable. */
function isTensorLike(value: unknown): boolean {
  return typeof value === "object" && value !== null && "handle" in value && typeof (value as { dispose?: unknown }).dispose === "function";
}

/**
 * A shape attr that may hold `null` for dims a shape tensor only gives when the function
 * runs (see `OpDef.attrInputs`): non-negative integers or null. Anything else is a
 * ShapeError naming `api`.
 */
export function dimsOf(value: unknown, api: string): (number | null)[] {
  if (!Array.isArray(value) || !value.every((d) => d === null || (Number.isInteger(d) && d >= 0))) {
    throw new ShapeError(`${api}: expected a shape (an array of non-negative integers), received ${show(value)}`);
  }
  return value as (number | null)[];
}

/** The attr input entry for an op's shape attr given as an int32 vector tensor at input `input`. */
export function shapeInput(attr: string, input: number): { attr: string; input: number; scalar: false } {
  return { attr, input, scalar: false };
}

/** Checks a single integer attribute, at least `min`. */
export function checkInt(value: unknown, api: string, argName: string, min = Number.MIN_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || (value as number) < min) {
    const bound = min === Number.MIN_SAFE_INTEGER ? "an integer" : min === 0 ? "a non-negative integer" : `an integer >= ${min}`;
    throw new ArgumentError(`${api}: '${argName}' must be ${bound}, received ${show(value)}`);
  }
  return value as number;
}

/** Normalizes an axis that may also be `rank` (insertion points: expandDims, stack). */
export function normalizeInsertAxis(axis: unknown, rank: number, api: string): number {
  if (!Number.isInteger(axis) || (axis as number) < -rank - 1 || (axis as number) > rank) {
    throw new AxisError(
      `${api}: axis ${show(axis)} is out of range for inserting a dimension into a tensor of rank ${rank}; valid axes are ${-rank - 1}..${rank}`,
    );
  }
  return (axis as number) < 0 ? (axis as number) + rank + 1 : (axis as number);
}

/** Rejects index tensors that are not int32, naming the fix. */
export function checkIndicesDType(api: string, argName: string, info: ValueInfo): void {
  if (info.dtype !== "int32") {
    throw new DTypeError(`${api}: '${argName}' must have dtype int32, received ${info.dtype}; convert with tf.cast(${argName}, "int32")`);
  }
}

/**
 * Merges two dimensions that must agree (a `null` unknown dim takes the other's size),
 * throwing a ShapeError that names both shapes when they cannot.
 */
export function mergeDim(a: number | null, b: number | null, api: string, describe: () => string): number | null {
  if (a === null) return b;
  if (b === null || a === b) return a;
  throw new ShapeError(`${api}: ${describe()}`);
}

/** The product of a shape's known dims and whether any were unknown. */
export function knownSize(shape: Shape): { size: number; unknown: boolean } {
  let size = 1;
  let unknown = false;
  for (const d of shape) {
    if (d === null) unknown = true;
    else size *= d;
  }
  return { size, unknown };
}

/** Formats a shape with its element count, for size mismatch messages. */
export function shapeWithSize(shape: Shape): string {
  const { size, unknown } = knownSize(shape);
  return unknown ? formatShape(shape) : `${formatShape(shape)} (${size} elements)`;
}

/** Stores a JS fill value (a number or boolean) as the number `dtype` keeps, or throws. */
export function checkFillValue(value: unknown, dtype: string, api: string, argName: string): number {
  const v = typeof value === "boolean" ? (value ? 1 : 0) : value;
  if (typeof v !== "number") throw new ArgumentError(`${api}: '${argName}' must be a number or boolean, received ${show(value)}`);
  if (dtype === "int32" && !Number.isInteger(v)) {
    throw new ArgumentError(`${api}: '${argName}' is ${v}, which an int32 tensor cannot hold; pass an integer`);
  }
  if (dtype === "bool" && v !== 0 && v !== 1) {
    throw new ArgumentError(`${api}: '${argName}' is ${v}, which a bool tensor cannot hold; pass true/false or 1/0`);
  }
  return v;
}
