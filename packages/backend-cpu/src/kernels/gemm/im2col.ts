import { type WindowGeometry, windowGeometry } from "@kiln/core";

export { type WindowGeometry, windowGeometry };

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
