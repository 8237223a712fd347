import { type KernelFn, type KernelRegistration, type SliceAttrs, type StridedSliceAttrs, stridedSliceSpec, stridesOf } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { outputArray, outputId } from "./output.js";
import { copyStrided } from "./strided_copy.js";

/**
 * Slicing kernels: both ops read a strided view of the input (start offset plus a step per
 * dimension), which `copyStrided` turns into contiguous runs wherever the slice allows.
 */

/** Slice: a box at `begin` whose size is the output shape. */
const sliceKernel: KernelFn<SliceAttrs, CpuBackend> = (args) => {
  const {
    inputs: [x],
    attrs,
    outputs: [out],
    backend,
  } = args;
  const strides = stridesOf(x!.shape);
  let offset = 0;
  attrs.begin.forEach((b, i) => (offset += b * strides[i]!));
  // copyStrided writes every element, so an offered buffer's old values never show.
  const result = outputArray(args);
  copyStrided(backend.values(x!.dataId), offset, strides, out!.shape, result);
  return [outputId(args, result)];
};

/**
 * StridedSlice: core's `stridedSliceSpec` resolves the masks into a begin and step per
 * input dimension; the output is that view, reshaped (new and shrunk axes have size 1, so
 * they do not change the element order).
 */
const stridedSliceKernel: KernelFn<StridedSliceAttrs, CpuBackend> = (args) => {
  const {
    inputs: [x],
    attrs,
    backend,
  } = args;
  const spec = stridedSliceSpec(x!.shape, attrs);
  const inStrides = stridesOf(x!.shape);
  let offset = 0;
  const strides = spec.strides.map((s, i) => {
    offset += spec.begin[i]! * inStrides[i]!;
    return s * inStrides[i]!;
  });
  const result = outputArray(args);
  copyStrided(backend.values(x!.dataId), offset, strides, spec.sizes as number[], result);
  return [outputId(args, result)];
};

export const slicingKernels: KernelRegistration<any, CpuBackend>[] = [
  { op: "Slice", backend: "cpu", run: sliceKernel },
  { op: "StridedSlice", backend: "cpu", run: stridedSliceKernel },
];
