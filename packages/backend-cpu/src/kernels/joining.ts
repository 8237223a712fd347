import {
  allocate,
  type ConcatV2Attrs,
  type DataArray,
  type DType,
  type KernelFn,
  type KernelRegistration,
  type PackAttrs,
  type SplitVAttrs,
  sizeOf,
  type UnpackAttrs,
} from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { copyRun } from "./strided_copy.js";

/**
 * Joining kernels. Viewed as `[outer, axis..., inner]`, concatenating or splitting along
 * an axis is interleaving contiguous blocks: for every outer index, each input contributes
 * (or each output receives) one run of `size along axis * inner` elements.
 */

/** Normalizes an axis that core's shape inference already validated. */
function axisOf(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/**
 * Writes, for each outer index, one block from each source in turn (concat and stack):
 * source `k` contributes `blocks[k]` contiguous elements per outer index.
 */
function interleave(sources: readonly DataArray[], blocks: readonly number[], outer: number, dst: DataArray): void {
  if (outer === 1) {
    let q = 0;
    sources.forEach((src, k) => {
      copyRun(src, 0, dst, q, blocks[k]!);
      q += blocks[k]!;
    });
    return;
  }
  let q = 0;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < sources.length; k++) {
      const n = blocks[k]!;
      copyRun(sources[k]!, o * n, dst, q, n);
      q += n;
    }
  }
}

/** ConcatV2: blocks are each input's `[axis..]` part. */
const concatKernel: KernelFn<ConcatV2Attrs, CpuBackend> = ({ inputs, attrs, outputs: [out], backend }) => {
  const outShape: readonly number[] = out!.shape;
  const a = axisOf(attrs.axis, outShape.length);
  const outer = sizeOf(outShape.slice(0, a));
  const result = allocate(out!.dtype, sizeOf(out!.shape));
  if (result.length > 0) {
    interleave(
      inputs.map((t) => backend.values(t.dataId)),
      inputs.map((t) => sizeOf(t.shape.slice(a))),
      outer,
      result,
    );
  }
  return [backend.write(result, out!.shape, out!.dtype)];
};

/** Pack: like concat with each input given a size-1 axis at `axis`. */
const packKernel: KernelFn<PackAttrs, CpuBackend> = ({ inputs, attrs, outputs: [out], backend }) => {
  const outShape: readonly number[] = out!.shape;
  const a = axisOf(attrs.axis, outShape.length);
  const outer = sizeOf(outShape.slice(0, a));
  const result = allocate(out!.dtype, sizeOf(out!.shape));
  if (result.length > 0) {
    const block = sizeOf(inputs[0]!.shape.slice(a));
    interleave(
      inputs.map((t) => backend.values(t.dataId)),
      inputs.map(() => block),
      outer,
      result,
    );
  }
  return [backend.write(result, out!.shape, out!.dtype)];
};

/**
 * Cuts `src` (viewed as `[outer, dim, inner]`) into consecutive parts of `sizes[k]` along
 * the middle dim, one output array per part.
 */
function cut(src: DataArray, outer: number, dim: number, inner: number, sizes: readonly number[], dtype: DType): DataArray[] {
  let start = 0;
  return sizes.map((size) => {
    const block = size * inner;
    const part = allocate(dtype, outer * block);
    if (block > 0) {
      for (let o = 0; o < outer; o++) copyRun(src, (o * dim + start) * inner, part, o * block, block);
    }
    start += size;
    return part;
  });
}

/** Unpack: parts of size 1, each written without the axis. */
const unpackKernel: KernelFn<UnpackAttrs, CpuBackend> = ({ inputs: [x], attrs, outputs, backend }) => {
  const shape = x!.shape;
  const a = axisOf(attrs.axis, shape.length);
  const parts = cut(
    backend.values(x!.dataId),
    sizeOf(shape.slice(0, a)),
    shape[a]!,
    sizeOf(shape.slice(a + 1)),
    outputs.map(() => 1),
    x!.dtype,
  );
  return parts.map((part, k) => backend.write(part, outputs[k]!.shape, outputs[k]!.dtype));
};

/** SplitV: the part sizes are the output shapes along the axis (already resolved by core). */
const splitKernel: KernelFn<SplitVAttrs, CpuBackend> = ({ inputs: [x], attrs, outputs, backend }) => {
  const shape = x!.shape;
  const a = axisOf(attrs.axis, shape.length);
  const sizes = outputs.map((o) => o.shape[a]!);
  const parts = cut(backend.values(x!.dataId), sizeOf(shape.slice(0, a)), shape[a]!, sizeOf(shape.slice(a + 1)), sizes, x!.dtype);
  return parts.map((part, k) => backend.write(part, outputs[k]!.shape, outputs[k]!.dtype));
};

export const joiningKernels: KernelRegistration<any, CpuBackend>[] = [
  { op: "ConcatV2", backend: "cpu", run: concatKernel },
  { op: "Pack", backend: "cpu", run: packKernel },
  { op: "Unpack", backend: "cpu", run: unpackKernel },
  { op: "SplitV", backend: "cpu", run: splitKernel },
];
