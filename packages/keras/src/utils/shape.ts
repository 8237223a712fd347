/**
 * Shape helpers shared by layers: shapes with an unknown (`null`) batch dimension, sizes and
 * readable formatting in Keras style (`(None, 28, 28, 1)`).
 *
 * ```ts
 * formatKerasShape([null, 10]); // "(None, 10)"
 * ```
 */
import { InputShapeError } from "../errors.js";

/** A shape whose dimensions may be unknown (`null`), typically the batch dimension. */
export type Shape = (number | null)[];

/** Prints a shape as Keras does: `(None, 10)`. */
export function formatKerasShape(shape: readonly (number | null)[]): string {
  const dims = shape.map((d) => (d === null ? "None" : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(", ")})`;
}

/** The product of known dimensions; throws if any is unknown. */
export function knownSize(shape: readonly (number | null)[], what: string): number {
  let size = 1;
  for (const d of shape) {
    if (d === null) throw new InputShapeError(`${what}: every dimension must be known, received shape ${formatKerasShape(shape)}`);
    size *= d;
  }
  return size;
}

/** Converts a negative axis to a positive one for a tensor of `rank`. */
export function positiveAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Whether two shapes are equal, with `null` matching only `null`. */
export function shapesEqual(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Normalizes a number or tuple argument (kernel sizes, strides) to a tuple of `n` numbers. */
export function normalizeTuple(value: number | readonly number[], n: number, name: string): number[] {
  if (typeof value === "number") return new Array<number>(n).fill(value);
  if (value.length !== n || value.some((v) => !Number.isInteger(v))) {
    throw new InputShapeError(`'${name}' must be an integer or ${n} integers, received ${JSON.stringify(value)}`);
  }
  return [...value];
}

/** Output length of a convolution or pooling window along one axis (`null` stays unknown). */
export function convOutputLength(
  length: number | null,
  filterSize: number,
  padding: "valid" | "same" | "causal",
  stride: number,
  dilation = 1,
): number | null {
  if (length === null) return null;
  const dilated = filterSize + (filterSize - 1) * (dilation - 1);
  const out = padding === "valid" ? length - dilated + 1 : length;
  return Math.floor((out + stride - 1) / stride);
}
