import { ArgumentError, formatShape, ShapeError } from "../base/errors.js";
import { broadcastShapes, type Shape } from "../base/shape.js";
import { defineOp, type ValueInfo } from "../ir/op.js";
import { matMulGradient } from "./matmul_grads.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { toTensorPair } from "./convert.js";
import { checkInputDType, checkSameDType, NUMERIC } from "./define_elementwise.js";

/** `MatMul` attrs (TF's `transpose_a` / `transpose_b`). */
export interface MatMulAttrs {
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/** `BatchMatMulV2` attrs (TF's `adj_x` / `adj_y`; for real dtypes the adjoint is the transpose). */
export interface BatchMatMulAttrs {
  readonly adjX: boolean;
  readonly adjY: boolean;
}

function checkFlag(value: unknown, api: string, name: string): boolean {
  if (typeof value !== "boolean") {
    throw new ArgumentError(
      `${api}: '${name}' must be a boolean, received ${typeof value === "string" ? JSON.stringify(value) : String(value)}`,
    );
  }
  return value;
}

/**
 * Shape inference shared by both matmul ops: `[...batchA, m, k] x [...batchB, k, n]` gives
 * `[...broadcast(batchA, batchB), m, n]`. Unknown (`null`) dims are only checked where known.
 */
function inferMatMul(api: string, a: ValueInfo, b: ValueInfo, transposeA: boolean, transposeB: boolean): ValueInfo[] {
  checkInputDType(api, "a", a, NUMERIC, "cast bool tensors to int32 or float32 first");
  checkInputDType(api, "b", b, NUMERIC, "cast bool tensors to int32 or float32 first");
  checkSameDType(api, a, b);
  const describe = `a ${formatShape(a.shape)} (transposeA=${transposeA}) and b ${formatShape(b.shape)} (transposeB=${transposeB})`;
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new ShapeError(
      `${api}: both operands must have rank >= 2, received ${describe}; use tf.expandDims or tf.reshape to make a vector a [1, n] or [n, 1] matrix`,
    );
  }
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const kA = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kB = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (kA !== null && kB !== null && kA !== kB) {
    throw new ShapeError(
      `${api}: inner dimensions must agree, but a has ${kA} columns and b has ${kB} rows for ${describe}; check the shapes or the transpose flags`,
    );
  }
  let batch: (number | null)[];
  try {
    batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), api);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new ShapeError(
      `${api}: batch dimensions ${formatShape(a.shape.slice(0, -2))} and ${formatShape(b.shape.slice(0, -2))} of ${describe} cannot be broadcast together; each must be equal or 1`,
    );
  }
  const shape: Shape = [...batch, m, n];
  return [{ shape, dtype: a.dtype }];
}

/** `MatMul`: the product of two matrices (rank 2 each). */
export const MatMul = defineOp<MatMulAttrs>({
  name: "MatMul",
  api: "matMul",
  family: "contraction",
  inputs: ["a", "b"],
  grad: (args) => matMulGradient(args, args.attrs.transposeA, args.attrs.transposeB),
  infer: ([a, b], attrs) =>
    inferMatMul("matMul", a!, b!, checkFlag(attrs.transposeA, "matMul", "transposeA"), checkFlag(attrs.transposeB, "matMul", "transposeB")),
});

/** `BatchMatMulV2`: matrix products over leading batch dims, which broadcast NumPy-style. */
export const BatchMatMulV2 = defineOp<BatchMatMulAttrs>({
  name: "BatchMatMulV2",
  api: "matMul",
  family: "contraction",
  inputs: ["a", "b"],
  grad: (args) => matMulGradient(args, args.attrs.adjX, args.attrs.adjY),
  infer: ([a, b], attrs) => inferMatMul("matMul", a!, b!, checkFlag(attrs.adjX, "matMul", "adjX"), checkFlag(attrs.adjY, "matMul", "adjY")),
});

/**
 * Matrix product `a · b` (float32 or int32; int32 wraps on overflow). Each flag transposes
 * the last two dims of its operand first. Operands of rank > 2 are stacks of matrices whose
 * batch dims broadcast, so `[2, 1, 3, 4] x [5, 4, 2]` gives `[2, 5, 3, 2]`.
 *
 * ```ts
 * tf.matMul([[1, 2], [3, 4]], [[5], [6]]); // [[17], [39]]
 * ```
 */
export function matMul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false): Tensor {
  const pair = toTensorPair(a, b, "matMul");
  if (pair[0].rank === 2 && pair[1].rank === 2) return bind1(MatMul, pair, { transposeA, transposeB });
  return bind1(BatchMatMulV2, pair, { adjX: transposeA, adjY: transposeB });
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    matMul(b: TensorLike, transposeA?: boolean, transposeB?: boolean): Tensor;
  }
}

/** Chainable methods this file adds to Tensor. */
export const matmulMethods = {
  matMul(this: Tensor, b: TensorLike, transposeA?: boolean, transposeB?: boolean): Tensor {
    return matMul(this, b, transposeA, transposeB);
  },
};
