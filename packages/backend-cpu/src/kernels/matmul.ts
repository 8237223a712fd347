import type { ConcreteShape, KernelArgs, KernelRegistration, TensorData } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { gemmF32 } from "./gemm/gemm_f32.js";
import { gemmI32 } from "./gemm/gemm_i32.js";
import { outputArray, outputId, zeroedOutputArray } from "./output.js";

/**
 * `[...batchA, m, k] · [...batchB, k, n]` for MatMul (rank 2) and BatchMatMulV2 (batch dims
 * broadcast). Transposes never copy: they only swap the strides the GEMM packs with.
 */
function matMul(args: KernelArgs<any, CpuBackend>, transposeA: boolean, transposeB: boolean) {
  const { inputs, outputs, backend } = args;
  const aInfo = inputs[0]!;
  const bInfo = inputs[1]!;
  const out = outputs[0]!;
  const aRows = aInfo.shape[aInfo.shape.length - 2]!;
  const aCols = aInfo.shape[aInfo.shape.length - 1]!;
  const bRows = bInfo.shape[bInfo.shape.length - 2]!;
  const bCols = bInfo.shape[bInfo.shape.length - 1]!;
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const n = transposeB ? bRows : bCols;
  // Element (i, p) of op(A) and (p, j) of op(B), as strides into the row-major inputs.
  const aRowStride = transposeA ? 1 : aCols;
  const aColStride = transposeA ? aCols : 1;
  const bRowStride = transposeB ? 1 : bCols;
  const bColStride = transposeB ? bCols : 1;

  // Plain matrices (the common case, often tiny inside loops): no batch bookkeeping.
  if (out.shape.length === 2 && out.dtype === "float32") {
    const c = outputArray(args) as Float32Array;
    gemmF32(
      m,
      n,
      k,
      { data: backend.values(aInfo.dataId) as Float32Array, offset: 0, rowStride: aRowStride, colStride: aColStride },
      { data: backend.values(bInfo.dataId) as Float32Array, offset: 0, rowStride: bRowStride, colStride: bColStride },
      { data: c, offset: 0, rowStride: n },
      // A reused buffer holds old values: store the product instead of adding to them.
      args.out?.[0] !== undefined,
    );
    return [outputId(args, c)];
  }

  const batchShape: number[] = (out.shape as readonly number[]).slice(0, -2);
  const batchSize = batchShape.reduce((s, d) => s * d, 1);
  const isInt = out.dtype === "int32";
  // The GEMMs below add into their output: an offered buffer is cleared first.
  const result = zeroedOutputArray(args);
  const a = backend.values(aInfo.dataId);
  const b = backend.values(bInfo.dataId);
  // One GEMM per output matrix; transposes only change the strides of the views.
  const gemm = (rows: number, aOffset: number, bOffset: number, cOffset: number): void => {
    const aView = { offset: aOffset, rowStride: aRowStride, colStride: aColStride };
    const bView = { offset: bOffset, rowStride: bRowStride, colStride: bColStride };
    const cView = { offset: cOffset, rowStride: n };
    if (isInt) {
      gemmI32(
        rows,
        n,
        k,
        { data: a as Int32Array, ...aView },
        { data: b as Int32Array, ...bView },
        { data: result as Int32Array, ...cView },
      );
    } else {
      gemmF32(
        rows,
        n,
        k,
        { data: a as Float32Array, ...aView },
        { data: b as Float32Array, ...bView },
        { data: result as Float32Array, ...cView },
      );
    }
  };

  const aMatrix = aRows * aCols;
  const bMatrix = bRows * bCols;
  if (sizeOfBatch(bInfo) === 1 && !transposeA && sizeOfBatch(aInfo) === batchSize) {
    // One B for every batch of a row-major A (a dense layer on [batch, rows, features]):
    // the stacked A is one tall matrix, so a single GEMM packs B once.
    gemm(batchSize * m, 0, 0, 0);
  } else if (batchSize > 0) {
    const aOffsets = batchOffsets(aInfo, batchShape, aMatrix);
    const bOffsets = batchOffsets(bInfo, batchShape, bMatrix);
    for (let i = 0; i < batchSize; i++) gemm(m, aOffsets[i]!, bOffsets[i]!, i * m * n);
  }
  return [outputId(args, result)];
}

/** Number of matrices in a tensor's batch dims. */
function sizeOfBatch(info: TensorData): number {
  let size = 1;
  for (let i = 0; i < info.shape.length - 2; i++) size *= info.shape[i]!;
  return size;
}

/**
 * For each matrix of the broadcast output batch, the element offset of the operand's
 * matrix that feeds it (broadcast dims of size 1 repeat the same matrix).
 */
function batchOffsets(info: TensorData, batchShape: ConcreteShape, matrixSize: number): Int32Array | Float64Array {
  const rank = batchShape.length;
  const own = info.shape.slice(0, -2);
  // Strides (in matrices) of the operand's batch dims, aligned right, 0 where broadcast.
  const strides = new Array<number>(rank).fill(0);
  let stride = matrixSize;
  for (let i = own.length - 1; i >= 0; i--) {
    const dim = own[i]!;
    strides[rank - own.length + i] = dim === 1 ? 0 : stride;
    stride *= dim;
  }
  const total = batchShape.reduce((s, d) => s * d, 1);
  const offsets = stride > 0x7fffffff ? new Float64Array(total) : new Int32Array(total);
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < total; i++) {
    offsets[i] = offset;
    // Odometer increment over the output batch index, updating the offset incrementally.
    for (let d = rank - 1; d >= 0; d--) {
      index[d]!++;
      offset += strides[d]!;
      if (index[d]! < batchShape[d]!) break;
      offset -= strides[d]! * index[d]!;
      index[d] = 0;
    }
  }
  return offsets;
}

/** MatMul (rank 2) and BatchMatMulV2 (batched, broadcasting) for float32 and int32. */
export const matmulKernels: KernelRegistration<any, CpuBackend>[] = [
  {
    op: "MatMul",
    backend: "cpu",
    run: (args) => matMul(args, args.attrs.transposeA === true, args.attrs.transposeB === true),
  },
  {
    op: "BatchMatMulV2",
    backend: "cpu",
    run: (args) => matMul(args, args.attrs.adjX === true, args.attrs.adjY === true),
  },
];
