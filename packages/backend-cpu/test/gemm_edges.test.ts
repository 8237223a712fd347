import { describe, expect, it } from "vitest";
import { gemmF32 } from "../src/kernels/gemm/gemm_f32.js";

/** A deterministic float32 matrix with a few exact small values. */
function values(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed;
  for (let i = 0; i < size; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = ((s % 2001) - 1000) / 256;
  }
  return out;
}

/** C = A·B in double, rounded once, with A (m×k) and B (k×n) given row-major or transposed. */
function naive(m: number, n: number, k: number, a: Float32Array, ta: boolean, b: Float32Array, tb: boolean): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[ta ? p * m + i : i * k + p]! * b[tb ? j * k + p : p * n + j]!;
      c[i * n + j] = sum;
    }
  return c;
}

function run(m: number, n: number, k: number, ta: boolean, tb: boolean, a: Float32Array, b: Float32Array, fill = Number.NaN): Float32Array {
  const c = new Float32Array(m * n).fill(fill);
  gemmF32(
    m,
    n,
    k,
    { data: a, offset: 0, rowStride: ta ? 1 : k, colStride: ta ? m : 1 },
    { data: b, offset: 0, rowStride: tb ? 1 : n, colStride: tb ? k : 1 },
    { data: c, offset: 0, rowStride: n },
    true,
  );
  return c;
}

describe("cpu GEMM (4x3 micro-kernel) edge shapes", () => {
  it("matches a naive product for every small shape and transpose, over a reused (NaN-filled) output", () => {
    const dims = [0, 1, 2, 3, 4, 5, 7, 9, 13];
    for (const m of dims)
      for (const n of dims)
        for (const k of dims)
          for (const ta of [false, true])
            for (const tb of [false, true]) {
              const a = values(m * k, m * 31 + k + 1);
              const b = values(k * n, n * 17 + k + 2);
              const got = run(m, n, k, ta, tb, a, b);
              const want = naive(m, n, k, a, ta, b, tb);
              expect(Array.from(got), `${m}x${n}x${k} ${ta} ${tb}`).toEqual(Array.from(want));
            }
  });

  it("large shapes crossing the KC, MC and NC blocks match, and NaN / Inf propagate only where they belong", () => {
    for (const [m, n, k] of [
      [130, 1025, 260],
      [5, 2049, 3],
      [257, 7, 513],
    ] as const) {
      const a = values(m * k, m + 3);
      const b = values(k * n, n + 5);
      a[k * 2 + 1] = Number.NaN; // row 2
      b[n * 4 + 6] = Number.POSITIVE_INFINITY; // column 6
      const got = run(m, n, k, false, false, a, b);
      const want = naive(m, n, k, a, false, b, false);
      for (let i = 0; i < m * n; i++) {
        const g = got[i]!;
        const w = want[i]!;
        if (Number.isNaN(w)) expect(g, `${i}`).toBeNaN();
        else if (!Number.isFinite(w)) expect(g, `${i}`).toBe(w);
        else expect(Math.abs(g - w), `${m}x${n}x${k} at ${i}: ${g} vs ${w}`).toBeLessThanOrEqual(Math.abs(w) * 1e-5 + 1e-3);
      }
    }
  });
});
