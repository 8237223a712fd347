import type { KernelArgs, KernelRegistration } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { gemmF32 } from "./gemm/gemm_f32.js";
import { im2col, type WindowGeometry, windowGeometry } from "./gemm/im2col.js";
import type { MatrixView } from "./gemm/view.js";
import { outputId, zeroedOutputArray } from "./output.js";
import { argmaxWindows } from "./pool_argmax.js";

// The backprop kernels of the windowed ops: Conv2DBackpropInput / Conv2DBackpropFilter as
// GEMMs around the forward kernel's patch matrix, their depthwise twins directly, and the
// pooling gradients (MaxPoolGrad, MaxPoolGradGrad, AvgPoolGrad). Every kernel writes a fresh
// output; inputs are read-only.

/** Patch-matrix floats per chunk (1 MiB), as in the forward kernel: the chunk stays in cache. */
const CHUNK_FLOATS = 1 << 18;
/** Fewest patch rows per chunk, so a very deep filter still gets a useful GEMM. */
const MIN_CHUNK_ROWS = 64;

// The patch chunk buffer, reused across calls (kernels run one at a time and never re-enter).
let patchBuffer = new Float32Array(0);

function patches(rows: number, depth: number): { chunkRows: number; buffer: Float32Array } {
  const chunkRows = Math.min(rows, Math.max(MIN_CHUNK_ROWS, Math.floor(CHUNK_FLOATS / depth)));
  if (patchBuffer.length < chunkRows * depth) patchBuffer = new Float32Array(chunkRows * depth);
  return { chunkRows, buffer: patchBuffer };
}

function rowMajor(data: Float32Array, offset: number, columns: number): MatrixView<Float32Array> {
  return { data, offset, rowStride: columns, colStride: 1 };
}

/** A 1×1, stride-1, unpadded window over an image of the output's size: the image is its own patch matrix. */
function isPointwise(g: WindowGeometry): boolean {
  return (
    g.filterHeight === 1 &&
    g.filterWidth === 1 &&
    g.strideHeight === 1 &&
    g.strideWidth === 1 &&
    g.padTop === 0 &&
    g.padLeft === 0 &&
    g.outHeight === g.inHeight &&
    g.outWidth === g.inWidth
  );
}

/**
 * The adjoint of `im2col`: adds rows `[rowStart, rowStart + rowCount)` of a patch-gradient
 * matrix (laid out as im2col writes it, from 0) back into the image gradient `dx`, each
 * window element onto the pixel it was read from; taps over the padding are dropped.
 */
function col2im(cols: Float32Array, g: WindowGeometry, rowStart: number, rowCount: number, dx: Float32Array): void {
  const { inHeight, inWidth, channels, outHeight, outWidth, filterHeight, filterWidth } = g;
  const pixels = outHeight * outWidth;
  const rowLength = filterHeight * filterWidth * channels;
  const span = filterWidth * channels;
  let n = Math.floor(rowStart / pixels);
  let oy = Math.floor((rowStart % pixels) / outWidth);
  let ox = rowStart % outWidth;
  for (let r = 0; r < rowCount; r++) {
    let o = r * rowLength;
    const y0 = oy * g.strideHeight - g.padTop;
    const x0 = ox * g.strideWidth - g.padLeft;
    // The kx range whose columns are inside the image, so the inner loops need no test.
    let kxStart = 0;
    while (kxStart < filterWidth && x0 + kxStart * g.dilationWidth < 0) kxStart++;
    let kxEnd = filterWidth;
    while (kxEnd > kxStart && x0 + (kxEnd - 1) * g.dilationWidth >= inWidth) kxEnd--;
    for (let ky = 0; ky < filterHeight; ky++, o += span) {
      const iy = y0 + ky * g.dilationHeight;
      if (iy < 0 || iy >= inHeight) continue;
      const rowBase = (n * inHeight + iy) * inWidth * channels;
      let src = o + kxStart * channels;
      if (g.dilationWidth === 1) {
        // Consecutive kx touch consecutive pixels: one contiguous run.
        const run = (kxEnd - kxStart) * channels;
        const dst = rowBase + (x0 + kxStart) * channels;
        for (let i = 0; i < run; i++) dx[dst + i] = dx[dst + i]! + cols[src + i]!;
      } else {
        for (let kx = kxStart; kx < kxEnd; kx++, src += channels) {
          const dst = rowBase + (x0 + kx * g.dilationWidth) * channels;
          for (let c = 0; c < channels; c++) dx[dst + c] = dx[dst + c]! + cols[src + c]!;
        }
      }
    }
    if (++ox === outWidth) {
      ox = 0;
      if (++oy === outHeight) {
        oy = 0;
        n++;
      }
    }
  }
}

/**
 * Conv2DBackpropInput: the patch-matrix gradient `dy [pixels, outC] · filterᵀ [outC, fh*fw*inC]`,
 * a chunk of rows at a time, scattered back onto the image by `col2im`. For a pointwise
 * window the product already is the image gradient.
 */
function conv2dBackpropInput(args: KernelArgs<any, CpuBackend>) {
  const { inputs, attrs, outputs, backend } = args;
  const out = outputs[0]!;
  const [filterInfo, dyInfo] = inputs;
  const [fh, fw, , outChannels] = filterInfo!.shape as number[];
  const g = windowGeometry(out.shape, dyInfo!.shape, fh!, fw!, attrs);
  const filter = backend.values(filterInfo!.dataId) as Float32Array;
  const dy = backend.values(dyInfo!.dataId) as Float32Array;
  const rows = g.batch * g.outHeight * g.outWidth;
  const depth = fh! * fw! * g.channels;
  const dx = zeroedOutputArray(args) as Float32Array;
  // The filter is a row-major [depth, outC] matrix; its transpose is read by swapping strides.
  const filterT: MatrixView<Float32Array> = { data: filter, offset: 0, rowStride: 1, colStride: outChannels! };
  if (isPointwise(g)) {
    gemmF32(rows, depth, outChannels!, rowMajor(dy, 0, outChannels!), filterT, { data: dx, offset: 0, rowStride: depth });
  } else if (rows > 0 && depth > 0 && outChannels! > 0) {
    const { chunkRows, buffer } = patches(rows, depth);
    for (let start = 0; start < rows; start += chunkRows) {
      const count = Math.min(chunkRows, rows - start);
      buffer.fill(0, 0, count * depth);
      gemmF32(count, depth, outChannels!, rowMajor(dy, start * outChannels!, outChannels!), filterT, {
        data: buffer,
        offset: 0,
        rowStride: depth,
      });
      col2im(buffer, g, start, count, dx);
    }
  }
  return [outputId(args, dx)];
}

/**
 * Conv2DBackpropFilter: `patchesᵀ [fh*fw*inC, pixels] · dy [pixels, outC]`, accumulated over
 * chunks of patch rows (the GEMM adds into its output). The transpose costs nothing: the
 * GEMM reads the patch chunk with swapped strides.
 */
function conv2dBackpropFilter(args: KernelArgs<any, CpuBackend>) {
  const { inputs, attrs, outputs, backend } = args;
  const out = outputs[0]!;
  const [xInfo, dyInfo] = inputs;
  const [fh, fw, , outChannels] = out.shape as number[];
  const g = windowGeometry(xInfo!.shape, dyInfo!.shape, fh!, fw!, attrs);
  const x = backend.values(xInfo!.dataId) as Float32Array;
  const dy = backend.values(dyInfo!.dataId) as Float32Array;
  const rows = g.batch * g.outHeight * g.outWidth;
  const depth = fh! * fw! * g.channels;
  const dfilter = zeroedOutputArray(args) as Float32Array;
  const result = { data: dfilter, offset: 0, rowStride: outChannels! };
  if (isPointwise(g)) {
    gemmF32(depth, outChannels!, rows, { data: x, offset: 0, rowStride: 1, colStride: depth }, rowMajor(dy, 0, outChannels!), result);
  } else if (rows > 0 && depth > 0 && outChannels! > 0) {
    const { chunkRows, buffer } = patches(rows, depth);
    for (let start = 0; start < rows; start += chunkRows) {
      const count = Math.min(chunkRows, rows - start);
      im2col(x, g, start, count, buffer);
      gemmF32(
        depth,
        outChannels!,
        count,
        { data: buffer, offset: 0, rowStride: 1, colStride: depth },
        rowMajor(dy, start * outChannels!, outChannels!),
        result,
      );
    }
  }
  return [outputId(args, dfilter)];
}

/**
 * Lists the in-bounds taps of the window of output pixel (n, oy, ox): `srcs` gets each tap's
 * input pixel offset, `taps` its filter offset (tap index × `tapStride`). Returns the count.
 */
function windowTaps(g: WindowGeometry, n: number, oy: number, ox: number, tapStride: number, srcs: Int32Array, taps: Int32Array): number {
  const y0 = oy * g.strideHeight - g.padTop;
  const x0 = ox * g.strideWidth - g.padLeft;
  let count = 0;
  for (let ky = 0; ky < g.filterHeight; ky++) {
    const iy = y0 + ky * g.dilationHeight;
    if (iy < 0 || iy >= g.inHeight) continue;
    for (let kx = 0; kx < g.filterWidth; kx++) {
      const ix = x0 + kx * g.dilationWidth;
      if (ix < 0 || ix >= g.inWidth) continue;
      srcs[count] = ((n * g.inHeight + iy) * g.inWidth + ix) * g.channels;
      taps[count++] = (ky * g.filterWidth + kx) * tapStride;
    }
  }
  return count;
}

/**
 * Lists the taps that read input pixel (n, iy, ix): for each filter position (ky, kx) whose
 * window start lands on the stride grid inside the output, `dys` gets the output pixel's
 * offset (× `outChannels`) and `taps` the filter offset. The transpose of `windowTaps`.
 */
function readerTaps(g: WindowGeometry, n: number, iy: number, ix: number, outChannels: number, dys: Int32Array, taps: Int32Array): number {
  let count = 0;
  for (let ky = 0; ky < g.filterHeight; ky++) {
    const y = iy + g.padTop - ky * g.dilationHeight;
    if (y < 0 || y % g.strideHeight !== 0) continue;
    const oy = y / g.strideHeight;
    if (oy >= g.outHeight) continue;
    for (let kx = 0; kx < g.filterWidth; kx++) {
      const x = ix + g.padLeft - kx * g.dilationWidth;
      if (x < 0 || x % g.strideWidth !== 0) continue;
      const ox = x / g.strideWidth;
      if (ox >= g.outWidth) continue;
      dys[count] = ((n * g.outHeight + oy) * g.outWidth + ox) * outChannels;
      taps[count++] = (ky * g.filterWidth + kx) * outChannels;
    }
  }
  return count;
}

/**
 * DepthwiseConv2dNativeBackpropInput, directly (no channel mixing, so no GEMM), as a gather
 * like the forward kernel: each input pixel lists the taps that read it once, then sums
 * `dy[c * m + q] * filter[tap, c * m + q]` over them for four channels at a time in locals,
 * so every dx element is written once.
 */
function depthwiseBackpropInput({ inputs, attrs, outputs, backend }: KernelArgs<any, CpuBackend>) {
  const out = outputs[0]!;
  const [filterInfo, dyInfo] = inputs;
  const [fh, fw, , multiplier] = filterInfo!.shape as number[];
  const g = windowGeometry(out.shape, dyInfo!.shape, fh!, fw!, attrs);
  const filter = backend.values(filterInfo!.dataId) as Float32Array;
  const dy = backend.values(dyInfo!.dataId) as Float32Array;
  const channels = g.channels;
  const m = multiplier!;
  const outChannels = channels * m;
  const dx = new Float32Array(g.batch * g.inHeight * g.inWidth * channels);
  const dys = new Int32Array(fh! * fw!);
  const taps = new Int32Array(fh! * fw!);
  let i = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let iy = 0; iy < g.inHeight; iy++) {
      for (let ix = 0; ix < g.inWidth; ix++, i += channels) {
        const count = readerTaps(g, n, iy, ix, outChannels, dys, taps);
        if (count === 0) continue;
        let c = 0;
        if (m === 1) {
          for (; c + 4 <= channels; c += 4) {
            let s0 = 0;
            let s1 = 0;
            let s2 = 0;
            let s3 = 0;
            for (let t = 0; t < count; t++) {
              const o = dys[t]! + c;
              const k = taps[t]! + c;
              s0 += dy[o]! * filter[k]!;
              s1 += dy[o + 1]! * filter[k + 1]!;
              s2 += dy[o + 2]! * filter[k + 2]!;
              s3 += dy[o + 3]! * filter[k + 3]!;
            }
            dx[i + c] = s0;
            dx[i + c + 1] = s1;
            dx[i + c + 2] = s2;
            dx[i + c + 3] = s3;
          }
        }
        for (; c < channels; c++) {
          const q0 = c * m;
          let sum = 0;
          for (let t = 0; t < count; t++) {
            const o = dys[t]! + q0;
            const k = taps[t]! + q0;
            for (let q = 0; q < m; q++) sum += dy[o + q]! * filter[k + q]!;
          }
          dx[i + c] = sum;
        }
      }
    }
  }
  return [backend.write(dx, out.shape, out.dtype)];
}

/**
 * DepthwiseConv2dNativeBackpropFilter: `dfilter[tap, c * m + q] += x[tap's pixel, c] * dy[c * m + q]`
 * over every output pixel. The sums run over the whole batch, so they are kept in float64.
 */
function depthwiseBackpropFilter({ inputs, attrs, outputs, backend }: KernelArgs<any, CpuBackend>) {
  const out = outputs[0]!;
  const [xInfo, dyInfo] = inputs;
  const [fh, fw, , multiplier] = out.shape as number[];
  const g = windowGeometry(xInfo!.shape, dyInfo!.shape, fh!, fw!, attrs);
  const x = backend.values(xInfo!.dataId) as Float32Array;
  const dy = backend.values(dyInfo!.dataId) as Float32Array;
  const channels = g.channels;
  const m = multiplier!;
  const outChannels = channels * m;
  const sums = new Float64Array(fh! * fw! * outChannels);
  const srcs = new Int32Array(fh! * fw!);
  const taps = new Int32Array(fh! * fw!);
  let o = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++, o += outChannels) {
        const count = windowTaps(g, n, oy, ox, outChannels, srcs, taps);
        for (let t = 0; t < count; t++) {
          const src = srcs[t]!;
          const tap = taps[t]!;
          if (m === 1) {
            for (let c = 0; c < channels; c++) sums[tap + c] = sums[tap + c]! + x[src + c]! * dy[o + c]!;
          } else {
            for (let c = 0, q0 = 0; c < channels; c++, q0 += m) {
              const v = x[src + c]!;
              for (let q = q0; q < q0 + m; q++) sums[tap + q] = sums[tap + q]! + v * dy[o + q]!;
            }
          }
        }
      }
    }
  }
  return [backend.write(Float32Array.from(sums), out.shape, out.dtype)];
}

function poolGeometry(xShape: readonly number[], pooledShape: readonly number[], attrs: any): WindowGeometry {
  return windowGeometry(xShape, pooledShape, attrs.ksize[1], attrs.ksize[2], attrs);
}

/** MaxPoolGrad(x, y, dy): each pooled element's gradient added onto its window's maximum. */
function maxPoolGradKernel(args: KernelArgs<any, CpuBackend>) {
  const { inputs, attrs, backend } = args;
  const [xInfo, yInfo, dyInfo] = inputs;
  const g = poolGeometry(xInfo!.shape, yInfo!.shape, attrs);
  const positions = argmaxWindows(backend.values(xInfo!.dataId) as Float32Array, g);
  const dy = backend.values(dyInfo!.dataId) as Float32Array;
  const dx = zeroedOutputArray(args) as Float32Array;
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i]!;
    if (p >= 0) dx[p] = dx[p]! + dy[i]!;
  }
  return [outputId(args, dx)];
}

/** MaxPoolGradGrad(x, y, grad): each pooled element reads `grad` at its window's maximum. */
function maxPoolGradGradKernel({ inputs, attrs, outputs, backend }: KernelArgs<any, CpuBackend>) {
  const out = outputs[0]!;
  const [xInfo, , gradInfo] = inputs;
  const g = poolGeometry(xInfo!.shape, out.shape, attrs);
  const positions = argmaxWindows(backend.values(xInfo!.dataId) as Float32Array, g);
  const grad = backend.values(gradInfo!.dataId) as Float32Array;
  const result = new Float32Array(positions.length);
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i]!;
    result[i] = p >= 0 ? grad[p]! : 0;
  }
  return [backend.write(result, out.shape, out.dtype)];
}

/**
 * AvgPoolGrad(dy): each pooled element's gradient divided by its window's in-bounds count
 * (the forward mean's divisor) and added onto those elements.
 */
function avgPoolGradKernel({ inputs, attrs, outputs, backend }: KernelArgs<any, CpuBackend>) {
  const out = outputs[0]!;
  const dyInfo = inputs[0]!;
  const g = poolGeometry(out.shape, dyInfo.shape, attrs);
  const dy = backend.values(dyInfo.dataId) as Float32Array;
  const { inHeight, inWidth, channels: c, outHeight, outWidth } = g;
  const dx = new Float32Array(g.batch * inHeight * inWidth * c);
  const share = new Float32Array(c);
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
        if (yStart >= yEnd || xStart >= xEnd) continue;
        const count = (yEnd - yStart) * (xEnd - xStart);
        for (let ch = 0; ch < c; ch++) share[ch] = dy[o + ch]! / count;
        for (let iy = yStart; iy < yEnd; iy++) {
          for (let ix = xStart; ix < xEnd; ix++) {
            const dst = ((n * inHeight + iy) * inWidth + ix) * c;
            for (let ch = 0; ch < c; ch++) dx[dst + ch] = dx[dst + ch]! + share[ch]!;
          }
        }
      }
    }
  }
  return [backend.write(dx, out.shape, out.dtype)];
}

/** The backprop kernels of Conv2D, DepthwiseConv2dNative, MaxPool and AvgPool. */
export const convolutionGradKernels: KernelRegistration<any, CpuBackend>[] = [
  { op: "Conv2DBackpropInput", backend: "cpu", run: conv2dBackpropInput },
  { op: "Conv2DBackpropFilter", backend: "cpu", run: conv2dBackpropFilter },
  { op: "DepthwiseConv2dNativeBackpropInput", backend: "cpu", run: depthwiseBackpropInput },
  { op: "DepthwiseConv2dNativeBackpropFilter", backend: "cpu", run: depthwiseBackpropFilter },
  { op: "MaxPoolGrad", backend: "cpu", run: maxPoolGradKernel },
  { op: "MaxPoolGradGrad", backend: "cpu", run: maxPoolGradGradKernel },
  { op: "AvgPoolGrad", backend: "cpu", run: avgPoolGradKernel },
];
