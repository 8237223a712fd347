import { type Shape, shapesEqual } from "../base/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { add, equal, floorDiv, greaterEqual, less, logicalAnd, mod, mul, sub } from "./binary.js";
import { onesLike, range, zerosLike } from "./creation.js";
import { gather } from "./gather.js";
import { cumsum, sum } from "./reduction.js";
import { cast, where } from "./selection.js";
import { pad, reshape } from "./shape_ops.js";
import { stridedSlice } from "./slicing.js";
import type { StridedSliceEntry } from "./strided_slice_spec.js";

// Helpers shared by the movement ops' gradient rules. The rules must also run while tracing
// with relaxed shapes, where some input dims are unknown (`null`). Where a rule needs a
// whole run-time shape it can pass `tf.shape(x)` to a shape-taking op (see tileGrad); where
// it needs the extent of one axis as indices it derives it from the input tensor itself: `axisRange(x, axis)` is the int32 vector 0..d-1 built from x's own elements
// (a reduction over the other axes plus a cumsum), and a `gather` with indices computed from
// it produces a tensor whose size along that axis is x's, known or not. Eagerly every shape is
// known and the rules take their plain static paths; these run-time paths cost a few
// elementwise passes more and only run where a traced shape leaves no static choice.

/** Only float32 tensors carry gradients (like TF): int32 and bool inputs get `null`. */
export function carriesGradient(x: Tensor): boolean {
  return x.dtype === "float32";
}

/**
 * A `reshape` target equal to `shape`: the shape itself when every dim is known, with `-1`
 * for the only unknown dim (when the known dims multiply to a non-zero size, so reshape
 * can infer it), else `undefined` (no static reshape can produce it).
 *
 * ```ts
 * staticReshapeTarget([null, 3]); // [-1, 3]
 * staticReshapeTarget([null, null]); // undefined
 * ```
 */
export function staticReshapeTarget(shape: Shape): number[] | undefined {
  const unknown = shape.filter((d) => d === null).length;
  if (unknown === 0) return shape as number[];
  if (unknown > 1 || shape.includes(0)) return undefined;
  return shape.map((d) => d ?? -1);
}

/**
 * The int32 vector `0, 1, ..., d - 1` where `d = x.shape[axis]`: a constant when `d` is
 * known, otherwise computed from `x` so its length is x's at run time.
 */
export function axisRange(x: Tensor, axis: number): Tensor {
  const dim = x.shape[axis];
  if (dim !== null && dim !== undefined) return range(0, dim, 1, "int32");
  const others = x.shape.map((_, i) => i).filter((i) => i !== axis);
  // Zeros summed over the other axes keep exactly one element per index along `axis`,
  // even when another axis is empty at run time.
  const line = others.length === 0 ? zerosLike(x) : sum(zerosLike(x), others);
  return cumsum(onesLike(cast(line, "int32")), 0, true);
}

/** The length of a 1-D tensor: a number when known, else an int32 scalar computed at run time. */
export function lengthOf(vector: Tensor): number | Tensor {
  return vector.shape[0] ?? sum(onesLike(vector));
}

/** A product of sizes: plain arithmetic while both are known, an int32 op otherwise. */
function times(a: number | Tensor, b: number | Tensor): number | Tensor {
  return typeof a === "number" && typeof b === "number" ? a * b : mul(a, b);
}

/**
 * Reshapes a gradient back to the shape of the input `x`. With at most one unknown dim this
 * is a plain `reshape`; otherwise each element of `x` gathers its row-major position from
 * the flattened `dy`, the position being built from x's run-time dims (`axisRange`).
 */
export function reshapeToInput(dy: Tensor, x: Tensor): Tensor {
  if (shapesEqual(dy.shape, x.shape)) return dy;
  const target = staticReshapeTarget(x.shape);
  if (target !== undefined) return reshape(dy, target);
  let position: Tensor | undefined;
  let stride: number | Tensor = 1;
  for (let axis = x.rank - 1; axis >= 0; axis--) {
    const along = axisRange(x, axis);
    // Shaped [1, .., d, .., 1] so the per-axis terms broadcast to x's full shape.
    const term = mul(
      reshape(
        along,
        x.shape.map((_, i) => (i === axis ? -1 : 1)),
      ),
      stride,
    );
    position = position === undefined ? term : add(term, position);
    stride = times(stride, lengthOf(along));
  }
  return gather(reshape(dy, [-1]), position ?? 0, 0);
}

/**
 * Moves the slices of `g` along `axis` back to the positions of x's axis they were read from
 * by a strided read `entry` (one dense StridedSlice entry; begin/end resolved at run time,
 * so `axis` may be unknown while tracing), and fills every other position with zeros.
 *
 * The forward read is replayed on `axisRange(x, axis)` to learn, at run time, the first
 * position read and how many were read; position `c` then takes slice `(c - first) /
 * stride` of `g` when that is a whole number in range, else the zero slice appended to `g`.
 */
export function placeAlongAxis(g: Tensor, x: Tensor, axis: number, entry: StridedSliceEntry): Tensor {
  const positions = axisRange(x, axis);
  const read = entry.shrink
    ? // A single index: one element at `begin` (`-1` reads to the end, hence the end mask).
      stridedSlice(positions, [entry.begin], [entry.begin + 1], [1], 0, entry.begin === -1 ? 1 : 0)
    : stridedSlice(positions, [entry.begin], [entry.end], [entry.stride], entry.beginMasked ? 1 : 0, entry.endMasked ? 1 : 0);
  const count = lengthOf(read);
  // The first position read; 0 when nothing was read (then every position takes the zeros).
  const first = sum(stridedSlice(read, [0], [1], [1]));
  const step = entry.shrink ? 1 : Math.abs(entry.stride);
  const offset = entry.shrink || entry.stride > 0 ? sub(positions, first) : sub(first, positions);
  const slot = step === 1 ? offset : floorDiv(offset, step);
  let valid = logicalAnd(greaterEqual(offset, 0), less(slot, count));
  if (step > 1) valid = logicalAnd(valid, equal(mod(offset, step), 0));
  return gather(padAxis(g, axis, 0, 1), where(valid, slot, count), axis);
}

/** Pads one axis of `g` with zeros: `before` slices in front, `after` behind. */
export function padAxis(g: Tensor, axis: number, before: number, after: number): Tensor {
  return pad(
    g,
    g.shape.map((_, i) => (i === axis ? ([before, after] as const) : ([0, 0] as const))),
  );
}

/**
 * For a known axis of length `dim` read at `begin, begin + stride, ...` (`count` reads): the
 * int32 index vector that sends each position back to its read, or to `count` (the zero
 * slice `padAxis` appends) when it was not read. Used for strides other than +-1.
 */
export function stridedPlacement(dim: number, begin: number, stride: number, count: number): Int32Array {
  const index = new Int32Array(dim);
  const step = Math.abs(stride);
  for (let c = 0; c < dim; c++) {
    const offset = stride > 0 ? c - begin : begin - c;
    index[c] = offset >= 0 && offset % step === 0 && offset / step < count ? offset / step : count;
  }
  return index;
}

/**
 * Gives a gradient exactly the static shape of its input. Ops that merge their inputs'
 * shapes (concat, stack, scatterNd) can compute a gradient that knows a dim the input
 * left unknown, or vice versa; a reshape to the input's fully known shape settles the
 * second case. (The first would need the tape to accept compatible shapes.)
 */
export function matchStaticShape(g: Tensor, x: Tensor): Tensor {
  if (shapesEqual(g.shape, x.shape) || x.shape.includes(null)) return g;
  return reshape(g, x.shape as number[]);
}
