import type { KernelArgs, KernelRegistration } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { type WindowGeometry, windowGeometry } from "./gemm/im2col.js";
import { outputArray, outputId, zeroedOutputArray } from "./output.js";

// Max pooling that remembers where each maximum was. `argmaxWindows` is the one window
// scan behind MaxPoolGrad and MaxPoolGradGrad (which find the maxima again) and behind the
// plan-only pair `MaxPoolWithArgmax` / `MaxPoolGradWithArgmax` that core runs instead of
// MaxPool + MaxPoolGrad in a training step, so both paths route gradients identically.

/**
 * For every pooled element, the flat index in `x` of its window's maximum, the first one in
 * row-major window order on ties (as TF and tfjs), or -1 for a window lying wholly in explicit
 * padding. A NaN beats every number (the forward max is NaN), and the first NaN wins. With
 * `maxima`, also writes each window's maximum there (-Infinity for an empty window): the
 * same values MaxPool computes.
 *
 * ```ts
 * const positions = argmaxWindows(x, geometry); // positions[i] indexes x
 * ```
 */
export function argmaxWindows(
  x: Float32Array,
  g: WindowGeometry,
  positions: Int32Array = new Int32Array(g.batch * g.outHeight * g.outWidth * g.channels),
  maxima?: Float32Array,
): Int32Array {
  const { inHeight, inWidth, channels: c, outHeight, outWidth } = g;
  const best = new Float32Array(c);
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
        if (yStart >= yEnd || xStart >= xEnd) {
          positions.fill(-1, o, o + c);
          maxima?.fill(Number.NEGATIVE_INFINITY, o, o + c);
          continue;
        }
        // The window's first pixel starts every channel's running maximum.
        const first = ((n * inHeight + yStart) * inWidth + xStart) * c;
        for (let ch = 0; ch < c; ch++) {
          best[ch] = x[first + ch]!;
          positions[o + ch] = first + ch;
        }
        for (let iy = yStart; iy < yEnd; iy++) {
          for (let ix = iy === yStart ? xStart + 1 : xStart; ix < xEnd; ix++) {
            const src = ((n * inHeight + iy) * inWidth + ix) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[src + ch]!;
              const b = best[ch]!;
              // Once the maximum is NaN nothing replaces it.
              if (v > b || (Number.isNaN(v) && !Number.isNaN(b))) {
                best[ch] = v;
                positions[o + ch] = src + ch;
              }
            }
          }
        }
        if (maxima !== undefined) maxima.set(best, o);
      }
    }
  }
  return positions;
}

/** MaxPoolWithArgmax(x) -> (y, argmax): one scan of each window gives its maximum and where it is. */
function maxPoolWithArgmax(args: KernelArgs<any, CpuBackend>) {
  const { inputs, attrs, outputs, backend } = args;
  const g = windowGeometry(inputs[0]!.shape, outputs[0]!.shape, attrs.ksize[1], attrs.ksize[2], attrs);
  const y = outputArray(args, 0) as Float32Array;
  const argmax = outputArray(args, 1) as Int32Array;
  argmaxWindows(backend.values(inputs[0]!.dataId) as Float32Array, g, argmax, y);
  return [outputId(args, y, 0), outputId(args, argmax, 1)];
}

/** MaxPoolGradWithArgmax(x, dy, argmax): each pooled gradient added onto `x`'s element at its argmax. */
function maxPoolGradWithArgmax(args: KernelArgs<any, CpuBackend>) {
  const { inputs, backend } = args;
  const dy = backend.values(inputs[1]!.dataId) as Float32Array;
  const argmax = backend.values(inputs[2]!.dataId) as Int32Array;
  const dx = zeroedOutputArray(args) as Float32Array;
  for (let i = 0; i < argmax.length; i++) {
    const p = argmax[i]!;
    if (p >= 0) dx[p] = dx[p]! + dy[i]!;
  }
  return [outputId(args, dx)];
}

/** Kernels of core's plan-only max-pool pair (see core's `pairMaxPools`). */
export const poolArgmaxKernels: KernelRegistration<any, CpuBackend>[] = [
  { op: "MaxPoolWithArgmax", backend: "cpu", run: maxPoolWithArgmax },
  { op: "MaxPoolGradWithArgmax", backend: "cpu", run: maxPoolGradWithArgmax },
];
