/**
 * Gradient rules of the reductions in reduction.ts (TensorFlow's rules). They are written
 * with public ops, so the same rule runs eagerly or emits graph nodes while tracing, where
 * dims may be unknown (`null`): every rule keeps working then, falling back to ops that
 * follow the runtime shape (`onesLike(x)`) where a static shape is not available.
 *
 * Only float32 inputs get gradients; reductions of int32 and bool inputs give `null`, like
 * TF, which has no gradients for integer tensors.
 */

import { isConcrete, normalizeAxes, type Shape } from "../base/shape.js";
import type { GradArgs } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";
import { div, equal, mul } from "./binary.js";
import { onesLike } from "./creation.js";
import { type CumsumAttrs, cumsum, prod, type ReductionAttrs, sum } from "./reduction.js";
import { cast, where } from "./selection.js";
import { broadcastTo, expandDims, reshape } from "./shape_ops.js";

type ReductionGradArgs = GradArgs<ReductionAttrs, Tensor>;

/** The reduced axes, in `[0, rank)` and sorted (attrs from a loaded graph may not be canonical). */
function reducedAxes(x: Tensor, attrs: ReductionAttrs): number[] {
  return normalizeAxes(attrs.axis, x.rank, "gradient");
}

/**
 * Gives a reduction's output (or its gradient) back the reduced axes as size-1 dims, i.e.
 * the `keepDims: true` shape, so it broadcasts against the input.
 */
function keepReducedDims(y: Tensor, xShape: Shape, axes: readonly number[], keepDims: boolean): Tensor {
  if (keepDims || axes.length === 0) return y;
  const target = xShape.map((d, i) => (axes.includes(i) ? 1 : d));
  if (isConcrete(target)) return reshape(y, target);
  // A reshape needs the target's size; inserting the axes one by one does not.
  let out = y;
  for (const a of axes) out = expandDims(out, a);
  return out;
}

/** Broadcasts a keepDims-shaped tensor to the shape of `x` (its runtime shape when not static). */
function broadcastLike(g: Tensor, x: Tensor): Tensor {
  if (!isConcrete(x.shape)) return mul(g, onesLike(x));
  if (isConcrete(g.shape) && g.shape.every((d, i) => d === x.shape[i])) return g;
  return broadcastTo(g, x.shape);
}

/** The number of elements each output of the reduction summarizes, when it is known statically. */
function staticCount(xShape: Shape, axes: readonly number[]): number | null {
  let count = 1;
  for (const a of axes) {
    const d = xShape[a];
    if (d === null || d === undefined) return null;
    count *= d;
  }
  return count;
}

/** `Sum`: every input element gets the gradient of the sum it went into. */
export function sumGrad({ inputs: [x], dys: [dy], attrs }: ReductionGradArgs): (Tensor | null)[] {
  if (x!.dtype !== "float32" || dy === null || dy === undefined) return [null];
  const axes = reducedAxes(x!, attrs);
  return [broadcastLike(keepReducedDims(dy, x!.shape, axes, attrs.keepDims), x!)];
}

/**
 * `Mean`: the sum's gradient divided by the number of elements averaged. When a reduced
 * dim is unknown while tracing, the count is taken from the runtime shape (a sum of ones).
 */
export function meanGrad({ inputs: [x], dys: [dy], attrs }: ReductionGradArgs): (Tensor | null)[] {
  if (x!.dtype !== "float32" || dy === null || dy === undefined) return [null];
  const axes = reducedAxes(x!, attrs);
  const dyKept = keepReducedDims(dy, x!.shape, axes, attrs.keepDims);
  const count = staticCount(x!.shape, axes);
  if (count !== null) return [broadcastLike(div(dyKept, count), x!)];
  const ones = onesLike(x!);
  return [mul(ones, div(dyKept, sum(ones, axes, true)))];
}

/**
 * `Max` and `Min`: the gradient goes to the elements equal to the result, split evenly
 * among ties (TF's rule; tfjs gives each tie the whole gradient). A NaN result gives NaN
 * gradients to its group, as in TF.
 */
export function extremumGrad({ inputs: [x], outputs: [y], dys: [dy], attrs }: ReductionGradArgs): (Tensor | null)[] {
  if (x!.dtype !== "float32" || dy === null || dy === undefined) return [null];
  const axes = reducedAxes(x!, attrs);
  const yKept = keepReducedDims(y!, x!.shape, axes, attrs.keepDims);
  const dyKept = keepReducedDims(dy, x!.shape, axes, attrs.keepDims);
  const indicators = cast(equal(x!, yKept), "float32");
  const ties = sum(indicators, axes, true);
  return [mul(indicators, div(dyKept, ties))];
}

/**
 * `Prod`: each element gets the product of the others in its group. Dividing the product
 * by the element would give 0/0 at zeros, so zeros are counted: with no zero in the group
 * an element gets `prod / x`; with exactly one zero, only the zero gets a gradient (the
 * product of the rest); with two or more, every gradient is 0. TF reaches the same values
 * with exclusive cumulative products; the division here loses a few ulps instead and can
 * over- or underflow where the full product does but the product of the others would not.
 */
export function prodGrad({ inputs: [x], dys: [dy], attrs }: ReductionGradArgs): (Tensor | null)[] {
  if (x!.dtype !== "float32" || dy === null || dy === undefined) return [null];
  const axes = reducedAxes(x!, attrs);
  const dyKept = keepReducedDims(dy, x!.shape, axes, attrs.keepDims);
  const isZero = equal(x!, 0);
  const zeros = sum(cast(isZero, "float32"), axes, true);
  const safe = where(isZero, 1, x!);
  const nonZeroProduct = prod(safe, axes, true);
  const atZero = where(equal(zeros, 1), nonZeroProduct, 0);
  const elsewhere = div(where(equal(zeros, 0), nonZeroProduct, 0), safe);
  return [mul(where(isZero, atZero, elsewhere), dyKept)];
}

/**
 * `Cumsum`: each input element went into every later running sum (earlier ones with
 * `reverse`), so its gradient is the running sum of `dy` in the other direction, with the
 * same `exclusive` flag.
 */
export function cumsumGrad({ inputs: [x], dys: [dy], attrs }: GradArgs<CumsumAttrs, Tensor>): (Tensor | null)[] {
  if (x!.dtype !== "float32" || dy === null || dy === undefined) return [null];
  return [cumsum(dy, attrs.axis, attrs.exclusive, !attrs.reverse)];
}
