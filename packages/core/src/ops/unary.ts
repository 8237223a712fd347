import { ArgumentError } from "../base/errors.js";
import { defineOp } from "../ir/op.js";
import * as s from "../ir/scalar.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { toTensor } from "./convert.js";
import { BOOL, checkInputDType, defineUnary, FLOAT, NUMERIC } from "./define_elementwise.js";
import * as g from "./unary_grads.js";

// Integer tensors are accepted where the result is exact in int32 (neg, abs, sign, square,
// relu, relu6; they wrap like C: neg(-2147483648) is -2147483648). Transcendental ops and
// rounding are float32 only, like TensorFlow's kernels. Gradient rules live in
// unary_grads.ts; integer inputs get no gradient.
const ROUNDING_HINT = "int32 values are already whole numbers, so no rounding is needed";
// SELU's constants: scale and scale * alpha (alpha = 1.6732632423543772).
const SELU_SCALE = 1.0507009873554805;
const SELU_SCALE_ALPHA = 1.7580993408473768;

export const Neg = defineUnary("Neg", "neg", NUMERIC, { scalar: (x) => s.neg(x), grad: (args) => g.negGrad(args) });
export const Abs = defineUnary("Abs", "abs", NUMERIC, { scalar: (x) => s.abs(x), grad: (args) => g.absGrad(args) });
// TF's Sign gradient is an explicit zeros tensor; here sign is simply not differentiable (the
// source gets null, or nothing is added where another path reaches it: the same sum).
export const Sign = defineUnary("Sign", "sign", NUMERIC, { scalar: (x) => s.select(s.gt(x, 0), 1, s.select(s.lt(x, 0), s.literal(-1, x.dtype), 0)), grad: "none" });
export const Square = defineUnary("Square", "square", NUMERIC, { scalar: (x) => s.mul(x, x), grad: (args) => g.squareGrad(args) });
export const Exp = defineUnary("Exp", "exp", FLOAT, { scalar: (x) => s.exp(x), grad: (args) => g.expGrad(args) });
export const Expm1 = defineUnary("Expm1", "expm1", FLOAT, { scalar: (x) => s.expm1(x), grad: (args) => g.expm1Grad(args) });
export const Log = defineUnary("Log", "log", FLOAT, { scalar: (x) => s.log(x), grad: (args) => g.logGrad(args) });
export const Log1p = defineUnary("Log1p", "log1p", FLOAT, { scalar: (x) => s.log1p(x), grad: (args) => g.log1pGrad(args) });
export const Sqrt = defineUnary("Sqrt", "sqrt", FLOAT, { scalar: (x) => s.sqrt(x), grad: (args) => g.sqrtGrad(args) });
export const Rsqrt = defineUnary("Rsqrt", "rsqrt", FLOAT, { scalar: (x) => s.div(1, s.sqrt(x)), grad: (args) => g.rsqrtGrad(args) });
export const Reciprocal = defineUnary("Reciprocal", "reciprocal", FLOAT, { scalar: (x) => s.div(1, x), grad: (args) => g.reciprocalGrad(args) });
export const Sin = defineUnary("Sin", "sin", FLOAT, { scalar: (x) => s.sin(x), grad: (args) => g.sinGrad(args) });
export const Cos = defineUnary("Cos", "cos", FLOAT, { scalar: (x) => s.cos(x), grad: (args) => g.cosGrad(args) });
export const Tanh = defineUnary("Tanh", "tanh", FLOAT, { scalar: (x) => s.tanh(x), grad: (args) => g.tanhGrad(args) });
export const Sigmoid = defineUnary("Sigmoid", "sigmoid", FLOAT, { scalar: (x) => s.div(1, s.add(1, s.exp(s.neg(x)))), grad: (args) => g.sigmoidGrad(args) });
export const Relu = defineUnary("Relu", "relu", NUMERIC, { scalar: (x) => s.select(s.lt(x, 0), 0, x), grad: (args) => g.reluGrad(args) });
export const Relu6 = defineUnary("Relu6", "relu6", NUMERIC, { scalar: (x) => s.select(s.lt(x, 0), 0, s.select(s.gt(x, 6), 6, x)), grad: (args) => g.relu6Grad(args) });
export const Elu = defineUnary("Elu", "elu", FLOAT, { scalar: (x) => s.select(s.gt(x, 0), x, s.expm1(x)), grad: (args) => g.eluGrad(args) });
export const Selu = defineUnary("Selu", "selu", FLOAT, { scalar: (x) => s.select(s.gt(x, 0), s.mul(SELU_SCALE, x), s.mul(SELU_SCALE_ALPHA, s.expm1(x))), grad: (args) => g.seluGrad(args) });
export const Softplus = defineUnary("Softplus", "softplus", FLOAT, { scalar: (x) => s.select(s.gt(x, 0), s.add(x, s.log1p(s.exp(s.neg(x)))), s.log1p(s.exp(x))), grad: (args) => g.softplusGrad(args) });
export const Erf = defineUnary("Erf", "erf", FLOAT, { scalar: (x) => s.erf(x), grad: (args) => g.erfGrad(args) });
// Piecewise constant or boolean-valued: no gradient (TF returns None for Floor/Ceil/Round).
export const Floor = defineUnary("Floor", "floor", FLOAT, { scalar: (x) => s.floor(x), hint: ROUNDING_HINT, grad: "none" });
export const Ceil = defineUnary("Ceil", "ceil", FLOAT, { scalar: (x) => s.ceil(x), hint: ROUNDING_HINT, grad: "none" });
export const Round = defineUnary("Round", "round", FLOAT, { scalar: (x) => s.roundHalfEven(x), hint: ROUNDING_HINT, grad: "none" });
export const IsNan = defineUnary("IsNan", "isNaN", FLOAT, {
  outDtype: "bool",
  scalar: (x) => s.isNan(x),
  hint: "int32 values are never NaN",
  grad: "none",
});
export const IsFinite = defineUnary("IsFinite", "isFinite", FLOAT, {
  outDtype: "bool",
  scalar: (x) => s.finite(x),
  hint: "int32 values are always finite",
  grad: "none",
});
export const LogicalNot = defineUnary("LogicalNot", "logicalNot", BOOL, {
  scalar: (x) => s.not(x),
  hint: "compare with tf.equal(x, 0) to get a bool tensor",
  grad: "none",
});

/** Exact GELU: x·Φ(x) = 0.5·x·erfc(-x/√2); the erfc form keeps precision for negative x. */
const GELU_ERF = [s.scalarKernel(["float32"], (x) => s.mul(s.mul(0.5, x), s.erfc(s.mul(s.neg(x), Math.SQRT1_2))))];
/** The tanh approximation (`tf.nn.gelu(x, approximate=True)`): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
const GELU_TANH = [
  s.scalarKernel(["float32"], (x) =>
    s.mul(s.mul(0.5, x), s.add(1, s.tanh(s.mul(0.7978845608028654, s.add(x, s.mul(s.mul(s.mul(0.044715, x), x), x)))))),
  ),
];

/** Attributes of `Gelu`: `approximate` picks the tanh approximation over the exact erf form. */
export type GeluAttrs = { readonly approximate: boolean };

/** `Gelu`: TensorFlow's `tf.nn.gelu` as one elementwise op (TF itself composes it from erf or tanh). */
export const Gelu = defineOp<GeluAttrs>({
  name: "Gelu",
  api: "gelu",
  family: "elementwise",
  inputs: ["x"],
  infer: ([x], attrs) => {
    checkInputDType("gelu", "x", x!, FLOAT);
    if (typeof attrs.approximate !== "boolean") {
      throw new ArgumentError(
        `gelu: 'approximate' must be a boolean, received ${JSON.stringify(attrs.approximate) ?? String(attrs.approximate)}`,
      );
    }
    return [{ shape: x!.shape, dtype: x!.dtype }];
  },
  scalar: (attrs) => (attrs.approximate === true ? GELU_TANH : GELU_ERF),
  grad: (args) => g.geluGrad(args),
});

/**
 * `-x` elementwise, for float32 and int32 (`neg(-2147483648)` wraps to itself, as in C).
 *
 * ```ts
 * tf.neg([1, -2]); // [-1, 2]
 * ```
 */
export function neg(x: TensorLike): Tensor {
  return bind1(Neg, [toTensor(x, "neg", "x")]);
}

/**
 * `|x|` elementwise, for float32 and int32 (`abs(-2147483648)` wraps to itself, as in C).
 *
 * ```ts
 * tf.abs([-1.5, 2]); // [1.5, 2]
 * ```
 */
export function abs(x: TensorLike): Tensor {
  return bind1(Abs, [toTensor(x, "abs", "x")]);
}

/**
 * `-1`, `0` or `1` by the sign of each element; NaN gives 0 (as in TensorFlow and tfjs).
 *
 * ```ts
 * tf.sign([-3, 0, 2]); // [-1, 0, 1]
 * ```
 */
export function sign(x: TensorLike): Tensor {
  return bind1(Sign, [toTensor(x, "sign", "x")]);
}

/**
 * `x * x` elementwise; int32 wraps on overflow.
 *
 * ```ts
 * tf.square([2, -3]); // [4, 9]
 * ```
 */
export function square(x: TensorLike): Tensor {
  return bind1(Square, [toTensor(x, "square", "x")]);
}

/**
 * `e^x` elementwise (float32).
 *
 * ```ts
 * tf.exp([0, 1]); // [1, 2.7182817]
 * ```
 */
export function exp(x: TensorLike): Tensor {
  return bind1(Exp, [toTensor(x, "exp", "x")]);
}

/**
 * `e^x - 1`, accurate for `x` near 0 where `exp(x) - 1` loses all digits.
 *
 * ```ts
 * tf.expm1([1e-10]); // [1e-10]
 * ```
 */
export function expm1(x: TensorLike): Tensor {
  return bind1(Expm1, [toTensor(x, "expm1", "x")]);
}

/**
 * Natural logarithm; `log(0)` is `-Infinity` and negative inputs give NaN.
 *
 * ```ts
 * tf.log([1, Math.E]); // [0, 1]
 * ```
 */
export function log(x: TensorLike): Tensor {
  return bind1(Log, [toTensor(x, "log", "x")]);
}

/**
 * `log(1 + x)`, accurate for `x` near 0.
 *
 * ```ts
 * tf.log1p([1e-10]); // [1e-10]
 * ```
 */
export function log1p(x: TensorLike): Tensor {
  return bind1(Log1p, [toTensor(x, "log1p", "x")]);
}

/**
 * Square root; negative inputs give NaN.
 *
 * ```ts
 * tf.sqrt([4, 9]); // [2, 3]
 * ```
 */
export function sqrt(x: TensorLike): Tensor {
  return bind1(Sqrt, [toTensor(x, "sqrt", "x")]);
}

/**
 * `1 / sqrt(x)`; `rsqrt(0)` is `Infinity`.
 *
 * ```ts
 * tf.rsqrt([4]); // [0.5]
 * ```
 */
export function rsqrt(x: TensorLike): Tensor {
  return bind1(Rsqrt, [toTensor(x, "rsqrt", "x")]);
}

/**
 * `1 / x` elementwise (float32).
 *
 * ```ts
 * tf.reciprocal([2, -4]); // [0.5, -0.25]
 * ```
 */
export function reciprocal(x: TensorLike): Tensor {
  return bind1(Reciprocal, [toTensor(x, "reciprocal", "x")]);
}

/**
 * Sine of radians.
 *
 * ```ts
 * tf.sin([0, Math.PI / 2]); // [0, 1]
 * ```
 */
export function sin(x: TensorLike): Tensor {
  return bind1(Sin, [toTensor(x, "sin", "x")]);
}

/**
 * Cosine of radians.
 *
 * ```ts
 * tf.cos([0, Math.PI]); // [1, -1]
 * ```
 */
export function cos(x: TensorLike): Tensor {
  return bind1(Cos, [toTensor(x, "cos", "x")]);
}

/**
 * Hyperbolic tangent.
 *
 * ```ts
 * tf.tanh([0, 100]); // [0, 1]
 * ```
 */
export function tanh(x: TensorLike): Tensor {
  return bind1(Tanh, [toTensor(x, "tanh", "x")]);
}

/**
 * The logistic function `1 / (1 + e^-x)`.
 *
 * ```ts
 * tf.sigmoid([0]); // [0.5]
 * ```
 */
export function sigmoid(x: TensorLike): Tensor {
  return bind1(Sigmoid, [toTensor(x, "sigmoid", "x")]);
}

/**
 * `max(x, 0)`; NaN stays NaN. Accepts float32 and int32.
 *
 * ```ts
 * tf.relu([-1, 2]); // [0, 2]
 * ```
 */
export function relu(x: TensorLike): Tensor {
  return bind1(Relu, [toTensor(x, "relu", "x")]);
}

/**
 * `min(max(x, 0), 6)`; NaN stays NaN. Accepts float32 and int32.
 *
 * ```ts
 * tf.relu6([-1, 3, 8]); // [0, 3, 6]
 * ```
 */
export function relu6(x: TensorLike): Tensor {
  return bind1(Relu6, [toTensor(x, "relu6", "x")]);
}

/**
 * Exponential linear unit: `x` for `x > 0`, else `e^x - 1`.
 *
 * ```ts
 * tf.elu([-1, 2]); // [-0.6321206, 2]
 * ```
 */
export function elu(x: TensorLike): Tensor {
  return bind1(Elu, [toTensor(x, "elu", "x")]);
}

/**
 * Scaled ELU with TensorFlow's constants: `scale * x` for `x > 0`, else
 * `scale * alpha * (e^x - 1)` (scale ≈ 1.0507, alpha ≈ 1.6733).
 *
 * ```ts
 * tf.selu([1]); // [1.050701]
 * ```
 */
export function selu(x: TensorLike): Tensor {
  return bind1(Selu, [toTensor(x, "selu", "x")]);
}

/**
 * Gaussian error linear unit, like `tf.nn.gelu`: `0.5 * x * (1 + erf(x / sqrt(2)))`, or with
 * `approximate` the tanh form `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))`.
 *
 * ```ts
 * tf.gelu([1]);       // [0.8413447]
 * tf.gelu([1], true); // [0.8411920]
 * ```
 */
export function gelu(x: TensorLike, approximate = false): Tensor {
  return bind1(Gelu, [toTensor(x, "gelu", "x")], { approximate });
}

/**
 * `log(1 + e^x)`, computed without overflow for large `x`.
 *
 * ```ts
 * tf.softplus([0]); // [0.6931472]
 * ```
 */
export function softplus(x: TensorLike): Tensor {
  return bind1(Softplus, [toTensor(x, "softplus", "x")]);
}

/**
 * The Gauss error function.
 *
 * ```ts
 * tf.erf([0, 1]); // [0, 0.8427008]
 * ```
 */
export function erf(x: TensorLike): Tensor {
  return bind1(Erf, [toTensor(x, "erf", "x")]);
}

/**
 * Largest whole number `<= x` (float32).
 *
 * ```ts
 * tf.floor([1.5, -1.5]); // [1, -2]
 * ```
 */
export function floor(x: TensorLike): Tensor {
  return bind1(Floor, [toTensor(x, "floor", "x")]);
}

/**
 * Smallest whole number `>= x` (float32).
 *
 * ```ts
 * tf.ceil([1.5, -1.5]); // [2, -1]
 * ```
 */
export function ceil(x: TensorLike): Tensor {
  return bind1(Ceil, [toTensor(x, "ceil", "x")]);
}

/**
 * Rounds to the nearest whole number, halves to even (banker's rounding), like TensorFlow
 * and tfjs; unlike JS `Math.round`, `round(2.5)` is 2 and `round(-0.5)` is -0.
 *
 * ```ts
 * tf.round([0.5, 1.5, 2.5, -1.7]); // [0, 2, 2, -2]
 * ```
 */
export function round(x: TensorLike): Tensor {
  return bind1(Round, [toTensor(x, "round", "x")]);
}

/**
 * True where `x` is NaN.
 *
 * ```ts
 * tf.isNaN([1, NaN]); // [false, true]
 * ```
 */
// biome-ignore lint/suspicious/noShadowRestrictedNames: tfjs's public name for this op
export function isNaN(x: TensorLike): Tensor {
  return bind1(IsNan, [toTensor(x, "isNaN", "x")]);
}

/**
 * True where `x` is neither infinite nor NaN.
 *
 * ```ts
 * tf.isFinite([1, Infinity, NaN]); // [true, false, false]
 * ```
 */
// biome-ignore lint/suspicious/noShadowRestrictedNames: tfjs's public name for this op
export function isFinite(x: TensorLike): Tensor {
  return bind1(IsFinite, [toTensor(x, "isFinite", "x")]);
}

/**
 * Boolean NOT. JS values are read as booleans; tensors must already be `bool`.
 *
 * ```ts
 * tf.logicalNot([true, false]); // [false, true]
 * ```
 */
export function logicalNot(x: TensorLike): Tensor {
  return bind1(LogicalNot, [toTensor(x, "logicalNot", "x", "bool")]);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    neg(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    square(): Tensor;
    exp(): Tensor;
    expm1(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    reciprocal(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    relu6(): Tensor;
    elu(): Tensor;
    selu(): Tensor;
    gelu(approximate?: boolean): Tensor;
    softplus(): Tensor;
    erf(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    isNaN(): Tensor;
    isFinite(): Tensor;
    logicalNot(): Tensor;
  }
}

/** Wraps a one-argument op as a method: `x.exp()` calls `exp(x)`. */
function method(op: (x: Tensor) => Tensor): (this: Tensor) => Tensor {
  return function (this: Tensor): Tensor {
    return op(this);
  };
}

/** Chainable methods this file adds to Tensor. */
export const unaryMethods = {
  neg: method(neg),
  abs: method(abs),
  sign: method(sign),
  square: method(square),
  exp: method(exp),
  expm1: method(expm1),
  log: method(log),
  log1p: method(log1p),
  sqrt: method(sqrt),
  rsqrt: method(rsqrt),
  reciprocal: method(reciprocal),
  sin: method(sin),
  cos: method(cos),
  tanh: method(tanh),
  sigmoid: method(sigmoid),
  relu: method(relu),
  relu6: method(relu6),
  elu: method(elu),
  selu: method(selu),
  softplus: method(softplus),
  erf: method(erf),
  floor: method(floor),
  ceil: method(ceil),
  round: method(round),
  isNaN: method(isNaN),
  isFinite: method(isFinite),
  logicalNot: method(logicalNot),
  gelu(this: Tensor, approximate?: boolean): Tensor {
    return gelu(this, approximate);
  },
};
