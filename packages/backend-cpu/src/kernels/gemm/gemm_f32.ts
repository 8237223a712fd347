import type { MatrixView, OutputView } from "./view.js";

/**
 * A cache-blocked, register-tiled float32 GEMM: `C += A · B` where A is m×k, B is k×n and
 * C is m×n row-major. A and B are read through (row stride, column stride) pairs, so a
 * transposed operand costs nothing extra: packing reads it in whatever order it lies.
 *
 * The structure is GotoBLAS's: B is cut into KC×NC blocks and packed into NR-wide column
 * panels, A into MC×KC blocks packed into MR-tall row panels, and a 4×3 micro-kernel keeps
 * its 12 partial sums in local variables (registers or L1 spill slots) while it streams one
 * A panel and one B panel, both contiguous. Packed panels fit L1 (one B panel, 6 KiB) and
 * L2 (one A block, 256 KiB), which is what turns JS's scalar loop into ~5 GFLOP/s.
 *
 * ```ts
 * const c = new Float32Array(m * n);
 * gemmF32(m, n, k, { data: a, offset: 0, rowStride: k, colStride: 1 }, { data: b, offset: 0, rowStride: n, colStride: 1 }, { data: c, offset: 0, rowStride: n });
 * ```
 */

/** Rows of A (and C) one micro-kernel call covers. */
const MR = 4;
/** Columns of B (and C) one micro-kernel call covers. */
const NR = 3;
/** Depth of one packed block: a B panel is KC×NR doubles (6 KiB), fits L1 next to A's (8 KiB). */
const KC = 256;
/** Rows per packed A block: MC×KC doubles (256 KiB) stay in L2 across all B panels. */
const MC = 128;
/** Columns per packed B block (a multiple of NR): KC×NC doubles (2 MiB) stay in L2/L3 across all A blocks. */
const NC = 1020;
/** Below this many multiply-adds packing costs more than it saves (measured: even 8³ gains from it). */
const SMALL_WORK = 8 * 8 * 8;

// Packing scratch, allocated once at its fixed maximum size and reused by every call (the
// cpu backend is single-threaded and kernels never re-enter). Float64 panels spare the
// micro-kernel a float32-to-double conversion per load (4-7% faster than Float32 panels at
// 4×4; at 4×8 the halved traffic of Float32 had won). Both blocks share one buffer (A's block
// first, B's after it at B_BLOCK), so the micro-kernel reads a single array.
//
// The buffer is a plain array of doubles, not a Float64Array: once any ArrayBuffer in the
// process has been detached (a transferred buffer, a grown wasm memory; loading tfjs-core
// under tsx's loader does it), V8 checks for detachment on every typed-array access, and
// the micro-kernel's loads are its hot path. A packed-double array has no such check: on the
// MLP step's products 1.35x faster than a Float64Array in such a process, 1.1x where no
// buffer was ever detached.
let packed: number[] | undefined;
/** Where the packed B block starts in the packing buffer. */
const B_BLOCK = MC * KC;

/** A plain array of `size` doubles (V8's packed-double elements kind: filled by push, never holey), see `packed`. */
function packingBuffer(size: number): number[] {
  const buffer: number[] = [];
  for (let i = 0; i < size; i++) buffer.push(0.5);
  return buffer;
}

/**
 * Adds the m×k matrix A times the k×n matrix B into C, or with `overwrite` stores the
 * product in C whatever C held (a reused output buffer).
 */
export function gemmF32(
  m: number,
  n: number,
  k: number,
  aView: MatrixView<Float32Array>,
  bView: MatrixView<Float32Array>,
  cView: OutputView<Float32Array>,
  overwrite = false,
): void {
  const { data: a, offset: aOffset, rowStride: aRowStride, colStride: aColStride } = aView;
  const { data: b, offset: bOffset, rowStride: bRowStride, colStride: bColStride } = bView;
  const { data: c, offset: cOffset, rowStride: ldc } = cView;
  if (overwrite) {
    if (k === 0 || !(m === 1 || n === 1 || (m < MR && n < NR) || m * n * k < SMALL_WORK)) {
      for (let i = 0; i < m; i++) c.fill(0, cOffset + i * ldc, cOffset + i * ldc + n);
      overwrite = false;
    }
  }
  if (m === 0 || n === 0 || k === 0) return;
  // Vectors (m or n of 1) and products smaller than one tile in both m and n would mostly
  // multiply the packing's zero padding; everything else, however skinny, gains from it.
  if (m === 1 || n === 1 || (m < MR && n < NR) || m * n * k < SMALL_WORK) {
    smallGemm(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, c, cOffset, ldc, overwrite);
    return;
  }
  packed ??= packingBuffer(MC * KC + KC * NC);
  const pk = packed;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(pk, B_BLOCK, b, bOffset + pc * bRowStride + jc * bColStride, bRowStride, bColStride, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(pk, a, aOffset + ic * aRowStride + pc * aColStride, aRowStride, aColStride, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            microKernel(kc, pk, ir * kc, B_BLOCK + jr * kc, c, cOffset + (ic + ir) * ldc + jc + jr, ldc, mr, nr);
          }
        }
      }
    }
  }
}

/**
 * Packs a kc×nc block of B into NR-wide panels: panel j holds, for each p, the NR values
 * B[p, j*NR .. j*NR+NR), zero-padded past the last column so the micro-kernel never branches.
 */
function packB(
  out: number[],
  start: number,
  b: Float32Array,
  base: number,
  rowStride: number,
  colStride: number,
  kc: number,
  nc: number,
): void {
  let idx = start;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = Math.min(NR, nc - jr);
    let row = base + jr * colStride;
    if (nr === NR && colStride === 1) {
      for (let p = 0; p < kc; p++, row += rowStride) {
        out[idx] = b[row]!;
        out[idx + 1] = b[row + 1]!;
        out[idx + 2] = b[row + 2]!;
        idx += NR;
      }
    } else {
      for (let p = 0; p < kc; p++, row += rowStride) {
        let q = 0;
        for (let at = row; q < nr; q++, at += colStride) out[idx++] = b[at]!;
        for (; q < NR; q++) out[idx++] = 0;
      }
    }
  }
}

/**
 * Packs an mc×kc block of A into MR-tall panels: panel i holds, for each p, the MR values
 * A[i*MR .. i*MR+MR), p], zero-padded past the last row.
 */
function packA(out: number[], a: Float32Array, base: number, rowStride: number, colStride: number, mc: number, kc: number): void {
  let idx = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = Math.min(MR, mc - ir);
    const r0 = base + ir * rowStride;
    if (mr === MR) {
      const r1 = r0 + rowStride;
      const r2 = r1 + rowStride;
      const r3 = r2 + rowStride;
      for (let p = 0, off = 0; p < kc; p++, off += colStride) {
        out[idx] = a[r0 + off]!;
        out[idx + 1] = a[r1 + off]!;
        out[idx + 2] = a[r2 + off]!;
        out[idx + 3] = a[r3 + off]!;
        idx += MR;
      }
    } else {
      for (let p = 0, off = 0; p < kc; p++, off += colStride) {
        let r = 0;
        for (let row = r0; r < mr; r++, row += rowStride) out[idx++] = a[row + off]!;
        for (; r < MR; r++) out[idx++] = 0;
      }
    }
  }
}

/**
 * C[0..mr, 0..nr) += (A panel)·(B panel) over kc (>= 1) steps, both panels in the one
 * packing buffer. The 12 sums are plain locals: with the four A values and one B value they
 * about fit x64's 16 float registers (a 4×4 tile spilled more, a 4×8 one spilled on every
 * step). Edge tiles (mr < 4 or nr < 3) share the loop and only store the part that exists.
 *
 * Written for what TurboFan emits: indices are `| 0` so their adds carry no overflow check;
 * the first step is peeled (the sums start as its products, what `0 + a·b` gives, and C is
 * never -0 where they are added), so the loop is entered with the buffer already checked;
 * one buffer for both panels halves the map check and pointer reloads TurboFan repeats on
 * every step. Against the plain 4×4 loop over two buffers: 15-18% faster on the MLP's
 * products, the same sums in the same order (bit-identical results).
 */
// biome-ignore format: the 4×3 tile reads best as one line per column of B
function microKernel(kc: number, pk: number[], ai: number, bi: number, c: Float32Array, ci: number, ldc: number, mr: number, nr: number): void {
  let a0 = pk[ai]!, a1 = pk[(ai + 1) | 0]!, a2 = pk[(ai + 2) | 0]!, a3 = pk[(ai + 3) | 0]!;
  let bv = pk[bi]!;
  let c00 = a0 * bv, c10 = a1 * bv, c20 = a2 * bv, c30 = a3 * bv;
  bv = pk[(bi + 1) | 0]!;
  let c01 = a0 * bv, c11 = a1 * bv, c21 = a2 * bv, c31 = a3 * bv;
  bv = pk[(bi + 2) | 0]!;
  let c02 = a0 * bv, c12 = a1 * bv, c22 = a2 * bv, c32 = a3 * bv;
  ai = (ai + MR) | 0;
  bi = (bi + NR) | 0;
  for (let p = 1; p < kc; p = (p + 1) | 0, ai = (ai + MR) | 0, bi = (bi + NR) | 0) {
    a0 = pk[ai]!; a1 = pk[(ai + 1) | 0]!; a2 = pk[(ai + 2) | 0]!; a3 = pk[(ai + 3) | 0]!;
    bv = pk[bi]!;
    c00 += a0 * bv; c10 += a1 * bv; c20 += a2 * bv; c30 += a3 * bv;
    bv = pk[(bi + 1) | 0]!;
    c01 += a0 * bv; c11 += a1 * bv; c21 += a2 * bv; c31 += a3 * bv;
    bv = pk[(bi + 2) | 0]!;
    c02 += a0 * bv; c12 += a1 * bv; c22 += a2 * bv; c32 += a3 * bv;
  }
  if (mr === MR && nr === NR) {
    c[ci] = c[ci]! + c00; c[ci + 1] = c[ci + 1]! + c01; c[ci + 2] = c[ci + 2]! + c02;
    ci += ldc;
    c[ci] = c[ci]! + c10; c[ci + 1] = c[ci + 1]! + c11; c[ci + 2] = c[ci + 2]! + c12;
    ci += ldc;
    c[ci] = c[ci]! + c20; c[ci + 1] = c[ci + 1]! + c21; c[ci + 2] = c[ci + 2]! + c22;
    ci += ldc;
    c[ci] = c[ci]! + c30; c[ci + 1] = c[ci + 1]! + c31; c[ci + 2] = c[ci + 2]! + c32;
    return;
  }
  storeEdgeRow(c, ci, nr, c00, c01, c02);
  if (mr > 1) storeEdgeRow(c, ci + ldc, nr, c10, c11, c12);
  if (mr > 2) storeEdgeRow(c, ci + 2 * ldc, nr, c20, c21, c22);
  if (mr > 3) storeEdgeRow(c, ci + 3 * ldc, nr, c30, c31, c32);
}

/** Adds the first `nr` of one tile row's sums into C (edge tiles only). */
function storeEdgeRow(c: Float32Array, ci: number, nr: number, v0: number, v1: number, v2: number): void {
  c[ci] = c[ci]! + v0;
  if (nr > 1) c[ci + 1] = c[ci + 1]! + v1;
  if (nr > 2) c[ci + 2] = c[ci + 2]! + v2;
}

/**
 * Vector and tiny products, where packing would dominate. Sums run in float64, in the same
 * order as the blocked path (depth ascending, then added to C), so results match it.
 */
function smallGemm(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  aOffset: number,
  aRowStride: number,
  aColStride: number,
  b: Float32Array,
  bOffset: number,
  bRowStride: number,
  bColStride: number,
  c: Float32Array,
  cOffset: number,
  ldc: number,
  overwrite: boolean,
): void {
  if (bColStride === 1 && n > 1) {
    // Rows of B are contiguous: eight columns at a time keep their sums in locals for the
    // whole depth (3x faster than sweeping a scratch row at 1×16×16, a recurrent cell's size).
    for (let i = 0; i < m; i++) {
      const aRow = aOffset + i * aRowStride;
      const cRow = cOffset + i * ldc;
      let j = 0;
      for (; j + 8 <= n; j += 8) smallGemmRow8(k, a, aRow, aColStride, b, bOffset + j, bRowStride, c, cRow + j, overwrite);
      for (; j < n; j++) {
        let sum = 0;
        for (let p = 0, bi = bOffset + j, ai = aRow; p < k; p++, bi += bRowStride, ai += aColStride) sum += a[ai]! * b[bi]!;
        c[cRow + j] = overwrite ? sum : c[cRow + j]! + sum;
      }
    }
    return;
  }
  // Columns of B are contiguous (or n is 1): one dot product per output.
  for (let i = 0; i < m; i++) {
    const aRow = aOffset + i * aRowStride;
    for (let j = 0; j < n; j++) {
      const bCol = bOffset + j * bColStride;
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[aRow + p * aColStride]! * b[bCol + p * bRowStride]!;
      c[cOffset + i * ldc + j] = overwrite ? sum : c[cOffset + i * ldc + j]! + sum;
    }
  }
}

/** Eight adjacent outputs of one row of C: `c[ci..ci+8] += a[row, :] · b[:, j..j+8]`. */
function smallGemmRow8(
  k: number,
  a: Float32Array,
  aRow: number,
  aColStride: number,
  b: Float32Array,
  bi: number,
  bRowStride: number,
  c: Float32Array,
  ci: number,
  overwrite: boolean,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  for (let p = 0, ai = aRow; p < k; p++, ai += aColStride, bi += bRowStride) {
    const av = a[ai]!;
    s0 += av * b[bi]!;
    s1 += av * b[bi + 1]!;
    s2 += av * b[bi + 2]!;
    s3 += av * b[bi + 3]!;
    s4 += av * b[bi + 4]!;
    s5 += av * b[bi + 5]!;
    s6 += av * b[bi + 6]!;
    s7 += av * b[bi + 7]!;
  }
  if (!overwrite) {
    s0 += c[ci]!;
    s1 += c[ci + 1]!;
    s2 += c[ci + 2]!;
    s3 += c[ci + 3]!;
    s4 += c[ci + 4]!;
    s5 += c[ci + 5]!;
    s6 += c[ci + 6]!;
    s7 += c[ci + 7]!;
  }
  c[ci] = s0;
  c[ci + 1] = s1;
  c[ci + 2] = s2;
  c[ci + 3] = s3;
  c[ci + 4] = s4;
  c[ci + 5] = s5;
  c[ci + 6] = s6;
  c[ci + 7] = s7;
}
