import { checkDType, type DType, INT32_MAX, INT32_MIN } from "../base/dtype.js";
import { ArgumentError, formatShape, ShapeError } from "../base/errors.js";
import type { Shape } from "../base/shape.js";
import { defineOp, type GradArgs, type ValueInfo } from "../ir/op.js";
import * as s from "../ir/scalar.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { equal } from "./binary.js";
import { checkConverted, toTensor, toTensorPair } from "./convert.js";
import { ALL, BOOL, broadcastAll, checkInputDType, checkSameDType, NUMERIC } from "./define_elementwise.js";
import { unbroadcast } from "./grad_utils.js";

/** `SelectV2`: picks from `t` where `condition` is true and from `e` elsewhere; all three broadcast. */
export const SelectV2 = defineOp<{}>({
  name: "SelectV2",
  api: "where",
  family: "elementwise",
  inputs: ["condition", "t", "e"],
  infer: ([condition, t, e]) => {
    checkInputDType("where", "condition", condition!, BOOL, "compare first, e.g. tf.greater(x, 0)");
    checkInputDType("where", "a", t!, ALL);
    checkSameDType("where", t!, e!);
    return [{ shape: broadcastAll("where", [condition!.shape, t!.shape, e!.shape], ["condition", "a", "b"]), dtype: t!.dtype }];
  },
  scalar: ALL.map((dtype) => s.scalarKernel(["bool", dtype, dtype], (c, a, b) => s.select(c!, a!, b!))),
  // dy goes to `t` where the condition holds and to `e` elsewhere, each summed back to its
  // own (possibly broadcast) shape; the condition is bool and gets none.
  grad: ({ inputs: [condition, t, e], dys: [dy] }: GradArgs<{}, Tensor>) => {
    if (t!.dtype !== "float32" || !dy) return [null, null, null];
    return [null, unbroadcast(where(condition!, dy, 0), t!.shape), unbroadcast(where(condition!, 0, dy), e!.shape)];
  },
});

/** Cast's scalar kernels by destination dtype, one per source dtype. */
const CAST_KERNELS: Readonly<Record<DType, readonly s.ScalarKernel[]>> = {
  float32: ALL.map((from) => s.scalarKernel([from], (x) => s.toFloat32(x!))),
  int32: ALL.map((from) => s.scalarKernel([from], (x) => s.toInt32(x!))),
  bool: ALL.map((from) => s.scalarKernel([from], (x) => s.toBool(x!))),
};

/** Attributes of `Cast`: the destination dtype, under TensorFlow's attr name. */
export type CastAttrs = { readonly DstT: DType };

/**
 * `Cast`: converts to `DstT`. float -> int32 truncates toward zero and saturates at the
 * int32 range; NaN becomes 0. Anything -> bool is `x != 0` (so NaN is true); bool -> number is 0/1.
 */
export const Cast = defineOp<CastAttrs>({
  name: "Cast",
  api: "cast",
  family: "elementwise",
  inputs: ["x"],
  infer: ([x], attrs) => [{ shape: x!.shape, dtype: checkDType(attrs.DstT, "cast") }],
  scalar: (attrs) => CAST_KERNELS[attrs.DstT] ?? [],
  // Like TF, a gradient flows only between float dtypes: a cast to int32 or bool is piecewise
  // constant (its true derivative is 0, so passing dy on would be wrong), and int/bool inputs
  // carry no gradient. float32 is the only float dtype, so dy needs no cast back.
  grad: ({ inputs: [x], outputs: [y], dys: [dy] }: GradArgs<CastAttrs, Tensor>) => {
    return x!.dtype === "float32" && y!.dtype === "float32" && dy ? [dy] : [null];
  },
});

/** A clip bound must be a scalar or have exactly the clipped tensor's shape (TensorFlow's rule). */
function checkClipBound(name: string, bound: ValueInfo, t: ValueInfo): void {
  const fits = (s: Shape) => s.length === t.shape.length && s.every((d, i) => d === null || t.shape[i] === null || d === t.shape[i]);
  if (bound.shape.length !== 0 && !fits(bound.shape)) {
    throw new ShapeError(
      `clipByValue: '${name}' must be a scalar or have the shape of 'x' ${formatShape(t.shape)}, received shape ${formatShape(bound.shape)}`,
    );
  }
  checkSameDType("clipByValue", t, bound, ["x", name]);
}

/** `ClipByValue`: `min(max(t, clip_value_min), clip_value_max)`; NaN stays NaN. */
export const ClipByValue = defineOp<{}>({
  name: "ClipByValue",
  api: "clipByValue",
  family: "elementwise",
  inputs: ["t", "clip_value_min", "clip_value_max"],
  infer: ([t, lo, hi]) => {
    checkInputDType("clipByValue", "x", t!, NUMERIC);
    checkClipBound("clipValueMin", lo!, t!);
    checkClipBound("clipValueMax", hi!, t!);
    return [{ shape: t!.shape, dtype: t!.dtype }];
  },
  // Comparisons rather than max/min so NaN elements stay NaN.
  scalar: NUMERIC.map((dtype) => s.scalarKernel([dtype, dtype, dtype], (x, lo, hi) => s.select(s.lt(x!, lo!), lo!, s.select(s.gt(x!, hi!), hi!, x!)))),
  // dy passes where the value was not clipped (min <= x <= max), which is exactly where the
  // output equals the input: one comparison, and the bounds need not be read. NaN elements
  // get 0. The bounds get none: clipByValue makes them from JS numbers, so they are constants.
  grad: ({ inputs: [t], outputs: [y], dys: [dy] }: GradArgs<{}, Tensor>) => {
    if (t!.dtype !== "float32" || !dy) return [null, null, null];
    return [where(equal(t!, y!), dy, 0), null, null];
  },
});

/**
 * Picks elements from `a` where `condition` is true and from `b` where it is false. The
 * three broadcast together (TF2's `tf.where`); `a` and `b` share a dtype. JS values for
 * `condition` are read as booleans.
 *
 * ```ts
 * tf.where([true, false], [1, 2], [10, 20]); // [1, 20]
 * tf.where(tf.greater(x, 0), x, 0);          // relu
 * ```
 */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const cond = toTensor(condition, "where", "condition", "bool");
  return bind1(SelectV2, [cond, ...checkConverted(cond, () => toTensorPair(a, b, "where"))]);
}

/**
 * Converts `x` to `dtype`. float32 -> int32 truncates toward zero (`-1.7` -> `-1`),
 * saturates out-of-range values at 2147483647 / -2147483648 and turns NaN into 0 (TensorFlow's
 * result for these is platform-dependent; tfjs wraps them). Casting to bool gives `x != 0`; bool becomes 0/1.
 *
 * ```ts
 * tf.cast([1.7, -1.7], "int32"); // [1, -1]
 * tf.cast([0, 2], "bool");       // [false, true]
 * ```
 */
export function cast(x: TensorLike, dtype: DType): Tensor {
  const DstT = checkDType(dtype, "cast");
  return bind1(Cast, [toTensor(x, "cast", "x")], { DstT });
}


/** Validates one clip bound: a number, not NaN. */
function checkBoundValue(name: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    const shown = typeof value === "number" ? "NaN" : value === null ? "null" : typeof value;
    throw new ArgumentError(`clipByValue: '${name}' must be a number (not NaN), received ${shown}`);
  }
  return value;
}

/**
 * Clamps every element of `x` to `[clipValueMin, clipValueMax]`; NaN elements stay NaN.
 * The bounds are numbers (like tfjs) and must satisfy `clipValueMin <= clipValueMax`;
 * infinite bounds are allowed (`clipByValue(x, 0, Infinity)`).
 *
 * ```ts
 * tf.clipByValue([-2, 0.5, 3], 0, 1); // [0, 0.5, 1]
 * ```
 */
export function clipByValue(x: TensorLike, clipValueMin: number, clipValueMax: number): Tensor {
  let lo = checkBoundValue("clipValueMin", clipValueMin);
  let hi = checkBoundValue("clipValueMax", clipValueMax);
  if (lo > hi) {
    throw new ArgumentError(`clipByValue: clipValueMin (${lo}) must be less than or equal to clipValueMax (${hi})`);
  }
  const t = toTensor(x, "clipByValue", "x");
  if (t.dtype === "int32") {
    // Infinite or huge bounds mean "no bound" for int32; clamp them into range so they convert exactly.
    lo = Math.min(Math.max(lo, INT32_MIN), INT32_MAX);
    hi = Math.min(Math.max(hi, INT32_MIN), INT32_MAX);
  }
  // Non-numeric x is rejected by the op's dtype check; the bounds just follow x's dtype.
  const boundDType = t.dtype === "bool" ? "float32" : t.dtype;
  const min = toTensor(lo, "clipByValue", "clipValueMin", boundDType, t);
  return bind1(ClipByValue, [t, min, toTensor(hi, "clipByValue", "clipValueMax", boundDType, [t, min])]);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    cast(dtype: DType): Tensor;
    clipByValue(clipValueMin: number, clipValueMax: number): Tensor;
  }
}

/** Chainable methods this file adds to Tensor (`where` has no method form, as in tfjs). */
export const selectionMethods = {
  cast(this: Tensor, dtype: DType): Tensor {
    return cast(this, dtype);
  },
  clipByValue(this: Tensor, clipValueMin: number, clipValueMax: number): Tensor {
    return clipByValue(this, clipValueMin, clipValueMax);
  },
};
