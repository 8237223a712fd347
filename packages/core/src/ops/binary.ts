import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import * as s from "../ir/scalar.js";
import * as g from "./binary_grads.js";
import { toTensor, toTensorPair } from "./convert.js";
import { ALL, BOOL, defineBinary, FLOAT, NUMERIC } from "./define_elementwise.js";

// Every op here broadcasts NumPy-style and needs both operands to share a dtype; a JS
// number or array operand adopts the tensor operand's dtype. int32 arithmetic wraps like C
// (2147483647 + 1 is -2147483648). Integer division and modulo by zero give 0 instead of
// throwing: that is tfjs's observable result, and a kernel cannot throw on data it has not
// read yet (async backends), so the value is defined rather than an error. Gradient rules
// live in binary_grads.ts; they unbroadcast, and int32 operands get no gradient.

/**
 * Floored modulo: the result takes the divisor's sign (TF's FloorMod). float32: `x mod 0` is
 * NaN. int32: `x mod 0` is 0 (tfjs's observable result; TF raises).
 */
function floorMod(a: s.ScalarExpr, b: s.ScalarExpr): s.ScalarExpr {
  // rem(x, 0) is NaN for float32 and 0 for int32, and both pass through unchanged.
  const r = s.rem(a, b);
  return s.select(s.and(s.ne(r, 0), s.ne(s.lt(r, 0), s.lt(b, 0))), s.add(r, b), r);
}

/** `AddV2`: elementwise sum with broadcasting. */
export const AddV2 = defineBinary("AddV2", "add", NUMERIC, { scalar: (a, b) => s.add(a, b), grad: (args) => g.addGrad(args) });
export const Sub = defineBinary("Sub", "sub", NUMERIC, { scalar: (a, b) => s.sub(a, b), grad: (args) => g.subGrad(args) });
export const Mul = defineBinary("Mul", "mul", NUMERIC, { scalar: (a, b) => s.mul(a, b), grad: (args) => g.mulGrad(args) });
/** `RealDiv`: float division. `div` sends int32 operands to `FloorDiv` instead, like tfjs. */
export const RealDiv = defineBinary("RealDiv", "div", FLOAT, {
  scalar: (a, b) => s.div(a, b),
  hint: "int32 tensors are also accepted and use floorDiv",
  grad: (args) => g.divGrad(args),
});
/** `FloorDiv`: piecewise constant, so no gradient (TF returns None for both inputs). */
export const FloorDiv = defineBinary("FloorDiv", "floorDiv", NUMERIC, {
  // float32: the quotient rounded to float32 first (1 / 0.1f is 10 in float32), then floored, as TF does.
  scalar: (a, b) => (a.dtype === "int32" ? s.floorDiv(a, b) : s.floor(s.roundF32(s.div(a, b)))),
  grad: "none",
});
export const FloorMod = defineBinary("FloorMod", "mod", NUMERIC, { scalar: (a, b) => floorMod(a, b), grad: (args) => g.modGrad(args) });
export const Pow = defineBinary("Pow", "pow", NUMERIC, { scalar: (a, b) => s.pow(a, b), grad: (args) => g.powGrad(args) });
export const Maximum = defineBinary("Maximum", "maximum", NUMERIC, { scalar: (a, b) => s.max(a, b), grad: (args) => g.maximumGrad(args) });
export const Minimum = defineBinary("Minimum", "minimum", NUMERIC, { scalar: (a, b) => s.min(a, b), grad: (args) => g.minimumGrad(args) });
export const SquaredDifference = defineBinary("SquaredDifference", "squaredDifference", NUMERIC, {
  scalar: (a, b) => {
    const d = s.sub(a, b);
    return s.mul(d, d);
  },
  grad: (args) => g.squaredDifferenceGrad(args),
});
export const Atan2 = defineBinary("Atan2", "atan2", FLOAT, { scalar: (a, b) => s.atan2(a, b), grad: (args) => g.atan2Grad(args) });
// Comparisons and logic produce bool: no gradient flows through them.
const BOOL_RESULT = { outDtype: "bool", grad: "none" } as const;
export const Equal = defineBinary("Equal", "equal", ALL, { ...BOOL_RESULT, scalar: (a, b) => s.eq(a, b) });
export const NotEqual = defineBinary("NotEqual", "notEqual", ALL, { ...BOOL_RESULT, scalar: (a, b) => s.ne(a, b) });
export const Less = defineBinary("Less", "less", NUMERIC, { ...BOOL_RESULT, scalar: (a, b) => s.lt(a, b) });
export const LessEqual = defineBinary("LessEqual", "lessEqual", NUMERIC, { ...BOOL_RESULT, scalar: (a, b) => s.le(a, b) });
export const Greater = defineBinary("Greater", "greater", NUMERIC, { ...BOOL_RESULT, scalar: (a, b) => s.gt(a, b) });
export const GreaterEqual = defineBinary("GreaterEqual", "greaterEqual", NUMERIC, { ...BOOL_RESULT, scalar: (a, b) => s.ge(a, b) });
export const LogicalAnd = defineBinary("LogicalAnd", "logicalAnd", BOOL, { ...BOOL_RESULT, scalar: (a, b) => s.and(a, b) });
export const LogicalOr = defineBinary("LogicalOr", "logicalOr", BOOL, { ...BOOL_RESULT, scalar: (a, b) => s.or(a, b) });

/**
 * Adds two tensors elementwise, with NumPy broadcasting.
 *
 * ```ts
 * tf.add(tf.tensor([1, 2]), 10); // [11, 12]
 * ```
 */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return bind1(AddV2, toTensorPair(a, b, "add"));
}

/**
 * `a - b` elementwise, with broadcasting.
 *
 * ```ts
 * tf.sub([5, 6], 1); // [4, 5]
 * ```
 */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return bind1(Sub, toTensorPair(a, b, "sub"));
}

/**
 * `a * b` elementwise, with broadcasting; int32 wraps on overflow.
 *
 * ```ts
 * tf.mul([[1], [2]], [10, 100]); // [[10, 100], [20, 200]]
 * ```
 */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return bind1(Mul, toTensorPair(a, b, "mul"));
}

/**
 * `a / b` elementwise. float32 divides exactly (`1 / 0` is Infinity); int32 operands use
 * floor division like tfjs (`-7 / 2` is -4, and division by zero gives 0).
 *
 * ```ts
 * tf.div([1, 3], 2); // [0.5, 1.5]
 * ```
 */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const pair = toTensorPair(a, b, "div");
  return bind1(pair[0].dtype === "int32" ? FloorDiv : RealDiv, pair);
}

/**
 * `floor(a / b)` elementwise. For int32, division by zero gives 0 (tfjs's result;
 * TensorFlow raises an error) and `-2147483648 / -1` wraps to -2147483648.
 *
 * ```ts
 * tf.floorDiv([7, -7], 2); // [3, -4]
 * ```
 */
export function floorDiv(a: TensorLike, b: TensorLike): Tensor {
  return bind1(FloorDiv, toTensorPair(a, b, "floorDiv"));
}

/**
 * Floored remainder: the result has the sign of the divisor `b`, as in TensorFlow, tfjs
 * and Python (`mod(-7, 3)` is 2). float32 `mod(x, 0)` is NaN; int32 `mod(x, 0)` is 0.
 *
 * ```ts
 * tf.mod([7, -7], 3); // [1, 2]
 * ```
 */
export function mod(a: TensorLike, b: TensorLike): Tensor {
  return bind1(FloorMod, toTensorPair(a, b, "mod"));
}

/**
 * `a ** b` elementwise. int32 powers wrap on overflow; a negative int32 exponent gives the
 * truncated result (0 unless the base is 1 or -1). `pow(1, NaN)` is 1, as in C and TF.
 *
 * ```ts
 * tf.pow([2, 3], 2); // [4, 9]
 * ```
 */
export function pow(base: TensorLike, exp: TensorLike): Tensor {
  return bind1(Pow, toTensorPair(base, exp, "pow"));
}

/**
 * Elementwise maximum; NaN wins, like TensorFlow 2.4+ and tfjs.
 *
 * ```ts
 * tf.maximum([1, 5], 3); // [3, 5]
 * ```
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return bind1(Maximum, toTensorPair(a, b, "maximum"));
}

/**
 * Elementwise minimum; NaN wins.
 *
 * ```ts
 * tf.minimum([1, 5], 3); // [1, 3]
 * ```
 */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return bind1(Minimum, toTensorPair(a, b, "minimum"));
}

/**
 * `(a - b)^2` elementwise, with broadcasting.
 *
 * ```ts
 * tf.squaredDifference([1, 4], 2); // [1, 4]
 * ```
 */
export function squaredDifference(a: TensorLike, b: TensorLike): Tensor {
  return bind1(SquaredDifference, toTensorPair(a, b, "squaredDifference"));
}

/**
 * The angle of the point `(b, a)`, i.e. `atan(a / b)` in the right quadrant (float32).
 *
 * ```ts
 * tf.atan2([1], [-1]); // [2.3561945]
 * ```
 */
export function atan2(a: TensorLike, b: TensorLike): Tensor {
  return bind1(Atan2, toTensorPair(a, b, "atan2"));
}

/**
 * `a == b` elementwise, as a bool tensor; NaN equals nothing.
 *
 * ```ts
 * tf.equal([1, 2], 2); // [false, true]
 * ```
 */
export function equal(a: TensorLike, b: TensorLike): Tensor {
  return bind1(Equal, toTensorPair(a, b, "equal"));
}

/**
 * `a != b` elementwise, as a bool tensor; NaN differs from everything.
 *
 * ```ts
 * tf.notEqual([1, 2], 2); // [true, false]
 * ```
 */
export function notEqual(a: TensorLike, b: TensorLike): Tensor {
  return bind1(NotEqual, toTensorPair(a, b, "notEqual"));
}

/**
 * `a < b` elementwise, as a bool tensor.
 *
 * ```ts
 * tf.less([1, 3], 2); // [true, false]
 * ```
 */
export function less(a: TensorLike, b: TensorLike): Tensor {
  return bind1(Less, toTensorPair(a, b, "less"));
}

/**
 * `a <= b` elementwise, as a bool tensor.
 *
 * ```ts
 * tf.lessEqual([1, 2], 2); // [true, true]
 * ```
 */
export function lessEqual(a: TensorLike, b: TensorLike): Tensor {
  return bind1(LessEqual, toTensorPair(a, b, "lessEqual"));
}

/**
 * `a > b` elementwise, as a bool tensor.
 *
 * ```ts
 * tf.greater([1, 3], 2); // [false, true]
 * ```
 */
export function greater(a: TensorLike, b: TensorLike): Tensor {
  return bind1(Greater, toTensorPair(a, b, "greater"));
}

/**
 * `a >= b` elementwise, as a bool tensor.
 *
 * ```ts
 * tf.greaterEqual([1, 2], 2); // [false, true]
 * ```
 */
export function greaterEqual(a: TensorLike, b: TensorLike): Tensor {
  return bind1(GreaterEqual, toTensorPair(a, b, "greaterEqual"));
}

/**
 * Boolean AND with broadcasting. JS values are read as booleans; tensors must be `bool`.
 *
 * ```ts
 * tf.logicalAnd([true, true], [true, false]); // [true, false]
 * ```
 */
export function logicalAnd(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a, "logicalAnd", "a", "bool");
  return bind1(LogicalAnd, [x, toTensor(b, "logicalAnd", "b", "bool", x)]);
}

/**
 * Boolean OR with broadcasting. JS values are read as booleans; tensors must be `bool`.
 *
 * ```ts
 * tf.logicalOr([false, false], [true, false]); // [true, false]
 * ```
 */
export function logicalOr(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a, "logicalOr", "a", "bool");
  return bind1(LogicalOr, [x, toTensor(b, "logicalOr", "b", "bool", x)]);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    add(b: TensorLike): Tensor;
    sub(b: TensorLike): Tensor;
    mul(b: TensorLike): Tensor;
    div(b: TensorLike): Tensor;
    floorDiv(b: TensorLike): Tensor;
    mod(b: TensorLike): Tensor;
    pow(exp: TensorLike): Tensor;
    maximum(b: TensorLike): Tensor;
    minimum(b: TensorLike): Tensor;
    squaredDifference(b: TensorLike): Tensor;
    atan2(b: TensorLike): Tensor;
    equal(b: TensorLike): Tensor;
    notEqual(b: TensorLike): Tensor;
    less(b: TensorLike): Tensor;
    lessEqual(b: TensorLike): Tensor;
    greater(b: TensorLike): Tensor;
    greaterEqual(b: TensorLike): Tensor;
    logicalAnd(b: TensorLike): Tensor;
    logicalOr(b: TensorLike): Tensor;
  }
}

/** Chainable methods this file adds to Tensor. */
export const binaryMethods = {
  add(this: Tensor, b: TensorLike): Tensor {
    return add(this, b);
  },
  sub(this: Tensor, b: TensorLike): Tensor {
    return sub(this, b);
  },
  mul(this: Tensor, b: TensorLike): Tensor {
    return mul(this, b);
  },
  div(this: Tensor, b: TensorLike): Tensor {
    return div(this, b);
  },
  floorDiv(this: Tensor, b: TensorLike): Tensor {
    return floorDiv(this, b);
  },
  mod(this: Tensor, b: TensorLike): Tensor {
    return mod(this, b);
  },
  pow(this: Tensor, exp: TensorLike): Tensor {
    return pow(this, exp);
  },
  maximum(this: Tensor, b: TensorLike): Tensor {
    return maximum(this, b);
  },
  minimum(this: Tensor, b: TensorLike): Tensor {
    return minimum(this, b);
  },
  squaredDifference(this: Tensor, b: TensorLike): Tensor {
    return squaredDifference(this, b);
  },
  atan2(this: Tensor, b: TensorLike): Tensor {
    return atan2(this, b);
  },
  equal(this: Tensor, b: TensorLike): Tensor {
    return equal(this, b);
  },
  notEqual(this: Tensor, b: TensorLike): Tensor {
    return notEqual(this, b);
  },
  less(this: Tensor, b: TensorLike): Tensor {
    return less(this, b);
  },
  lessEqual(this: Tensor, b: TensorLike): Tensor {
    return lessEqual(this, b);
  },
  greater(this: Tensor, b: TensorLike): Tensor {
    return greater(this, b);
  },
  greaterEqual(this: Tensor, b: TensorLike): Tensor {
    return greaterEqual(this, b);
  },
  logicalAnd(this: Tensor, b: TensorLike): Tensor {
    return logicalAnd(this, b);
  },
  logicalOr(this: Tensor, b: TensorLike): Tensor {
    return logicalOr(this, b);
  },
};
