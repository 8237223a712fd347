import {
  type DataArray,
  type KernelFn,
  type KernelRegistration,
  type PadV2Attrs,
  type ReverseV2Attrs,
  stridesOf,
  type TransposeAttrs,
} from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { outputArray, outputId } from "./output.js";
import { copyRun, copyStrided } from "./strided_copy.js";

/**
 * Shape op kernels. Reshape-like ops (Reshape, ExpandDims, Squeeze) need none: core runs
 * them as views of their input's buffer. The others are strided copies (transpose, reverse), block replication (tile,
 * broadcastTo) or a fill plus row copies (pad).
 */

/** Doubles a written chunk in place until it appears `times` times in a row. */
function replicate(dst: DataArray, start: number, chunk: number, times: number): void {
  if (chunk === 1) {
    dst.fill(dst[start]!, start + 1, start + times);
    return;
  }
  for (let filled = 1; filled < times; ) {
    const k = Math.min(filled, times - filled);
    dst.copyWithin(start + filled * chunk, start, start + k * chunk);
    filled += k;
  }
}

/**
 * Writes `src` (shape `shape`) repeated `reps[i]` times along each dim into `dst`. Each
 * dim's first copy is written recursively, then replicated with `copyWithin`, so the work
 * is proportional to the output size with long contiguous copies.
 */
function tileInto(src: DataArray, shape: readonly number[], reps: readonly number[], dst: DataArray): void {
  if (dst.length === 0) return;
  // Merge a dim into the previous one when it is not repeated (the pair is one longer run).
  const dims: number[] = [];
  const times: number[] = [];
  shape.forEach((n, i) => {
    if (n === 1 && reps[i] === 1) return;
    if (reps[i] === 1 && dims.length > 0) dims[dims.length - 1]! *= n;
    else {
      dims.push(n);
      times.push(reps[i]!);
    }
  });
  const rank = dims.length;
  if (rank === 0) {
    dst[0] = src[0]!;
    return;
  }
  const inStrides = stridesOf(dims);
  const outBlock = stridesOf(dims.map((n, i) => n * times[i]!));
  const fill = (d: number, from: number, to: number): void => {
    const n = dims[d]!;
    if (d === rank - 1) copyRun(src, from, dst, to, n);
    else for (let i = 0; i < n; i++) fill(d + 1, from + i * inStrides[d]!, to + i * outBlock[d]!);
    replicate(dst, to, n * outBlock[d]!, times[d]!);
  };
  fill(0, 0, 0);
}

/** Tile: repeat the whole tensor along each dim. */
const tileKernel: KernelFn<any, CpuBackend> = (args) => {
  const {
    inputs: [x],
    attrs,
    backend,
  } = args;
  // tileInto writes every element, so an offered buffer's old values never show.
  const result = outputArray(args);
  tileInto(backend.values(x!.dataId), x!.shape, attrs.multiples as number[], result);
  return [outputId(args, result)];
};

/** BroadcastTo is a tile whose reps repeat the size-1 (and missing leading) dims. */
const broadcastKernel: KernelFn<any, CpuBackend> = (args) => {
  const {
    inputs: [x],
    outputs: [out],
    backend,
  } = args;
  const outShape: readonly number[] = out!.shape;
  const inShape = [...new Array<number>(outShape.length - x!.shape.length).fill(1), ...x!.shape];
  const reps = outShape.map((d, i) => (inShape[i] === d ? 1 : d));
  // tileInto writes every element, so an offered buffer's old values never show.
  const result = outputArray(args);
  tileInto(backend.values(x!.dataId), inShape, reps, result);
  return [outputId(args, result)];
};

/** Transpose: output dim i walks input dim perm[i]. */
const transposeKernel: KernelFn<TransposeAttrs, CpuBackend> = (args) => {
  const {
    inputs: [x],
    attrs,
    outputs: [out],
    backend,
  } = args;
  const rank = x!.shape.length;
  const inStrides = stridesOf(x!.shape);
  const strides = attrs.perm.map((p) => inStrides[p < 0 ? p + rank : p]!);
  const result = outputArray(args);
  copyStrided(backend.values(x!.dataId), 0, strides, out!.shape, result);
  return [outputId(args, result)];
};

/** ReverseV2: start at the last element of each reversed dim and step backwards. */
const reverseKernel: KernelFn<ReverseV2Attrs, CpuBackend> = (args) => {
  const {
    inputs: [x],
    attrs,
    backend,
  } = args;
  const shape = x!.shape;
  const strides = stridesOf(shape);
  let offset = 0;
  for (const a of new Set(attrs.axis.map((a) => (a < 0 ? a + shape.length : a)))) {
    offset += (shape[a]! - 1) * strides[a]!;
    strides[a] = -strides[a]!;
  }
  const result = outputArray(args);
  if (result.length > 0) copyStrided(backend.values(x!.dataId), offset, strides, shape, result);
  return [outputId(args, result)];
};

/** PadV2: fill with the constant, then copy each input row to its place inside. */
const padKernel: KernelFn<PadV2Attrs, CpuBackend> = (args) => {
  const {
    inputs: [x],
    attrs,
    outputs: [out],
    backend,
  } = args;
  const src = backend.values(x!.dataId);
  const inShape = x!.shape;
  const outShape = out!.shape;
  const result = outputArray(args);
  // A fresh array starts zeroed; an offered one holds old values.
  if (attrs.constantValue !== 0 || args.out?.[0] !== undefined) result.fill(attrs.constantValue);
  const rank = inShape.length;
  if (src.length === 0) return [outputId(args, result)];
  if (rank === 0) {
    result[0] = src[0]!;
    return [outputId(args, result)];
  }
  const outStrides = stridesOf(outShape);
  const row = inShape[rank - 1]!;
  let q = 0;
  for (let d = 0; d < rank; d++) q += attrs.paddings[d]![0] * outStrides[d]!;
  const index = new Array<number>(rank - 1).fill(0);
  for (let p = 0; p < src.length; p += row) {
    copyRun(src, p, result, q, row);
    for (let d = rank - 2; d >= 0; d--) {
      q += outStrides[d]!;
      index[d]!++;
      if (index[d]! < inShape[d]!) break;
      q -= outStrides[d]! * inShape[d]!;
      index[d] = 0;
    }
  }
  return [outputId(args, result)];
};

/** `Shape`: the input's dims as int32 values (only its shape is read, never its data). */
const shapeKernel: KernelFn<{}, CpuBackend> = ({ inputs: [x], outputs: [out], backend }) => [
  backend.write(Int32Array.from(x!.shape), out!.shape, "int32"),
];

/** `Size`: the input's element count as an int32 scalar. */
const sizeKernel: KernelFn<{}, CpuBackend> = ({ inputs: [x], outputs: [out], backend }) => [
  backend.write(Int32Array.of(x!.shape.reduce((a, b) => a * b, 1)), out!.shape, "int32"),
];

export const shapeOpsKernels: KernelRegistration<any, CpuBackend>[] = [
  { op: "Shape", backend: "cpu", run: shapeKernel },
  { op: "Size", backend: "cpu", run: sizeKernel },
  { op: "Transpose", backend: "cpu", run: transposeKernel },
  { op: "BroadcastTo", backend: "cpu", run: broadcastKernel },
  { op: "Tile", backend: "cpu", run: tileKernel },
  { op: "ReverseV2", backend: "cpu", run: reverseKernel },
  { op: "PadV2", backend: "cpu", run: padKernel },
];
