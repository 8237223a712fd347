import type { GradArgs } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";
import { unbroadcast } from "./grad_utils.js";
import { matMul } from "./matmul.js";

/**
 * TF's MatMul gradient for each transpose combination, e.g. for `y = a @ b`:
 * `da = dy @ b^T`, `db = a^T @ dy`. Batched products sum the gradient over batch dims an
 * operand was broadcast along. int32 operands get no gradient.
 */
export function matMulGradient(args: GradArgs<unknown, Tensor>, transposeA: boolean, transposeB: boolean): (Tensor | null)[] {
  const [a, b] = args.inputs as [Tensor, Tensor];
  const dy = args.dys[0];
  if (dy === null || dy === undefined || a.dtype !== "float32") return [null, null];
  const [needA = true, needB = true] = args.needs ?? [];
  // Only the gradients someone needs are computed (a layer's input batch usually is not).
  const da = !needA ? null : !transposeA ? matMul(dy, b, false, !transposeB) : transposeB ? matMul(b, dy, true, true) : matMul(b, dy, false, true);
  const db = !needB ? null : !transposeB ? (transposeA ? matMul(a, dy, false, false) : matMul(a, dy, true, false)) : transposeA ? matMul(dy, a, true, true) : matMul(dy, a, true, false);
  return [da === null ? null : unbroadcast(da, a.shape), db === null ? null : unbroadcast(db, b.shape)];
}
