/**
 * Reductions (`sum`, `mean`, `max`, `min`, `prod`, `all`, `any`, `argMax`, `argMin`,
 * `logSumExp`) and the running sum `cumsum`.
 *
 * Dtype rules follow tfjs, so tfjs code ports unchanged:
 * - `sum`, `prod`, `cumsum` of int32 stay int32 and wrap around like C; of bool they count
 *   in int32.
 * - `mean` of int32 or bool is float32 (TF would divide in int32 and truncate).
 * - `max`/`min` keep the dtype, bool included; `all`/`any` take bool only.
 * - `argMax`/`argMin` return int32.
 * The ops widen the dtype themselves (as tfjs's `Mean` kernel does), which saves a cast
 * buffer; TF's own raw ops reject bool and keep int32 for `Mean`.
 *
 * Values at the edges follow TensorFlow: NaN propagates through `max`/`min`/`sum`, and
 * `argMax`/`argMin` point at the first NaN (as NumPy and PyTorch; tfjs skips NaN). An empty
 * reduction gives the identity: sum 0, prod 1, max -Infinity (int32: -2^31), min +Infinity
 * (int32: 2^31-1), all true, any false, mean NaN (0/0); tfjs gives NaN or 0 for some of
 * these. `argMax` over an empty axis has no answer and throws.
 *
 * Gradients follow TF (rules in reduction_grads.ts): `max`/`min` split the gradient among
 * ties, `prod` handles zeros, `cumsum` runs the other way; `all`, `any`, `argMax` and
 * `argMin` are non-differentiable, and int32/bool inputs get no gradient.
 */

import type { DType } from "../base/dtype.js";
import { ArgumentError, AxisError, formatShape } from "../base/errors.js";
import { normalizeAxes, type Shape } from "../base/shape.js";
import { defineOp, type OpDef } from "../ir/op.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { add, maximum, minimum, sub } from "./binary.js";
import { composite } from "./composite.js";
import { checkConverted, toTensor } from "./convert.js";
import { ALL, BOOL, checkInputDType, FLOAT } from "./define_elementwise.js";
import { cumsumGrad, extremumGrad, meanGrad, prodGrad, sumGrad } from "./reduction_grads.js";
import { stopGradient } from "./stop_gradient.js";
import { exp, log } from "./unary.js";

/** An axis argument: one axis, several, or `null`/`undefined` for all of them. */
export type Axis = number | readonly number[] | null | undefined;

/** Attributes of every axis reduction: the axes (normalized, sorted) and whether to keep them as size 1. */
export type ReductionAttrs = { readonly axis: readonly number[]; readonly keepDims: boolean };

/** Output shape of reducing `shape` over `axes` (already normalized). Unknown dims stay unknown. */
function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): (number | null)[] {
  const reduced = new Set(axes);
  if (keepDims) return shape.map((d, i) => (reduced.has(i) ? 1 : d));
  return shape.filter((_, i) => !reduced.has(i));
}

function checkBoolean(value: unknown, api: string, argName: string): boolean {
  if (typeof value !== "boolean") {
    throw new ArgumentError(`${api}: '${argName}' must be a boolean, received ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

/** Output dtype of an op for an input dtype. */
type DTypeRule = (input: DType) => DType;
const sameDType: DTypeRule = (d) => d;
/** Counting and multiplying booleans happens in int32 (tfjs). */
const boolToInt: DTypeRule = (d) => (d === "bool" ? "int32" : d);

/** How a reduction differentiates: a gradient rule, or marked as having none. */
type Differentiation = Pick<OpDef<ReductionAttrs>, "grad">;

/**
 * Declares a reduction op over the `axis` attr; `outDType` maps the input dtype to the
 * output's. The rules themselves live in reduction_grads.ts.
 */
function defineReduction(name: string, api: string, dtypes: readonly DType[], outDType: DTypeRule, differentiation: Differentiation) {
  return defineOp<ReductionAttrs>({
    name,
    api,
    family: "reduction",
    inputs: ["x"],
    ...differentiation,
    infer: ([x], { axis, keepDims }) => {
      checkInputDType(api, "x", x!, dtypes);
      if (!Array.isArray(axis))
        throw new AxisError(`${api}: the axis attribute must be a list of integers, received ${JSON.stringify(axis)}`);
      const axes = normalizeAxes(axis, x!.shape.length, api);
      return [{ shape: reducedShape(x!.shape, axes, checkBoolean(keepDims, api, "keepDims")), dtype: outDType(x!.dtype) }];
    },
  });
}

/** `Sum`: adds over the axes. int32 wraps around; bool counts in int32. */
export const Sum = defineReduction("Sum", "sum", ALL, boolToInt, { grad: (args) => sumGrad(args) });
/** `Mean`: the mean over the axes, always float32. */
export const Mean = defineReduction("Mean", "mean", ALL, () => "float32", { grad: (args) => meanGrad(args) });
/** `Max`: the largest value; NaN wins. */
export const Max = defineReduction("Max", "max", ALL, sameDType, { grad: (args) => extremumGrad(args) });
/** `Min`: the smallest value; NaN wins. */
export const Min = defineReduction("Min", "min", ALL, sameDType, { grad: (args) => extremumGrad(args) });
/** `Prod`: multiplies over the axes. int32 wraps around; bool multiplies in int32. */
export const Prod = defineReduction("Prod", "prod", ALL, boolToInt, { grad: (args) => prodGrad(args) });
/** `All`: logical and over the axes. */
export const All = defineReduction("All", "all", BOOL, sameDType, { grad: "none" });
/** `Any`: logical or over the axes. */
export const Any = defineReduction("Any", "any", BOOL, sameDType, { grad: "none" });

/** Normalizes a user's axis argument into the canonical attrs (so `-1` and `rank-1` give the same graph node). */
function reductionAttrs(x: Tensor, axis: Axis, keepDims: boolean, api: string): ReductionAttrs {
  if (axis !== null && axis !== undefined && typeof axis !== "number" && !Array.isArray(axis)) {
    throw new AxisError(
      `${api}: axis must be an integer, an array of integers, or null for all axes; received ${JSON.stringify(axis) ?? String(axis)}`,
    );
  }
  return { axis: normalizeAxes(axis, x.rank, api), keepDims: checkBoolean(keepDims, api, "keepDims") };
}

function reduce(op: typeof Sum, x: Tensor, axis: Axis, keepDims: boolean): Tensor {
  return bind1(op, [x], checkConverted(x, () => reductionAttrs(x, axis, keepDims, op.api)));
}

/**
 * Sums the elements over `axis` (all axes when omitted). int32 sums wrap around; bool
 * counts the `true`s in int32. The sum over no elements is 0.
 *
 * ```ts
 * tf.sum(tf.tensor([[1, 2], [3, 4]]), 1); // [3, 7]
 * ```
 */
export function sum(x: TensorLike, axis: Axis = null, keepDims = false): Tensor {
  return reduce(Sum, toTensor(x, "sum", "x"), axis, keepDims);
}

/**
 * The mean over `axis` (all axes when omitted). int32 and bool inputs give float32 (as in
 * tfjs). The mean of no elements is NaN.
 *
 * ```ts
 * tf.mean(tf.tensor([[1, 2], [3, 4]]), 0); // [2, 3]
 * ```
 */
export function mean(x: TensorLike, axis: Axis = null, keepDims = false): Tensor {
  return reduce(Mean, toTensor(x, "mean", "x"), axis, keepDims);
}

/**
 * The largest element over `axis` (all axes when omitted). NaN propagates; the max of no
 * elements is -Infinity (int32: -2147483648).
 *
 * ```ts
 * tf.max(tf.tensor([[1, 5], [3, 4]]), 1); // [5, 4]
 * ```
 */
export function max(x: TensorLike, axis: Axis = null, keepDims = false): Tensor {
  return reduce(Max, toTensor(x, "max", "x"), axis, keepDims);
}

/**
 * The smallest element over `axis` (all axes when omitted). NaN propagates; the min of no
 * elements is +Infinity (int32: 2147483647).
 *
 * ```ts
 * tf.min(tf.tensor([[1, 5], [3, 4]]), 1); // [1, 3]
 * ```
 */
export function min(x: TensorLike, axis: Axis = null, keepDims = false): Tensor {
  return reduce(Min, toTensor(x, "min", "x"), axis, keepDims);
}

/**
 * The product over `axis` (all axes when omitted). int32 wraps around; bool gives int32.
 * The product of no elements is 1.
 *
 * ```ts
 * tf.prod(tf.tensor([[1, 2], [3, 4]]), 1); // [2, 12]
 * ```
 */
export function prod(x: TensorLike, axis: Axis = null, keepDims = false): Tensor {
  return reduce(Prod, toTensor(x, "prod", "x"), axis, keepDims);
}

/**
 * Logical and over `axis` of a bool tensor; true for no elements.
 *
 * ```ts
 * tf.all(tf.tensor([[true, false], [true, true]]), 1); // [false, true]
 * ```
 */
export function all(x: TensorLike, axis: Axis = null, keepDims = false): Tensor {
  return reduce(All, toTensor(x, "all", "x"), axis, keepDims);
}

/**
 * Logical or over `axis` of a bool tensor; false for no elements.
 *
 * ```ts
 * tf.any(tf.tensor([[true, false], [false, false]]), 1); // [true, false]
 * ```
 */
export function any(x: TensorLike, axis: Axis = null, keepDims = false): Tensor {
  return reduce(Any, toTensor(x, "any", "x"), axis, keepDims);
}

/** Attributes of `ArgMax`/`ArgMin`: one normalized axis. */
export type ArgReductionAttrs = { readonly axis: number };

/** Declares `ArgMax`/`ArgMin`: an index has no gradient, so both are non-differentiable. */
function defineArgReduction(name: string, api: string) {
  return defineOp<ArgReductionAttrs>({
    name,
    api,
    family: "reduction",
    inputs: ["x"],
    grad: "none",
    infer: ([x], { axis }) => {
      checkInputDType(api, "x", x!, ALL);
      const a = checkSingleAxis(axis, x!.shape, api);
      const size = x!.shape[a];
      if (size === 0) {
        throw new ArgumentError(
          `${api}: axis ${a} of x (shape ${formatShape(x!.shape)}) is empty, so it has no ${api === "argMax" ? "largest" : "smallest"} element; reduce over a non-empty axis`,
        );
      }
      return [{ shape: x!.shape.filter((_, i) => i !== a), dtype: "int32" }];
    },
  });
}

/** Validates one axis of a tensor of at least rank 1 and returns it in `[0, rank)`. */
function checkSingleAxis(axis: unknown, shape: Shape, api: string): number {
  if (typeof axis !== "number") {
    throw new AxisError(`${api}: axis must be a single integer, received ${JSON.stringify(axis) ?? String(axis)}`);
  }
  if (shape.length === 0) {
    throw new AxisError(`${api}: x is a scalar (shape []), which has no axis ${axis}; ${api} needs a tensor of rank 1 or more`);
  }
  return normalizeAxes(axis, shape.length, api)[0]!;
}

/** `ArgMax`: index of the largest value along one axis (int32). */
export const ArgMax = defineArgReduction("ArgMax", "argMax");
/** `ArgMin`: index of the smallest value along one axis (int32). */
export const ArgMin = defineArgReduction("ArgMin", "argMin");

/**
 * The index (int32) of the largest element along `axis`. Ties give the lowest index; a
 * NaN counts as the largest value, so the first NaN's index is returned.
 *
 * ```ts
 * tf.argMax(tf.tensor([[1, 5], [7, 2]]), 1); // [1, 0]
 * ```
 */
export function argMax(x: TensorLike, axis = 0): Tensor {
  const t = toTensor(x, "argMax", "x");
  return bind1(ArgMax, [t], { axis: checkConverted(t, () => checkSingleAxis(axis, t.shape, "argMax")) });
}

/**
 * The index (int32) of the smallest element along `axis`. Ties give the lowest index; a
 * NaN counts as the smallest value, so the first NaN's index is returned.
 *
 * ```ts
 * tf.argMin(tf.tensor([[1, 5], [7, 2]]), 1); // [0, 1]
 * ```
 */
export function argMin(x: TensorLike, axis = 0): Tensor {
  const t = toTensor(x, "argMin", "x");
  return bind1(ArgMin, [t], { axis: checkConverted(t, () => checkSingleAxis(axis, t.shape, "argMin")) });
}

/** The largest finite float32: the stabilizing shift is clamped to it, see `logSumExp`. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * `log(sum(exp(x)))` over `axis` (all axes when omitted), computed stably as
 * `m + log(sum(exp(x - m)))` with `m` the max; float32 only. Rows of all
 * -Infinity give -Infinity and a +Infinity gives +Infinity (as TF; naive shifting would
 * give NaN): the shift `m` is clamped to the finite range, which leaves finite maxima
 * unchanged.
 *
 * ```ts
 * tf.logSumExp(tf.tensor([0, 0])); // log(2) = 0.6931
 * ```
 */
export function logSumExp(x: TensorLike, axis: Axis = null, keepDims = false): Tensor {
  const t = toTensor(x, "logSumExp", "x");
  return composite([t], () => {
    checkInputDType("logSumExp", "x", t, FLOAT, `convert it with tf.cast(x, "float32")`);
    const attrs = reductionAttrs(t, axis, keepDims, "logSumExp");
    // The result does not depend on the shift (its gradient through the shift is exactly
    // 0), so, as in TF, no gradient is taken through it: that skips the max's gradient.
    const peak = stopGradient(bind1(Max, [t], { axis: attrs.axis, keepDims: true }));
    const shift = minimum(maximum(peak, -FLOAT32_MAX), FLOAT32_MAX);
    const logSum = log(bind1(Sum, [exp(sub(t, shift))], attrs));
    // The shift has size-1 dims where the axes were; summing over them drops them, and
    // unlike a reshape this needs no concrete shape (dims may be unknown while tracing).
    return add(logSum, keepDims ? shift : bind1(Sum, [shift], attrs));
  });
}

/** Attributes of `Cumsum`: the (normalized) axis and TF's two flags. */
export type CumsumAttrs = { readonly axis: number; readonly exclusive: boolean; readonly reverse: boolean };

/** `Cumsum`: running sum along one axis. int32 wraps around; bool counts in int32. */
export const Cumsum = defineOp<CumsumAttrs>({
  name: "Cumsum",
  api: "cumsum",
  family: "reduction",
  inputs: ["x"],
  grad: (args) => cumsumGrad(args),
  infer: ([x], { axis, exclusive, reverse }) => {
    checkInputDType("cumsum", "x", x!, ALL);
    checkSingleAxis(axis, x!.shape, "cumsum");
    checkBoolean(exclusive, "cumsum", "exclusive");
    checkBoolean(reverse, "cumsum", "reverse");
    return [{ shape: x!.shape, dtype: boolToInt(x!.dtype) }];
  },
});

/**
 * The running sum along `axis`. `exclusive` leaves each element out of its own sum (the
 * first output is 0); `reverse` sums from the end. int32 wraps around; bool gives int32.
 *
 * ```ts
 * tf.cumsum(tf.tensor([1, 2, 3]));                 // [1, 3, 6]
 * tf.cumsum(tf.tensor([1, 2, 3]), 0, true, true);  // [5, 3, 0]
 * ```
 */
export function cumsum(x: TensorLike, axis = 0, exclusive = false, reverse = false): Tensor {
  const t = toTensor(x, "cumsum", "x");
  const attrs: CumsumAttrs = checkConverted(t, () => ({
    axis: checkSingleAxis(axis, t.shape, "cumsum"),
    exclusive: checkBoolean(exclusive, "cumsum", "exclusive"),
    reverse: checkBoolean(reverse, "cumsum", "reverse"),
  }));
  return bind1(Cumsum, [t], attrs);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    sum(axis?: Axis, keepDims?: boolean): Tensor;
    mean(axis?: Axis, keepDims?: boolean): Tensor;
    max(axis?: Axis, keepDims?: boolean): Tensor;
    min(axis?: Axis, keepDims?: boolean): Tensor;
    prod(axis?: Axis, keepDims?: boolean): Tensor;
    all(axis?: Axis, keepDims?: boolean): Tensor;
    any(axis?: Axis, keepDims?: boolean): Tensor;
    argMax(axis?: number): Tensor;
    argMin(axis?: number): Tensor;
    logSumExp(axis?: Axis, keepDims?: boolean): Tensor;
    cumsum(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor;
  }
}

/** Chainable methods this file adds to Tensor. */
export const reductionMethods = {
  sum(this: Tensor, axis?: Axis, keepDims?: boolean): Tensor {
    return sum(this, axis, keepDims);
  },
  mean(this: Tensor, axis?: Axis, keepDims?: boolean): Tensor {
    return mean(this, axis, keepDims);
  },
  max(this: Tensor, axis?: Axis, keepDims?: boolean): Tensor {
    return max(this, axis, keepDims);
  },
  min(this: Tensor, axis?: Axis, keepDims?: boolean): Tensor {
    return min(this, axis, keepDims);
  },
  prod(this: Tensor, axis?: Axis, keepDims?: boolean): Tensor {
    return prod(this, axis, keepDims);
  },
  all(this: Tensor, axis?: Axis, keepDims?: boolean): Tensor {
    return all(this, axis, keepDims);
  },
  any(this: Tensor, axis?: Axis, keepDims?: boolean): Tensor {
    return any(this, axis, keepDims);
  },
  argMax(this: Tensor, axis?: number): Tensor {
    return argMax(this, axis);
  },
  argMin(this: Tensor, axis?: number): Tensor {
    return argMin(this, axis);
  },
  logSumExp(this: Tensor, axis?: Axis, keepDims?: boolean): Tensor {
    return logSumExp(this, axis, keepDims);
  },
  cumsum(this: Tensor, axis?: number, exclusive?: boolean, reverse?: boolean): Tensor {
    return cumsum(this, axis, exclusive, reverse);
  },
};
