import type { ConcreteShape } from "@kiln/core";
import { checkStatus, type KernelCall, type TensorRef, type WasmKernel } from "./kernel_call.js";

/** Most products per wasm call (the argument frame holds two offsets per product). */
const BATCH_PER_CALL = 1800;

/** Element offsets of each output matrix's operand, broadcasting size-1 batch dims. */
function batchOffsets(operand: ConcreteShape, batchShape: readonly number[], matrixSize: number): Int32Array {
  const rank = batchShape.length;
  const own = operand.slice(0, -2);
  const strides = new Array<number>(rank).fill(0);
  let stride = matrixSize;
  for (let i = own.length - 1; i >= 0; i--) {
    strides[rank - own.length + i] = own[i] === 1 ? 0 : stride;
    stride *= own[i]!;
  }
  const total = batchShape.reduce((s, d) => s * d, 1);
  const offsets = new Int32Array(total);
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < total; i++) {
    offsets[i] = offset;
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

/**
 * `[..., m, k] x [..., k, n]` with optional transposes (as strides, never copies). A dense
 * layer over a stacked batch (`[b, rows, k] x [k, n]`) is one tall product.
 */
function matMul(call: KernelCall, transposeA: boolean, transposeB: boolean): void {
  const [a, b] = call.inputs as [TensorRef, TensorRef];
  const out = call.outputs[0]!;
  const aRows = a.shape[a.shape.length - 2]!;
  const aCols = a.shape[a.shape.length - 1]!;
  const bRows = b.shape[b.shape.length - 2]!;
  const bCols = b.shape[b.shape.length - 1]!;
  let m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const n = transposeB ? bRows : bCols;
  const batchShape = (out.shape as readonly number[]).slice(0, -2);
  let aOffsets: Int32Array;
  let bOffsets: Int32Array;
  const batchSize = batchShape.reduce((s, d) => s * d, 1);
  const bIsOneMatrix = b.shape.length === 2 || b.shape.slice(0, -2).every((d) => d === 1);
  const aHasEveryBatch = a.shape.length - 2 === batchShape.length && a.shape.slice(0, -2).every((d, i) => d === batchShape[i]);
  if (batchShape.length > 0 && bIsOneMatrix && aHasEveryBatch && !transposeA) {
    // One B for every batch of a row-major A: the stacked A is one tall matrix.
    m *= batchSize;
    aOffsets = new Int32Array(1);
    bOffsets = new Int32Array(1);
  } else {
    aOffsets = batchOffsets(a.shape, batchShape, aRows * aCols);
    bOffsets = batchOffsets(b.shape, batchShape, bRows * bCols);
  }
  const e = call.module.exports;
  const fn = out.dtype === "int32" ? e.kiln_matmul_i32 : e.kiln_matmul_f32;
  for (let start = 0; start < aOffsets.length; start += BATCH_PER_CALL) {
    const count = Math.min(BATCH_PER_CALL, aOffsets.length - start);
    const frame = call.module.frame.begin();
    frame
      .push(m)
      .push(n)
      .push(k)
      .push(a.ptr)
      .push(transposeA ? 1 : aCols)
      .push(transposeA ? aCols : 1)
      .push(b.ptr)
      .push(transposeB ? 1 : bCols)
      .push(transposeB ? bCols : 1)
      .push(out.ptr + start * m * n * 4)
      .push(count)
      .pushAll(aOffsets.subarray(start, start + count))
      .pushAll(bOffsets.subarray(start, start + count));
    checkStatus(call.module, fn(frame.ptr), call.op);
  }
}

/** MatMul (rank 2) and BatchMatMulV2 (batched, broadcasting) for float32 and int32. */
export const matmulKernels: { op: string; kernel: WasmKernel<any> }[] = [
  { op: "MatMul", kernel: (call) => matMul(call, call.attrs.transposeA === true, call.attrs.transposeB === true) },
  { op: "BatchMatMulV2", kernel: (call) => matMul(call, call.attrs.adjX === true, call.attrs.adjY === true) },
];
