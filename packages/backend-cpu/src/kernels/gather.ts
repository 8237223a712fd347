import {
  ArgumentError,
  type DataArray,
  type GatherV2Attrs,
  type KernelFn,
  type KernelRegistration,
  type OneHotAttrs,
  sizeOf,
  stridesOf,
} from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { outputArray, outputId, zeroedOutputArray } from "./output.js";
import { copyRun } from "./strided_copy.js";

/**
 * Gather and scatter kernels. Index values are data, so they are range-checked here, all
 * of them before any output is written, and a bad one throws an ArgumentError like
 * TensorFlow's CPU kernels (`indices[1] = 5 is not in [0, 3)`).
 */

/** Formats a flat position in a tensor of `shape` as `[i,j,...]` for error messages. */
function position(flat: number, shape: readonly number[]): string {
  const coords = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    coords[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return `[${coords.join(",")}]`;
}

/** "0..n-1", or a note that nothing is valid for an empty dimension. */
function validRange(n: number): string {
  return n === 0 ? "none (the dimension is empty)" : `0..${n - 1}`;
}

/** Checks flat index values against `[0, dim)`; names the first bad one. */
function checkIndexValues(api: string, indices: DataArray, shape: readonly number[], dim: number, what: string): void {
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (v < 0 || v >= dim) {
      throw new ArgumentError(
        `${api}: indices${position(i, shape)} = ${v} is out of range for ${what} (size ${dim}); valid indices are ${validRange(dim)}`,
      );
    }
  }
}

/** Checks gatherNd/scatterNd index tuples against the first `depth` dims of `target`. */
function checkIndexTuples(api: string, indices: DataArray, shape: readonly number[], target: readonly number[], what: string): void {
  const depth = shape[shape.length - 1]!;
  for (let t = 0; t < indices.length; t += depth) {
    for (let j = 0; j < depth; j++) {
      const v = indices[t + j]!;
      if (v < 0 || v >= target[j]!) {
        const tuple = Array.from(indices.subarray(t, t + depth));
        throw new ArgumentError(
          `${api}: indices${position(t / depth, shape.slice(0, -1))} = [${tuple.join(",")}] does not index into ${what} of shape [${target.join(",")}]: ` +
            `entry ${j} is ${v}, but dimension ${j} has valid indices ${validRange(target[j]!)}`,
        );
      }
    }
  }
}

/**
 * GatherV2. Viewed as params `[batch, outer, dim, inner]` and indices `[batch, count]`,
 * each (batch, outer, index) copies one contiguous `inner` block.
 */
const gatherKernel: KernelFn<GatherV2Attrs, CpuBackend> = (args) => {
  const {
    inputs: [x, idx],
    attrs,
    backend,
  } = args;
  const params = x!.shape;
  const axis = attrs.axis < 0 ? attrs.axis + params.length : attrs.axis;
  const batchDims = attrs.batchDims < 0 ? attrs.batchDims + idx!.shape.length : attrs.batchDims;
  const indices = backend.values(idx!.dataId);
  const dim = params[axis]!;
  checkIndexValues("gather", indices, idx!.shape, dim, `axis ${axis} of x`);
  const src = backend.values(x!.dataId);
  const batch = sizeOf(params.slice(0, batchDims));
  const outer = sizeOf(params.slice(batchDims, axis));
  const inner = sizeOf(params.slice(axis + 1));
  const count = batch === 0 ? 0 : indices.length / batch;
  // Every element is copied from x, so an offered buffer's old values never show.
  const result = outputArray(args);
  let q = 0;
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outer; o++) {
      const base = (b * outer + o) * dim;
      const first = b * count;
      if (inner === 1) {
        for (let i = 0; i < count; i++) result[q++] = src[base + indices[first + i]!]!;
      } else {
        for (let i = 0; i < count; i++, q += inner) copyRun(src, (base + indices[first + i]!) * inner, result, q, inner);
      }
    }
  }
  return [outputId(args, result)];
};

/** Flat offsets (in elements of `target`) of each index tuple, after checking them. */
function tupleOffsets(api: string, indices: DataArray, shape: readonly number[], target: readonly number[], what: string): Float64Array {
  checkIndexTuples(api, indices, shape, target, what);
  const depth = shape[shape.length - 1]!;
  const strides = stridesOf(target);
  const count = depth === 0 ? sizeOf(shape.slice(0, -1)) : indices.length / depth;
  const offsets = new Float64Array(count);
  for (let t = 0; t < count; t++) {
    let offset = 0;
    for (let j = 0; j < depth; j++) offset += indices[t * depth + j]! * strides[j]!;
    offsets[t] = offset;
  }
  return offsets;
}

/** GatherNd: each index tuple picks one contiguous block of `x.shape[K:]`. */
const gatherNdKernel: KernelFn<{}, CpuBackend> = (args) => {
  const {
    inputs: [x, idx],
    backend,
  } = args;
  const offsets = tupleOffsets("gatherNd", backend.values(idx!.dataId), idx!.shape, x!.shape, "x");
  const src = backend.values(x!.dataId);
  const inner = sizeOf(x!.shape.slice(idx!.shape[idx!.shape.length - 1]!));
  const result = outputArray(args);
  for (let t = 0; t < offsets.length; t++) copyRun(src, offsets[t]!, result, t * inner, inner);
  return [outputId(args, result)];
};

/** ScatterNd: zeros, then each update block added at its tuple (int32 wraps, bool ors). */
const scatterNdKernel: KernelFn<{}, CpuBackend> = (args) => {
  const {
    inputs: [idx, upd],
    outputs: [out],
    backend,
  } = args;
  const shape: readonly number[] = out!.shape;
  const offsets = tupleOffsets("scatterNd", backend.values(idx!.dataId), idx!.shape, shape, "the output");
  const updates = backend.values(upd!.dataId);
  const inner = sizeOf(shape.slice(idx!.shape[idx!.shape.length - 1]!));
  // Updates add into zeros: an offered buffer is cleared first.
  const result = zeroedOutputArray(args);
  for (let t = 0; t < offsets.length; t++) {
    const q = offsets[t]!;
    const p = t * inner;
    if (out!.dtype === "float32") for (let i = 0; i < inner; i++) result[q + i]! += updates[p + i]!;
    else if (out!.dtype === "int32") for (let i = 0; i < inner; i++) result[q + i] = (result[q + i]! + updates[p + i]!) | 0;
    else for (let i = 0; i < inner; i++) result[q + i]! |= updates[p + i]!;
  }
  return [outputId(args, result)];
};

/** OneHot: fill with offValue, then set onValue where the index is in range. */
const oneHotKernel: KernelFn<OneHotAttrs, CpuBackend> = (args) => {
  const {
    inputs: [idx],
    attrs,
    backend,
  } = args;
  const indices = backend.values(idx!.dataId);
  const { depth, onValue, offValue } = attrs;
  const result = outputArray(args);
  // A fresh array starts zeroed; an offered one holds old values.
  if (offValue !== 0 || args.out?.[0] !== undefined) result.fill(offValue);
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    // TensorFlow's rule: an out-of-range index gives an all-off row, not an error.
    if (v >= 0 && v < depth) result[i * depth + v] = onValue;
  }
  return [outputId(args, result)];
};

export const gatherKernels: KernelRegistration<any, CpuBackend>[] = [
  { op: "GatherV2", backend: "cpu", run: gatherKernel },
  { op: "GatherNd", backend: "cpu", run: gatherNdKernel },
  { op: "ScatterNd", backend: "cpu", run: scatterNdKernel },
  { op: "OneHot", backend: "cpu", run: oneHotKernel },
];
