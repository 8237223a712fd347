import type { GradArgs } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";
import { add, div, floorDiv, greater, greaterEqual, lessEqual, mul, pow, sub } from "./binary.js";
import { unbroadcast } from "./grad_utils.js";
import { where } from "./selection.js";
import { log, neg, square } from "./unary.js";

// Gradient rules of the broadcasting two-input ops (binary.ts), with TensorFlow's formulas
// (math_grad.py). Each rule computes both gradients at the broadcast output shape; the
// shared wrapper then sums each back to its input's shape (`unbroadcast`), so every
// broadcasting corner (scalar operand, size-1 dims, missing leading dims) is handled once.

/** What a binary rule computes from: the inputs `a`, `b`, the output `y` and the upstream gradient `dy`. */
type BinaryRule = (a: Tensor, b: Tensor, y: Tensor, dy: Tensor) => [Tensor, Tensor];

/**
 * Runs `rule` for a two-input op and unbroadcasts its results. Both inputs share a dtype;
 * only float32 carries gradients, like TF, so int32 arithmetic gives `null` for both.
 */
function binary(args: GradArgs<unknown, Tensor>, rule: BinaryRule): (Tensor | null)[] {
  const a = args.inputs[0]!;
  const b = args.inputs[1]!;
  const dy = args.dys[0];
  if (a.dtype !== "float32" || dy === null || dy === undefined) return [null, null];
  const [da, db] = rule(a, b, args.outputs[0]!, dy);
  return [unbroadcast(da, a.shape), unbroadcast(db, b.shape)];
}

/** d(a + b) = (dy, dy). */
export function addGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return binary(args, (_a, _b, _y, dy) => [dy, dy]);
}

/** d(a - b) = (dy, -dy). */
export function subGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return binary(args, (_a, _b, _y, dy) => [dy, neg(dy)]);
}

/** d(a * b) = (b dy, a dy). */
export function mulGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return binary(args, (a, b, _y, dy) => [mul(dy, b), mul(dy, a)]);
}

/** d(a / b) = (dy / b, -a / b^2 dy); the second is `-(dy / b) * y`, reusing the first and the output. */
export function divGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return binary(args, (_a, b, y, dy) => {
    const da = div(dy, b);
    return [da, neg(mul(da, y))];
  });
}

/**
 * FloorMod `a - floor(a / b) * b`: `da = dy`, `db = -floor(a / b) * dy` (TF's FloorModGrad;
 * the floor is piecewise constant, so it contributes nothing itself).
 */
export function modGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return binary(args, (a, b, _y, dy) => [dy, neg(mul(dy, floorDiv(a, b)))]);
}

/**
 * d(a^b): `da = b a^(b-1) dy`, `db = log(a) a^b dy` where `a > 0` and 0 elsewhere (TF's
 * choice: the real log is undefined there). `log` reads a safe 1 where `a <= 0`, so neither
 * this gradient nor a gradient of it sees the NaN of `log(negative)` or the Inf of `1 / 0`.
 */
export function powGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return binary(args, (a, b, y, dy) => {
    const da = mul(dy, mul(b, pow(a, sub(b, 1))));
    const positive = greater(a, 0);
    const logA = where(positive, log(where(positive, a, 1)), 0);
    return [da, mul(dy, mul(y, logA))];
  });
}

/**
 * maximum/minimum route `dy` to the winning operand; a tie goes to `a`, like TF
 * (`a >= b` for maximum, `a <= b` for minimum), so the gradient is never split or doubled.
 */
function selectGrad(args: GradArgs<{}, Tensor>, aWins: (a: Tensor, b: Tensor) => Tensor): (Tensor | null)[] {
  return binary(args, (a, b, _y, dy) => {
    const mask = aWins(a, b);
    return [where(mask, dy, 0), where(mask, 0, dy)];
  });
}

/** Gradient of maximum: `dy` to `a` where `a >= b`, to `b` elsewhere. */
export function maximumGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return selectGrad(args, greaterEqual);
}

/** Gradient of minimum: `dy` to `a` where `a <= b`, to `b` elsewhere. */
export function minimumGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return selectGrad(args, lessEqual);
}

/** d((a - b)^2) = (2 (a - b) dy, -2 (a - b) dy). */
export function squaredDifferenceGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return binary(args, (a, b, _y, dy) => {
    const da = mul(mul(dy, 2), sub(a, b));
    return [da, neg(da)];
  });
}

/** d(atan2(a, b)) = (b, -a) * dy / (a^2 + b^2). */
export function atan2Grad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  return binary(args, (a, b, _y, dy) => {
    const scaled = div(dy, add(square(a), square(b)));
    return [mul(b, scaled), neg(mul(a, scaled))];
  });
}
