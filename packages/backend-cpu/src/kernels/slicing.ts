import {
  allocate,
  type KernelFn,
  type KernelRegistration,
  type SliceAttrs,
  type StridedSliceAttrs,
  sizeOf,
  stridedSliceSpec,
  stridesOf,
} from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { copyStrided } from "./strided_copy.js";

/**
 * Slicing kernels: both ops read a strided view of the input (start offset plus a step per
 * dimension), which `copyStrided` turns into contiguous runs wherever the slice allows.
 */

/** Slice: a box at `begin` whose size is the output shape. */
const sliceKernel: KernelFn<SliceAttrs, CpuBackend> = ({ inputs: [x], attrs, outputs: [out], backend }) => {
  const strides = stridesOf(x!.shape);
  let offset = 0;
  attrs.begin.forEach((b, i) => (offset += b * strides[i]!));
  const result = allocate(out!.dtype, sizeOf(out!.shape));
  copyStrided(backend.values(x!.dataId), offset, strides, out!.shape, result);
  return [backend.write(result, out!.shape, out!.dtype)];
};

/**
 * StridedSlice: core's `stridedSliceSpec` resolves the masks into a begin and step per
 * input dimension; the output is that view, reshaped (new and shrunk axes have size 1, so
 * they do not change the element order).
 */
const stridedSliceKernel: KernelFn<StridedSliceAttrs, CpuBackend> = ({ inputs: [x], attrs, outputs: [out], backend }) => {
  const spec = stridedSliceSpec(x!.shape, attrs);
  const inStrides = stridesOf(x!.shape);
  let offset = 0;
  const strides = spec.strides.map((s, i) => {
    offset += spec.begin[i]! * inStrides[i]!;
    return s * inStrides[i]!;
  });
  const result = allocate(out!.dtype, sizeOf(out!.shape));
  copyStrided(backend.values(x!.dataId), offset, strides, spec.sizes as number[], result);
  return [backend.write(result, out!.shape, out!.dtype)];
};

export const slicingKernels: KernelRegistration<any, CpuBackend>[] = [
  { op: "Slice", backend: "cpu", run: sliceKernel },
  { op: "StridedSlice", backend: "cpu", run: stridedSliceKernel },
];
