import type { DType } from "@kiln/core";
import { elementBytes } from "../runtime/heap.js";
import type { WasmModule } from "../runtime/module.js";
import { checkStatus, type TensorRef } from "./kernel_call.js";

const bits = new DataView(new ArrayBuffer(4));

/** The 32-bit pattern a fill writes for `value` in `dtype` (bools are 0 or 1). */
export function valueBits(value: number, dtype: DType): number {
  if (dtype === "float32") {
    bits.setFloat32(0, value, true);
    return bits.getInt32(0, true);
  }
  if (dtype === "int32") return value | 0;
  return value !== 0 ? 1 : 0;
}

/** Fills a whole tensor with one value. */
export function fill(module: WasmModule, out: TensorRef, value: number): void {
  module.exports.kiln_fill(out.ptr, elementBytes(out.dtype), valueBits(value, out.dtype), out.size);
}

/** Copies all of `src` into `dst` (same element count and dtype). */
export function copyAll(module: WasmModule, src: TensorRef, dst: TensorRef): void {
  module.exports.kiln_copy(dst.ptr, src.ptr, src.size * elementBytes(src.dtype));
}

/** Row-major element strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d]!;
  }
  return strides;
}

/**
 * Copies the view of `src` starting `srcOffset` elements in, stepping `srcStrides` per dim
 * (negative walks back, 0 repeats), into `dst` from `dstOffset` stepping `dstStrides`.
 *
 * ```ts
 * // Transpose of a [2, 3] matrix: output [3, 2] reads input strides [1, 3].
 * stridedCopy(module, "float32", x.ptr, 0, [1, 3], out.ptr, 0, [2, 1], [3, 2], "Transpose");
 * ```
 */
export function stridedCopy(
  module: WasmModule,
  dtype: DType,
  src: number,
  srcOffset: number,
  srcStrides: readonly number[],
  dst: number,
  dstOffset: number,
  dstStrides: readonly number[],
  shape: readonly number[],
  op: string,
): void {
  const size = elementBytes(dtype);
  const frame = module.frame.begin();
  frame
    .push(size)
    .push(src + srcOffset * size)
    .push(dst + dstOffset * size)
    .push(shape.length)
    .pushAll(shape)
    .pushAll(srcStrides)
    .pushAll(dstStrides);
  checkStatus(module, module.exports.kiln_strided_copy(frame.ptr) as number, op);
}
