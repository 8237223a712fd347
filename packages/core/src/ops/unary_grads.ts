import type { GradArgs } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";
import { add, div, greater, less, logicalAnd, mul, sub } from "./binary.js";
import { where } from "./selection.js";
import { cos, erf, exp, type GeluAttrs, neg, sigmoid, sign, sin, square, tanh } from "./unary.js";

// Gradient rules of the one-input elementwise ops (unary.ts), with TensorFlow's formulas
// (math_grad.py / nn_grad.py). They are written with public ops so the same rule runs
// eagerly or emits graph nodes while tracing, and so gradients of gradients work.
// Where TF's formula reuses the op's output (exp, sqrt, tanh, sigmoid...) so do these:
// it saves recomputing the forward function.

/** What a unary rule computes from: the input `x`, the output `y` and the upstream gradient `dy`. */
type UnaryRule = (x: Tensor, y: Tensor, dy: Tensor) => Tensor;

/**
 * Runs `rule` for a one-input op. Only float32 tensors carry gradients, like TF: an int32
 * input (neg, abs, square, relu on integers) gets `null`, never a truncated gradient.
 */
function unary(args: GradArgs<unknown, Tensor>, rule: UnaryRule): (Tensor | null)[] {
  const x = args.inputs[0]!;
  const dy = args.dys[0];
  if (x.dtype !== "float32" || dy === null || dy === undefined) return [null];
  return [rule(x, args.outputs[0]!, dy)];
}

/** d(-x) = -dy. */
export function negGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (_x, _y, dy) => neg(dy));
}

/** d|x| = sign(x) * dy; 0 at x = 0, as in TF. */
export function absGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (x, _y, dy) => mul(dy, sign(x)));
}

/** d(x^2) = 2x * dy. */
export function squareGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (x, _y, dy) => mul(dy, mul(x, 2)));
}

/** d(e^x) = e^x * dy, reusing the output. */
export function expGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (_x, y, dy) => mul(dy, y));
}

/** d(e^x - 1) = e^x * dy; recomputed from x because `y + 1` loses the digits expm1 kept. */
export function expm1Grad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (x, _y, dy) => mul(dy, exp(x)));
}

/** d(log x) = dy / x. */
export function logGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (x, _y, dy) => div(dy, x));
}

/** d(log(1 + x)) = dy / (1 + x). */
export function log1pGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (x, _y, dy) => div(dy, add(x, 1)));
}

/** d(sqrt x) = dy / (2 sqrt x), reusing the output (TF's SqrtGrad). */
export function sqrtGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (_x, y, dy) => div(dy, mul(y, 2)));
}

/** d(x^-1/2) = -0.5 * y^3 * dy with y = rsqrt(x) (TF's RsqrtGrad). */
export function rsqrtGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (_x, y, dy) => mul(mul(dy, -0.5), mul(y, square(y))));
}

/** d(1/x) = -y^2 * dy with y = 1/x (TF's ReciprocalGrad). */
export function reciprocalGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (_x, y, dy) => neg(mul(dy, square(y))));
}

/** d(sin x) = cos x * dy. */
export function sinGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (x, _y, dy) => mul(dy, cos(x)));
}

/** d(cos x) = -sin x * dy. */
export function cosGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (x, _y, dy) => neg(mul(dy, sin(x))));
}

/** d(tanh x) = (1 - y^2) * dy (TF's TanhGrad). */
export function tanhGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (_x, y, dy) => mul(dy, sub(1, square(y))));
}

/** d(sigmoid x) = y * (1 - y) * dy (TF's SigmoidGrad). */
export function sigmoidGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (_x, y, dy) => mul(dy, mul(y, sub(1, y))));
}

/**
 * relu passes `dy` where `x > 0` and 0 elsewhere (0 at the kink, like TF's ReluGrad). A
 * select rather than a multiply by a 0/1 mask, so an Inf/NaN `dy` at a clipped element
 * does not leak through as NaN.
 */
export function reluGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (x, _y, dy) => where(greater(x, 0), dy, 0));
}

/** relu6 passes `dy` where `0 < x < 6` (TF's Relu6Grad: 0 at both kinks). */
export function relu6Grad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (x, _y, dy) => where(logicalAnd(greater(x, 0), less(x, 6)), dy, 0));
}

/** elu: `dy` for `x > 0`, else `(y + 1) * dy` since `y + 1 = e^x` there (TF's EluGrad). */
export function eluGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (x, y, dy) => where(greater(x, 0), dy, mul(dy, add(y, 1))));
}

// TF's selu constants (the cpu kernel uses the same).
const SELU_SCALE = 1.0507009873554805;
const SELU_SCALE_ALPHA = 1.7580993408473768;

/** selu: `scale * dy` for `x > 0`, else `(y + scale * alpha) * dy` (TF's SeluGrad). */
export function seluGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (x, y, dy) => where(greater(x, 0), mul(dy, SELU_SCALE), mul(dy, add(y, SELU_SCALE_ALPHA))));
}

/** d(log(1 + e^x)) = sigmoid(x) * dy. */
export function softplusGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (x, _y, dy) => mul(dy, sigmoid(x)));
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** d(erf x) = 2/sqrt(pi) * e^(-x^2) * dy. */
export function erfGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return unary(args, (x, _y, dy) => mul(dy, mul(exp(neg(square(x))), TWO_OVER_SQRT_PI)));
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/**
 * gelu. Exact form `x * Phi(x)`: the derivative is `Phi(x) + x * phi(x)` (normal cdf and
 * pdf). Tanh form `0.5 x (1 + tanh(u))`, `u = sqrt(2/pi) (x + 0.044715 x^3)`: the
 * derivative is `0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)`, `t = tanh(u)`.
 * These are the derivatives of the exact expressions TF composes `tf.nn.gelu` from.
 */
export function geluGrad(args: GradArgs<GeluAttrs, Tensor>): (Tensor | null)[] {
  return unary(args, (x, _y, dy) => {
    if (args.attrs.approximate) {
      const x2 = square(x);
      const t = tanh(mul(mul(x, add(mul(x2, GELU_CUBIC), 1)), SQRT_2_OVER_PI));
      const du = mul(add(mul(x2, 3 * GELU_CUBIC), 1), SQRT_2_OVER_PI);
      const d = add(mul(add(t, 1), 0.5), mul(mul(x, 0.5), mul(sub(1, square(t)), du)));
      return mul(dy, d);
    }
    const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
    const pdf = mul(exp(mul(square(x), -0.5)), INV_SQRT_2PI);
    return mul(dy, add(cdf, mul(x, pdf)));
  });
}
