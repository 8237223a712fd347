import type { MatrixView, OutputView } from "./view.js";

/**
 * int32 matrix product, `C += A · B` with C-style wrap-around: every product is
 * `Math.imul` and every partial sum is truncated with `| 0`, so the result is the exact
 * 32-bit two's-complement answer whatever the order of summation. Views as in `gemmF32`.
 *
 * ```ts
 * gemmI32(m, n, k, { data: a, offset: 0, rowStride: k, colStride: 1 }, { data: b, offset: 0, rowStride: n, colStride: 1 }, { data: c, offset: 0, rowStride: n });
 * ```
 */
export function gemmI32(
  m: number,
  n: number,
  k: number,
  aView: MatrixView<Int32Array>,
  bView: MatrixView<Int32Array>,
  cView: OutputView<Int32Array>,
): void {
  const { data: a, offset: aOffset, rowStride: aRowStride, colStride: aColStride } = aView;
  const { data: b, offset: bOffset, rowStride: bRowStride, colStride: bColStride } = bView;
  const { data: c, offset: cOffset, rowStride: ldc } = cView;
  if (m === 0 || n === 0 || k === 0) return;
  if (bColStride === 1) {
    // i-p-j order: the inner loop walks a row of B and a row of C, both contiguous.
    for (let i = 0; i < m; i++) {
      const aRow = aOffset + i * aRowStride;
      const cRow = cOffset + i * ldc;
      for (let p = 0; p < k; p++) {
        const av = a[aRow + p * aColStride]!;
        if (av === 0) continue;
        const bRow = bOffset + p * bRowStride;
        for (let j = 0; j < n; j++) c[cRow + j] = (c[cRow + j]! + Math.imul(av, b[bRow + j]!)) | 0;
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const aRow = aOffset + i * aRowStride;
    for (let j = 0; j < n; j++) {
      const bCol = bOffset + j * bColStride;
      let sum = 0;
      for (let p = 0; p < k; p++) sum = (sum + Math.imul(a[aRow + p * aColStride]!, b[bCol + p * bRowStride]!)) | 0;
      c[cOffset + i * ldc + j] = (c[cOffset + i * ldc + j]! + sum) | 0;
    }
  }
}
