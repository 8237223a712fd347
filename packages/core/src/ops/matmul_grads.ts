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
  let da: Tensor;
  let db: Tensor;
  if (!transposeA && !transposeB) {
    da = matMul(dy, b, false, true);
    db = matMul(a, dy, true, false);
  } else if (!transposeA && transposeB) {
    da = matMul(dy, b, false, false);
    db = matMul(dy, a, true, false);
  } else if (transposeA && !transposeB) {
    da = matMul(b, dy, false, true);
    db = matMul(a, dy, false, false);
  } else {
    da = matMul(b, dy, true, true);
    db = matMul(dy, a, true, true);
  }
  return [unbroadcast(da, a.shape), unbroadcast(db, b.shape)];
}
