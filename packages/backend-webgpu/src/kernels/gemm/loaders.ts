import { perThread, type Tile } from "./gemm.js";

/**
 * Tile loaders for dense operands: WGSL statements that stage one K slice of A or B in
 * workgroup memory, reading vec4s along the operand's contiguous dim when it is a multiple
 * of 4 (then a vec4 is either wholly inside the matrix or wholly outside). Out-of-range
 * elements load as zero. A is `[M, K]` (or `[K, M]` transposed) at `aOff` in `in0`; B is
 * `[K, N]` (or `[N, K]`) at `bOff` in `in1`.
 */

function loop(count: number, body: string): string {
  return Array.from({ length: count }, (_, r) => `{\n  let e = lid + ${r * 256}u;\n${body}\n}`).join("\n");
}

/** Statements that fill `As` from a dense A. `vector`: in0 is `array<vec4>`. */
export function denseLoadA(tile: Tile, transposed: boolean, vector: boolean, zero: string, vec: string): string {
  const { bm, bk } = tile;
  if (!transposed && !vector) {
    return loop(
      perThread(bm * bk),
      `  let m = e / ${bk}u; let k = e % ${bk}u; let gm = m0 + m; let gk = kt + k;
  var v = ${zero}; if (gm < M && gk < kEnd) { v = in0[aOff + gm * K + gk]; }
  As[(k * ${bm}u + m) / 4u][m % 4u] = v;`,
    );
  }
  if (!transposed) {
    return loop(
      perThread((bm * bk) / 4),
      `  let m = e / ${bk / 4}u; let k = (e % ${bk / 4}u) * 4u; let gm = m0 + m; let gk = kt + k;
  var v = ${vec}(${zero}); if (gm < M && gk < kEnd) { v = in0[(aOff + gm * K + gk) / 4u]; }
  As[(k * ${bm}u + m) / 4u][m % 4u] = v.x; As[((k + 1u) * ${bm}u + m) / 4u][m % 4u] = v.y;
  As[((k + 2u) * ${bm}u + m) / 4u][m % 4u] = v.z; As[((k + 3u) * ${bm}u + m) / 4u][m % 4u] = v.w;`,
    );
  }
  if (!vector) {
    return loop(
      perThread(bm * bk),
      `  let m = e % ${bm}u; let k = e / ${bm}u; let gm = m0 + m; let gk = kt + k;
  var v = ${zero}; if (gm < M && gk < kEnd) { v = in0[aOff + gk * M + gm]; }
  As[(k * ${bm}u + m) / 4u][m % 4u] = v;`,
    );
  }
  return loop(
    perThread((bm * bk) / 4),
    `  let m = (e % ${bm / 4}u) * 4u; let k = e / ${bm / 4}u; let gm = m0 + m; let gk = kt + k;
  var v = ${vec}(${zero}); if (gm < M && gk < kEnd) { v = in0[(aOff + gk * M + gm) / 4u]; }
  As[(k * ${bm}u + m) / 4u] = v;`,
  );
}

/** Statements that fill `Bs` from a dense B in `in1`. */
export function denseLoadB(tile: Tile, transposed: boolean, vector: boolean, zero: string, vec: string, source = "in1"): string {
  const { bn, bk } = tile;
  if (!transposed && !vector) {
    return loop(
      perThread(bn * bk),
      `  let n = e % ${bn}u; let k = e / ${bn}u; let gn = n0 + n; let gk = kt + k;
  var v = ${zero}; if (gn < N && gk < kEnd) { v = ${source}[bOff + gk * N + gn]; }
  Bs[(k * ${bn}u + n) / 4u][n % 4u] = v;`,
    );
  }
  if (!transposed) {
    return loop(
      perThread((bn * bk) / 4),
      `  let n = (e % ${bn / 4}u) * 4u; let k = e / ${bn / 4}u; let gn = n0 + n; let gk = kt + k;
  var v = ${vec}(${zero}); if (gn < N && gk < kEnd) { v = ${source}[(bOff + gk * N + gn) / 4u]; }
  Bs[(k * ${bn}u + n) / 4u] = v;`,
    );
  }
  if (!vector) {
    return loop(
      perThread(bn * bk),
      `  let k = e % ${bk}u; let n = e / ${bk}u; let gn = n0 + n; let gk = kt + k;
  var v = ${zero}; if (gn < N && gk < kEnd) { v = ${source}[bOff + gn * K + gk]; }
  Bs[(k * ${bn}u + n) / 4u][n % 4u] = v;`,
    );
  }
  return loop(
    perThread((bn * bk) / 4),
    `  let n = e / ${bk / 4}u; let k = (e % ${bk / 4}u) * 4u; let gn = n0 + n; let gk = kt + k;
  var v = ${vec}(${zero}); if (gn < N && gk < kEnd) { v = ${source}[(bOff + gn * K + gk) / 4u]; }
  Bs[(k * ${bn}u + n) / 4u][n % 4u] = v.x; Bs[((k + 1u) * ${bn}u + n) / 4u][n % 4u] = v.y;
  Bs[((k + 2u) * ${bn}u + n) / 4u][n % 4u] = v.z; Bs[((k + 3u) * ${bn}u + n) / 4u][n % 4u] = v.w;`,
  );
}

/**
 * Statements that fill `As` from any A given as an expression of `(gm, gk)` (both in range):
 * the implicit GEMMs of the convolutions compute their patch element on the fly.
 */
export function gatherLoadA(tile: Tile, zero: string, element: string): string {
  const { bm, bk } = tile;
  return loop(
    perThread(bm * bk),
    `  let m = e % ${bm}u; let k = e / ${bm}u; let gm = m0 + m; let gk = kt + k;
  var v = ${zero}; if (gm < M && gk < kEnd) { v = ${element}; }
  As[(k * ${bm}u + m) / 4u][m % 4u] = v;`,
  );
}

/** Statements that fill `Bs` from any B given as an expression of `(gk, gn)`. */
export function gatherLoadB(tile: Tile, zero: string, element: string): string {
  const { bn, bk } = tile;
  return loop(
    perThread(bn * bk),
    `  let n = e % ${bn}u; let k = e / ${bn}u; let gn = n0 + n; let gk = kt + k;
  var v = ${zero}; if (gn < N && gk < kEnd) { v = ${element}; }
  Bs[(k * ${bn}u + n) / 4u][n % 4u] = v;`,
  );
}
