/**
 * `tf.util`: tfjs's small helpers that programs use next to tensors (shuffling indices for
 * batches, shape sizes, assertions). Plain JS, no tensors; randomness comes from
 * `Math.random`, as in tfjs (it is not Kiln's seeded Philox stream).
 *
 * ```ts
 * const order = tf.util.createShuffledIndices(60000); // a Uint32Array permutation
 * tf.util.sizeFromShape([2, 3]);                      // 6
 * tf.util.assert(x.rank === 2, () => `expected a matrix, received rank ${x.rank}`);
 * ```
 */
import type { DataArray } from "../base/dtype.js";
import { ArgumentError, AssertionError, formatShape } from "../base/errors.js";
import { isDimList } from "../base/shape.js";

/** Arrays `shuffle` reorders in place. */
export type Shuffleable = unknown[] | Uint32Array | Int32Array | Float32Array | Uint8Array;

/** A flat list of numbers, as arrays or typed arrays. */
export type FlatVector = ArrayLike<number>;

/** Nested arrays of any depth (`flatten`'s input). */
export type RecursiveArray<T> = readonly (T | RecursiveArray<T>)[];

function checkShape(shape: unknown, api: string): asserts shape is readonly number[] {
  if (!isDimList(shape)) {
    throw new ArgumentError(`util.${api}: shape must be an array of non-negative integers, received ${JSON.stringify(shape)}`);
  }
}

/**
 * The number of elements of a tensor of `shape` (1 for a scalar's `[]`).
 *
 * ```ts
 * tf.util.sizeFromShape([2, 3, 4]); // 24
 * ```
 */
export function sizeFromShape(shape: readonly number[]): number {
  checkShape(shape, "sizeFromShape");
  return shape.reduce((size, d) => size * d, 1);
}

/**
 * Shuffles `array` in place (Fisher–Yates with `Math.random`).
 *
 * ```ts
 * const xs = [1, 2, 3, 4]; tf.util.shuffle(xs);
 * ```
 */
export function shuffle(array: Shuffleable): void {
  checkShuffleable(array, "shuffle", "array");
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    swap(array, i, j);
  }
}

/**
 * Shuffles two arrays of the same length in place with one permutation, so pairs stay
 * together (inputs and their labels).
 *
 * ```ts
 * tf.util.shuffleCombo(images, labels);
 * ```
 */
export function shuffleCombo(array: Shuffleable, array2: Shuffleable): void {
  checkShuffleable(array, "shuffleCombo", "array");
  checkShuffleable(array2, "shuffleCombo", "array2");
  if (array.length !== array2.length) {
    throw new ArgumentError(`util.shuffleCombo: the arrays must have the same length, received ${array.length} and ${array2.length}`);
  }
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    swap(array, i, j);
    swap(array2, i, j);
  }
}

/**
 * The indices `0 .. n-1` in a random order, as a Uint32Array.
 *
 * ```ts
 * tf.util.createShuffledIndices(5); // e.g. Uint32Array [3, 0, 4, 1, 2]
 * ```
 */
export function createShuffledIndices(n: number): Uint32Array {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`util.createShuffledIndices: n must be a non-negative integer, received ${n}`);
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  shuffle(indices);
  return indices;
}

/**
 * Throws an `AssertionError` with the message (a string, or a function called only on
 * failure) when `expr` is false.
 *
 * ```ts
 * tf.util.assert(batchSize > 0, () => `batchSize must be positive, received ${batchSize}`);
 * ```
 */
export function assert(expr: boolean, msg: string | (() => string)): asserts expr {
  if (!expr) throw new AssertionError(typeof msg === "string" ? msg : msg());
}

/**
 * Throws an `AssertionError` when two shapes differ, its message starting with `prefix`.
 *
 * ```ts
 * tf.util.assertShapesMatch(a.shape, b.shape, "add: ");
 * ```
 */
export function assertShapesMatch(shapeA: readonly number[], shapeB: readonly number[], prefix = ""): void {
  assert(arraysEqual(shapeA, shapeB), () => `${prefix}shapes ${formatShape(shapeA)} and ${formatShape(shapeB)} must match`);
}

/**
 * Nested arrays flattened in order (typed arrays inside are flattened too).
 *
 * ```ts
 * tf.util.flatten([[1, 2], [3, [4]]]); // [1, 2, 3, 4]
 * ```
 */
export function flatten<T>(array: T | RecursiveArray<T>): T[] {
  const out: T[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) {
      for (const item of Array.from(value as ArrayLike<unknown>)) walk(item);
    } else out.push(value as T);
  };
  walk(array);
  return out;
}

/**
 * True when two flat lists have the same length and the same elements (`===`).
 *
 * ```ts
 * tf.util.arraysEqual([2, 3], x.shape);
 * ```
 */
export function arraysEqual(a: FlatVector, b: FlatVector): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `x` limited to `[min, max]`.
 *
 * ```ts
 * tf.util.clamp(0, 1.5, 1); // 1
 * ```
 */
export function clamp(min: number, x: number, max: number): number {
  return Math.max(min, Math.min(x, max));
}

/**
 * A random number in `[a, b)` from `Math.random`.
 *
 * ```ts
 * tf.util.randUniform(-1, 1);
 * ```
 */
export function randUniform(a: number, b: number): number {
  return a + Math.random() * (b - a);
}

/**
 * The sum of the numbers in a list.
 *
 * ```ts
 * tf.util.sum([1, 2, 3]); // 6
 * ```
 */
export function sum(values: FlatVector): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}

/**
 * The squared Euclidean distance between two lists of the same length.
 *
 * ```ts
 * tf.util.distSquared([0, 0], [3, 4]); // 25
 * ```
 */
export function distSquared(a: FlatVector, b: FlatVector): number {
  if (a.length !== b.length) throw new ArgumentError(`util.distSquared: the vectors must have the same length, received ${a.length} and ${b.length}`);
  let total = 0;
  for (let i = 0; i < a.length; i++) total += (a[i]! - b[i]!) ** 2;
  return total;
}

/**
 * Row-major strides of a shape (the last dimension's, 1, left out, as tfjs does).
 *
 * ```ts
 * tf.util.computeStrides([2, 3, 4]); // [12, 4]
 * ```
 */
export function computeStrides(shape: readonly number[]): number[] {
  checkShape(shape, "computeStrides");
  const strides: number[] = [];
  let stride = 1;
  for (let i = shape.length - 1; i > 0; i--) {
    stride *= shape[i]!;
    strides.unshift(stride);
  }
  return strides;
}

/**
 * Flat values as nested arrays of `shape`.
 *
 * ```ts
 * tf.util.toNestedArray([2, 2], [1, 2, 3, 4]); // [[1, 2], [3, 4]]
 * ```
 */
export function toNestedArray(shape: readonly number[], values: FlatVector | DataArray): unknown {
  checkShape(shape, "toNestedArray");
  const size = sizeFromShape(shape);
  if (values.length !== size) {
    throw new ArgumentError(`util.toNestedArray: shape ${formatShape(shape)} needs ${size} values, received ${values.length}`);
  }
  if (shape.length === 0) return values[0];
  let offset = 0;
  const build = (dim: number): unknown[] =>
    Array.from({ length: shape[dim]! }, () => (dim === shape.length - 1 ? values[offset++] : build(dim + 1)));
  return build(0);
}

/**
 * True for a typed array of the kinds tensors hold (Float32Array, Int32Array, Uint8Array).
 *
 * ```ts
 * tf.util.isTypedArray(t.dataSync()); // true
 * ```
 */
export function isTypedArray(value: unknown): value is Float32Array | Int32Array | Uint8Array {
  return value instanceof Float32Array || value instanceof Int32Array || value instanceof Uint8Array;
}

/**
 * Milliseconds from a monotonic clock (`performance.now()`), for timing.
 *
 * ```ts
 * const start = tf.util.now(); f(x); console.log(tf.util.now() - start, "ms");
 * ```
 */
export function now(): number {
  return performance.now();
}

function checkShuffleable(array: unknown, api: string, name: string): asserts array is Shuffleable {
  if (!Array.isArray(array) && !isTypedArray(array) && !(array instanceof Uint32Array)) {
    throw new ArgumentError(`util.${api}: '${name}' must be an array or a typed array, received ${array === null ? "null" : typeof array}`);
  }
}

function swap(array: Shuffleable, i: number, j: number): void {
  const kept = array[i]!;
  array[i] = array[j]!;
  (array as unknown[])[j] = kept;
}
