import type { ConcreteShape } from "@kiln/core";

/**
 * Where every window of a windowed op (convolution, pooling) sits in its NHWC input.
 * Core's `infer` already validated the attrs and computed the output size; this recovers
 * the one number it does not hand over: how much padding lies before the first row/column.
 */
export interface WindowGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/** The subset of Conv2D / pool attrs the geometry needs (TF layout: `[1, h, w, 1]`). */
export interface WindowAttrsLike {
  readonly strides: readonly number[];
  readonly dilations?: readonly number[];
  readonly padding: string;
  readonly explicitPaddings: readonly number[];
}

/**
 * TF's padding before the data: SAME splits `max((out - 1) * stride + effectiveFilter - in, 0)`
 * with the smaller half first; EXPLICIT reads it; VALID has none.
 */
function padBefore(
  padding: string,
  explicit: number,
  inSize: number,
  outSize: number,
  filter: number,
  stride: number,
  dilation: number,
): number {
  if (padding === "EXPLICIT") return explicit;
  if (padding !== "SAME") return 0;
  const total = Math.max((outSize - 1) * stride + (filter - 1) * dilation + 1 - inSize, 0);
  return Math.floor(total / 2);
}

/**
 * The geometry of a windowed op over `xShape` (rank 4, or rank 3 unbatched) producing
 * `outShape`, with a `filterHeight × filterWidth` window.
 *
 * ```ts
 * windowGeometry([1, 5, 5, 3], [1, 3, 3, 8], 3, 3, attrs).padTop; // 1 for SAME, stride 2
 * ```
 */
export function windowGeometry(
  xShape: ConcreteShape,
  outShape: ConcreteShape,
  filterHeight: number,
  filterWidth: number,
  attrs: WindowAttrsLike,
): WindowGeometry {
  const unbatched = xShape.length === 3;
  const [batch, inHeight, inWidth, channels] = unbatched ? [1, ...xShape] : xShape;
  const [outHeight, outWidth] = unbatched ? outShape : outShape.slice(1);
  const strideHeight = attrs.strides[1]!;
  const strideWidth = attrs.strides[2]!;
  const dilationHeight = attrs.dilations?.[1] ?? 1;
  const dilationWidth = attrs.dilations?.[2] ?? 1;
  return {
    batch: batch!,
    inHeight: inHeight!,
    inWidth: inWidth!,
    channels: channels!,
    outHeight: outHeight!,
    outWidth: outWidth!,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    padTop: padBefore(attrs.padding, attrs.explicitPaddings[2] ?? 0, inHeight!, outHeight!, filterHeight, strideHeight, dilationHeight),
    padLeft: padBefore(attrs.padding, attrs.explicitPaddings[4] ?? 0, inWidth!, outWidth!, filterWidth, strideWidth, dilationWidth),
  };
}

/**
 * Writes rows `[rowStart, rowStart + rowCount)` of the patch matrix into `out` (from 0):
 * row `r` is output pixel `r` (batch-major, then y, then x) and holds its window's values
 * in (ky, kx, channel) order, zeros where the window hangs over the padding. Multiplying
 * it by the filter seen as a `[fh * fw * inC, outC]` matrix is the convolution.
 */
export function im2col(x: Float32Array, g: WindowGeometry, rowStart: number, rowCount: number, out: Float32Array): void {
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
    // The kx range whose columns are inside the image, so the inner copies need no test.
    let kxStart = 0;
    while (kxStart < filterWidth && x0 + kxStart * g.dilationWidth < 0) kxStart++;
    let kxEnd = filterWidth;
    while (kxEnd > kxStart && x0 + (kxEnd - 1) * g.dilationWidth >= inWidth) kxEnd--;
    for (let ky = 0; ky < filterHeight; ky++) {
      const iy = y0 + ky * g.dilationHeight;
      if (iy < 0 || iy >= inHeight) {
        out.fill(0, o, o + span);
        o += span;
        continue;
      }
      const rowBase = (n * inHeight + iy) * inWidth * channels;
      if (kxStart > 0) out.fill(0, o, o + kxStart * channels);
      o += kxStart * channels;
      if (g.dilationWidth === 1) {
        // Consecutive kx read consecutive pixels: one contiguous run.
        const run = (kxEnd - kxStart) * channels;
        const src = rowBase + (x0 + kxStart) * channels;
        for (let i = 0; i < run; i++) out[o + i] = x[src + i]!;
        o += run;
      } else {
        for (let kx = kxStart; kx < kxEnd; kx++) {
          const src = rowBase + (x0 + kx * g.dilationWidth) * channels;
          for (let c = 0; c < channels; c++) out[o + c] = x[src + c]!;
          o += channels;
        }
      }
      const tail = (filterWidth - kxEnd) * channels;
      if (tail > 0) out.fill(0, o, o + tail);
      o += tail;
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
