import {
  type ConcatV2Attrs,
  type DataArray,
  type DataId,
  type KernelArgs,
  type KernelFn,
  type KernelRegistration,
  type PackAttrs,
  type SplitVAttrs,
  sizeOf,
  type UnpackAttrs,
} from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { outputArray, outputId } from "./output.js";
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
const concatKernel: KernelFn<ConcatV2Attrs, CpuBackend> = (args) => {
  const {
    inputs,
    attrs,
    outputs: [out],
    backend,
  } = args;
  const outShape: readonly number[] = out!.shape;
  const a = axisOf(attrs.axis, outShape.length);
  const outer = sizeOf(outShape.slice(0, a));
  // The inputs' blocks cover every element, so an offered buffer's old values never show.
  const result = outputArray(args);
  if (result.length > 0) {
    interleave(
      inputs.map((t) => backend.values(t.dataId)),
      inputs.map((t) => sizeOf(t.shape.slice(a))),
      outer,
      result,
    );
  }
  return [outputId(args, result)];
};

/** Pack: like concat with each input given a size-1 axis at `axis`. */
const packKernel: KernelFn<PackAttrs, CpuBackend> = (args) => {
  const {
    inputs,
    attrs,
    outputs: [out],
    backend,
  } = args;
  const outShape: readonly number[] = out!.shape;
  const a = axisOf(attrs.axis, outShape.length);
  const outer = sizeOf(outShape.slice(0, a));
  const result = outputArray(args);
  if (result.length > 0) {
    const block = sizeOf(inputs[0]!.shape.slice(a));
    interleave(
      inputs.map((t) => backend.values(t.dataId)),
      inputs.map(() => block),
      outer,
      result,
    );
  }
  return [outputId(args, result)];
};

/**
 * Cuts `src` (viewed as `[outer, dim, inner]`) into consecutive parts of `sizes[k]` along
 * the middle dim, part k written into output k's array (an offered buffer or a fresh one:
 * the copies cover all of it). Returns the parts' ids.
 */
function cut(args: KernelArgs<any, CpuBackend>, outer: number, dim: number, inner: number, sizes: readonly number[]): DataId[] {
  const src = args.backend.values(args.inputs[0]!.dataId);
  let start = 0;
  return sizes.map((size, k) => {
    const block = size * inner;
    const part = outputArray(args, k);
    if (block > 0) {
      for (let o = 0; o < outer; o++) copyRun(src, (o * dim + start) * inner, part, o * block, block);
    }
    start += size;
    return outputId(args, part, k);
  });
}

/** Unpack: parts of size 1, each written without the axis. */
const unpackKernel: KernelFn<UnpackAttrs, CpuBackend> = (args) => {
  const shape = args.inputs[0]!.shape;
  const a = axisOf(args.attrs.axis, shape.length);
  return cut(
    args,
    sizeOf(shape.slice(0, a)),
    shape[a]!,
    sizeOf(shape.slice(a + 1)),
    args.outputs.map(() => 1),
  );
};

/** SplitV: the part sizes are the output shapes along the axis (already resolved by core). */
const splitKernel: KernelFn<SplitVAttrs, CpuBackend> = (args) => {
  const shape = args.inputs[0]!.shape;
  const a = axisOf(args.attrs.axis, shape.length);
  const sizes = args.outputs.map((o) => o.shape[a]!);
  return cut(args, sizeOf(shape.slice(0, a)), shape[a]!, sizeOf(shape.slice(a + 1)), sizes);
};

export const joiningKernels: KernelRegistration<any, CpuBackend>[] = [
  { op: "ConcatV2", backend: "cpu", run: concatKernel },
  { op: "Pack", backend: "cpu", run: packKernel },
  { op: "Unpack", backend: "cpu", run: unpackKernel },
  { op: "SplitV", backend: "cpu", run: splitKernel },
];
