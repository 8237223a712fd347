import { AxisError, ShapeError, formatShape } from "./errors.js";

/**
 * A tensor shape. Eager tensors always have concrete dimensions; a traced (symbolic)
 * tensor may have `null` for a dimension whose size is only known at run time.
 */
export type Shape = readonly (number | null)[];

/** A shape whose every dimension is known. */
export type ConcreteShape = readonly number[];

/** Number of elements of a concrete shape (1 for a scalar). */
export function sizeOf(shape: ConcreteShape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** True when every dimension is a number. */
export function isConcrete(shape: Shape): shape is ConcreteShape {
  return shape.every((d) => d !== null);
}

/** Row-major strides of a concrete shape. */
export function stridesOf(shape: ConcreteShape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i]!;
  }
  return strides;
}

/** Shapes compare equal when they have the same rank and dims (`null` equals only `null`). */
export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Normalizes a possibly negative axis into `[0, rank)`.
 *
 * ```ts
 * normalizeAxis(-1, 3, "sum"); // 2
 * ```
 */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1) || (rank === 0 && axis !== 0 && axis !== -1)) {
    throw new AxisError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}; valid axes are ${rank === 0 ? "none (scalar)" : `-${rank}..${rank - 1}`}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Normalizes a list of axes (or `undefined` for all axes), rejecting duplicates.
 * Returns them sorted ascending.
 */
export function normalizeAxes(axes: number | readonly number[] | undefined | null, rank: number, op: string): number[] {
  if (axes === undefined || axes === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : [...axes];
  const out = list.map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new AxisError(`${op}: axis ${a} is out of range for a tensor of rank ${rank}; valid axes are ${rank === 0 ? "none (scalar)" : `-${rank}..${rank - 1}`}`);
    }
    return a < 0 ? a + rank : a;
  });
  if (new Set(out).size !== out.length) {
    throw new AxisError(`${op}: axes ${JSON.stringify(list)} contain a duplicate`);
  }
  return out.sort((x, y) => x - y);
}

/**
 * NumPy broadcasting of two shapes. Unknown (`null`) dims broadcast against 1 and against
 * each other to `null`; against a known size > 1 they take that size.
 *
 * ```ts
 * broadcastShapes([2, 1, 3], [4, 3], "add"); // [2, 4, 3]
 * ```
 */
export function broadcastShapes(a: Shape, b: Shape, op: string): (number | null)[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number | null>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]!;
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]!;
    if (da === 1) out[i] = db;
    else if (db === 1) out[i] = da;
    else if (da === null) out[i] = db;
    else if (db === null) out[i] = da;
    else if (da === db) out[i] = da;
    else {
      throw new ShapeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together (dimension ${i} is ${da} vs ${db}); dimensions must be equal or one of them 1`,
      );
    }
  }
  return out;
}

/**
 * Whether `value` is an array of non-negative integers with no holes (`every` skips the
 * holes of a sparse array such as `[2, , 3]`, which would otherwise pass as a shape).
 *
 * ```ts
 * isDimList([2, 3]); // true
 * isDimList([2, , 3]); // false
 * ```
 */
export function isDimList(value: unknown): value is number[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const d: unknown = value[i];
    if (!Number.isInteger(d) || (d as number) < 0) return false;
  }
  return true;
}

/** Validates a user-given shape: an array of non-negative integers (a ShapeError naming `op` otherwise). */
export function checkShape(shape: unknown, op: string): number[] {
  if (!isDimList(shape)) {
    let shown: string;
    try {
      shown = JSON.stringify(shape);
    } catch {
      shown = "a value that is not a JS array of numbers (a tensor? pass tf.shape(x) or JS numbers)";
    }
    throw new ShapeError(`${op}: expected a shape (an array of non-negative integers), received ${shown}`);
  }
  return shape as number[];
}
