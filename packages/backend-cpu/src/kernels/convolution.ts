import type { KernelArgs, KernelRegistration } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { gemmF32 } from "./gemm/gemm_f32.js";
import { im2col, windowGeometry } from "./gemm/im2col.js";
import type { MatrixView } from "./gemm/view.js";
import { outputArray, outputId, zeroedOutputArray } from "./output.js";

/** Patch-matrix floats per im2col chunk (1 MiB): enough rows to amortize re-packing the filter, few enough to stay cached. */
const CHUNK_FLOATS = 1 << 18;
/** Fewest patch rows per chunk, so a very deep filter still gets a useful GEMM. */
const MIN_CHUNK_ROWS = 64;

// The im2col chunk buffer, reused across calls (kernels run one at a time and never
// re-enter), so a convolution allocates nothing but its output.
let patchBuffer = new Float32Array(0);

/** A row-major matrix view with `columns` columns. */
function rowMajor(data: Float32Array, offset: number, columns: number): MatrixView<Float32Array> {
  return { data, offset, rowStride: columns, colStride: 1 };
}

/**
 * Conv2D as GEMM: the output `[pixels, outC]` is the patch matrix `[pixels, fh*fw*inC]`
 * times the filter, which is already that `[fh*fw*inC, outC]` matrix in memory. The patch
 * matrix is built a chunk of rows at a time so it stays in cache. A 1×1, stride-1 unpadded
 * convolution needs no patches: the image already is the patch matrix.
 */
function conv2d(args: KernelArgs<any, CpuBackend>) {
  const { inputs, attrs, outputs, backend } = args;
  const out = outputs[0]!;
  const filterShape = inputs[1]!.shape;
  const g = windowGeometry(inputs[0]!.shape, out.shape, filterShape[0]!, filterShape[1]!, attrs);
  const x = backend.values(inputs[0]!.dataId) as Float32Array;
  const filter = backend.values(inputs[1]!.dataId) as Float32Array;
  const outChannels = filterShape[3]!;
  const rows = g.batch * g.outHeight * g.outWidth;
  const depth = g.filterHeight * g.filterWidth * g.channels;
  const result = zeroedOutputArray(args) as Float32Array;
  const pointwise =
    g.filterHeight === 1 && g.filterWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 && g.padTop === 0 && g.padLeft === 0;
  if (pointwise && g.outHeight === g.inHeight && g.outWidth === g.inWidth) {
    gemmF32(rows, outChannels, depth, rowMajor(x, 0, depth), rowMajor(filter, 0, outChannels), {
      data: result,
      offset: 0,
      rowStride: outChannels,
    });
  } else if (rows > 0 && depth > 0 && outChannels > 0) {
    const chunkRows = Math.min(rows, Math.max(MIN_CHUNK_ROWS, Math.floor(CHUNK_FLOATS / depth)));
    if (patchBuffer.length < chunkRows * depth) patchBuffer = new Float32Array(chunkRows * depth);
    const patches = patchBuffer;
    for (let start = 0; start < rows; start += chunkRows) {
      const count = Math.min(chunkRows, rows - start);
      im2col(x, g, start, count, patches);
      gemmF32(count, outChannels, depth, rowMajor(patches, 0, depth), rowMajor(filter, 0, outChannels), {
        data: result,
        offset: start * outChannels,
        rowStride: outChannels,
      });
    }
  }
  return [outputId(args, result)];
}

/**
 * DepthwiseConv2dNative, directly: no channel mixing means no GEMM to reuse. For each output
 * pixel the in-bounds taps are listed once (input offset, filter offset); then four output
 * channels at a time sum over that list in local variables, so the inner loop only loads
 * the input and the filter. Output channel `q` reads input channel `floor(q / multiplier)`.
 */
function depthwiseConv2d(args: KernelArgs<any, CpuBackend>) {
  const { inputs, attrs, outputs, backend } = args;
  const out = outputs[0]!;
  const filterShape = inputs[1]!.shape;
  const g = windowGeometry(inputs[0]!.shape, out.shape, filterShape[0]!, filterShape[1]!, attrs);
  const x = backend.values(inputs[0]!.dataId) as Float32Array;
  const filter = backend.values(inputs[1]!.dataId) as Float32Array;
  const { inHeight, inWidth, channels, outHeight, outWidth, filterHeight, filterWidth } = g;
  const multiplier = filterShape[3]!;
  const outChannels = channels * multiplier;
  const result = zeroedOutputArray(args) as Float32Array;
  const channelOf = new Int32Array(outChannels);
  for (let q = 0; q < outChannels; q++) channelOf[q] = Math.floor(q / multiplier);
  const srcs = new Int32Array(filterHeight * filterWidth);
  const taps = new Int32Array(filterHeight * filterWidth);
  let o = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      for (let ox = 0; ox < outWidth; ox++, o += outChannels) {
        const x0 = ox * g.strideWidth - g.padLeft;
        let count = 0;
        for (let ky = 0; ky < filterHeight; ky++) {
          const iy = y0 + ky * g.dilationHeight;
          if (iy < 0 || iy >= inHeight) continue;
          for (let kx = 0; kx < filterWidth; kx++) {
            const ix = x0 + kx * g.dilationWidth;
            if (ix < 0 || ix >= inWidth) continue;
            srcs[count] = ((n * inHeight + iy) * inWidth + ix) * channels;
            taps[count++] = (ky * filterWidth + kx) * outChannels;
          }
        }
        let q = 0;
        for (; q + 4 <= outChannels; q += 4) {
          const c0 = channelOf[q]!;
          const c1 = channelOf[q + 1]!;
          const c2 = channelOf[q + 2]!;
          const c3 = channelOf[q + 3]!;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let t = 0; t < count; t++) {
            const src = srcs[t]!;
            const tap = taps[t]! + q;
            s0 += x[src + c0]! * filter[tap]!;
            s1 += x[src + c1]! * filter[tap + 1]!;
            s2 += x[src + c2]! * filter[tap + 2]!;
            s3 += x[src + c3]! * filter[tap + 3]!;
          }
          result[o + q] = s0;
          result[o + q + 1] = s1;
          result[o + q + 2] = s2;
          result[o + q + 3] = s3;
        }
        for (; q < outChannels; q++) {
          const c = channelOf[q]!;
          let sum = 0;
          for (let t = 0; t < count; t++) sum += x[srcs[t]! + c]! * filter[taps[t]! + q]!;
          result[o + q] = sum;
        }
      }
    }
  }
  return [outputId(args, result)];
}

/**
 * MaxPool (float32 or int32) and AvgPool (float32). Windows are clipped to the image, so
 * padding never wins a max and never counts toward a mean. NaN propagates through max.
 * A window that lies wholly in explicit padding is empty: its max is the dtype's lowest
 * value (-Infinity) and its mean NaN, as for TF's reductions over nothing.
 */
function pool(args: KernelArgs<any, CpuBackend>, kind: "max" | "avg") {
  const { inputs, attrs, outputs, backend } = args;
  const out = outputs[0]!;
  const g = windowGeometry(inputs[0]!.shape, out.shape, attrs.ksize[1], attrs.ksize[2], attrs);
  const x = backend.values(inputs[0]!.dataId) as Float32Array | Int32Array;
  const { inHeight, inWidth, channels: c, outHeight, outWidth } = g;
  // Every output element is written below, so an offered buffer's old values never show.
  const result = outputArray(args) as Float32Array | Int32Array;
  const lowest = out.dtype === "int32" ? -2147483648 : Number.NEGATIVE_INFINITY;
  const sums = new Float64Array(kind === "avg" ? c : 0);
  let o = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      const yStart = Math.max(y0, 0);
      const yEnd = Math.min(y0 + g.filterHeight, inHeight);
      for (let ox = 0; ox < outWidth; ox++, o += c) {
        const x0 = ox * g.strideWidth - g.padLeft;
        const xStart = Math.max(x0, 0);
        const xEnd = Math.min(x0 + g.filterWidth, inWidth);
        if (kind === "max") {
          result.fill(lowest, o, o + c);
          for (let iy = yStart; iy < yEnd; iy++) {
            for (let ix = xStart; ix < xEnd; ix++) {
              const src = ((n * inHeight + iy) * inWidth + ix) * c;
              for (let ch = 0; ch < c; ch++) {
                const v = x[src + ch]!;
                // A NaN always gets in; once in, nothing compares greater, so it stays.
                if (v > result[o + ch]! || Number.isNaN(v)) result[o + ch] = v;
              }
            }
          }
        } else {
          sums.fill(0);
          for (let iy = yStart; iy < yEnd; iy++) {
            for (let ix = xStart; ix < xEnd; ix++) {
              const src = ((n * inHeight + iy) * inWidth + ix) * c;
              for (let ch = 0; ch < c; ch++) sums[ch] = sums[ch]! + x[src + ch]!;
            }
          }
          const count = Math.max(yEnd - yStart, 0) * Math.max(xEnd - xStart, 0);
          for (let ch = 0; ch < c; ch++) result[o + ch] = sums[ch]! / count;
        }
      }
    }
  }
  return [outputId(args, result)];
}

/** Conv2D, DepthwiseConv2dNative, MaxPool and AvgPool over NHWC images. */
export const convolutionKernels: KernelRegistration<any, CpuBackend>[] = [
  { op: "Conv2D", backend: "cpu", run: conv2d },
  { op: "DepthwiseConv2dNative", backend: "cpu", run: depthwiseConv2d },
  { op: "MaxPool", backend: "cpu", run: (args) => pool(args, "max") },
  { op: "AvgPool", backend: "cpu", run: (args) => pool(args, "avg") },
];
