import { describe, it } from "vitest";
import { matchesTfjs, randomValues, tf, tfjs } from "../context.js";

/**
 * Contractions with infinite and subnormal operands, against tfjs (IEEE float arithmetic in
 * JS). A device may flush subnormals in arithmetic (WGSL allows it), and a GEMM may stage
 * padding as zeros: neither may turn a product into NaN. Infinity times a subnormal is an
 * infinity, a tap the op skips (padding, off the stride grid) contributes nothing, and only
 * a true zero times infinity is NaN. Sizes cover small products and tiled ones (edge tiles,
 * vector and scalar loads, every transpose, a K long enough to be split).
 */

const TINY = 1e-45; // the smallest float32 subnormal
const SUBNORMAL = -1e-40;

/** Flat index of logical element (r, c) of a `rows x cols` matrix stored transposed when `transposed`. */
function at(rows: number, cols: number, transposed: boolean, r: number, c: number): number {
  return transposed ? c * rows + r : r * cols + c;
}

/** Random values in [-1, 1) for an `m x k` by `k x n` product, with infinities meeting subnormals (and one true zero). */
function operands(m: number, k: number, n: number, tA: boolean, tB: boolean, seed: number): [number[], number[]] {
  const a = randomValues(m * k, seed);
  const b = randomValues(k * n, seed + 1);
  // Last row (an edge tile), last k: +Infinity against a subnormal, a true zero and the rest.
  a[at(m, k, tA, m - 1, k - 1)] = Infinity;
  b[at(k, n, tB, k - 1, n - 1)] = TINY;
  if (n > 1) b[at(k, n, tB, k - 1, 0)] = 0;
  // First row, first k: -Infinity against a negative subnormal (+Infinity).
  a[at(m, k, tA, 0, 0)] = -Infinity;
  b[at(k, n, tB, 0, n - 1)] = SUBNORMAL;
  // A subnormal in A against an infinity in B.
  if (m > 2 && k > 2) {
    a[at(m, k, tA, 1, 1)] = TINY;
    b[at(k, n, tB, 1, 0)] = -Infinity;
  }
  return [a, b];
}

export function nonfiniteContractionsSuite(): void {
  describe("contractions with infinite and subnormal operands", () => {
    it("matMul: an infinity times a subnormal is infinite, not NaN, at small and tiled sizes, every transpose and split K", async () => {
      // (m, k, n, transposeA, transposeB): a small product every way; tiled with vec4 loads;
      // tiled with scalar loads (odd dims); a long K that is split. (Software GPUs run the
      // tiled sizes slowly: each once or twice.)
      const cases: [number, number, number, boolean, boolean][] = [
        [3, 5, 4, false, false],
        [3, 5, 4, false, true],
        [3, 5, 4, true, false],
        [3, 5, 4, true, true],
        [64, 68, 64, false, false],
        [64, 68, 64, true, true],
        [65, 67, 66, false, true],
        [65, 67, 66, true, false],
        [8, 1024, 40, false, false],
      ];
      let seed = 1;
      for (const [m, k, n, tA, tB] of cases) {
        const [a, b] = operands(m, k, n, tA, tB, seed++);
        const sa = tA ? [k, m] : [m, k];
        const sb = tB ? [n, k] : [k, n];
        await matchesTfjs(
          () => tf.matMul(tf.tensor(a, sa), tf.tensor(b, sb), tA, tB),
          () => tfjs.matMul(tfjs.tensor(a, sa), tfjs.tensor(b, sb), tA, tB),
          1e-3,
          1e-4,
        );
      }
      // Batched, with broadcast batch dims.
      const [a, b] = operands(3, 5, 4, false, false, 99);
      await matchesTfjs(
        () => tf.matMul(tf.tensor([...a, ...a], [2, 3, 5]), tf.tensor(b, [1, 5, 4])),
        () => tfjs.matMul(tfjs.tensor([...a, ...a], [2, 3, 5]), tfjs.tensor(b, [1, 5, 4])),
        1e-4,
      );
    });

    it("conv2d, depthwiseConv2d and conv2dTranspose: an infinite pixel times a subnormal filter tap is infinite, not NaN", async () => {
      // x [1, h, w, c]: infinities at a corner and inside; filters with subnormal taps.
      for (const [h, c, outC, pad, strides] of [
        [5, 2, 3, "valid", 1],
        [16, 8, 16, "same", 1], // large enough for the tiled GEMM
        [9, 3, 4, "same", 2],
      ] as const) {
        const x = randomValues(h * h * c, 7 + h);
        x[0] = Infinity;
        x[(Math.floor(h / 2) * h + 2) * c + 1] = -Infinity;
        const filter = randomValues(9 * c * outC, 8 + h);
        for (let i = 0; i < filter.length; i += 5) filter[i] = i % 2 === 0 ? TINY : SUBNORMAL;
        const xs = [1, h, h, c];
        const fs = [3, 3, c, outC];
        await matchesTfjs(
          () => tf.conv2d(tf.tensor(x, xs), tf.tensor(filter, fs), strides, pad),
          () =>
            tfjs.conv2d(
              tfjs.tensor4d(x, xs as [number, number, number, number]),
              tfjs.tensor4d(filter, fs as [number, number, number, number]),
              strides,
              pad,
            ),
          1e-4,
        );
        const dfs = [3, 3, c, 1];
        const dfilter = filter.slice(0, 9 * c);
        await matchesTfjs(
          () => tf.depthwiseConv2d(tf.tensor(x, xs), tf.tensor(dfilter, dfs), strides, pad),
          () =>
            tfjs.depthwiseConv2d(
              tfjs.tensor4d(x, xs as [number, number, number, number]),
              tfjs.tensor4d(dfilter, dfs as [number, number, number, number]),
              strides,
              pad,
            ),
          1e-4,
        );
        // conv2dTranspose reads x as dy: filter [3, 3, outC, c].
        const ts = [3, 3, outC, c];
        const side = pad === "same" ? strides * h : (h - 1) * strides + 3;
        const out = [1, side, side, outC];
        await matchesTfjs(
          () => tf.conv2dTranspose(tf.tensor(x, xs), tf.tensor(filter, ts), out, strides, pad),
          () =>
            tfjs.conv2dTranspose(
              tfjs.tensor4d(x, xs as [number, number, number, number]),
              tfjs.tensor4d(filter, ts as [number, number, number, number]),
              out as [number, number, number, number],
              strides,
              pad,
            ),
          1e-4,
        );
      }
    });

    it("depthwiseConv2d and conv2dTranspose: an infinite filter tap over padding or off the stride grid contributes nothing", async () => {
      for (const [h, c, outC, strides] of [
        [5, 2, 3, 1],
        [16, 8, 16, 1], // tiled GEMM for conv2dTranspose
        [9, 3, 4, 2],
      ] as const) {
        const x = randomValues(h * h * c, 17 + h, 0.5, 1.5); // positive: finite taps never cancel an infinity
        const filter = randomValues(9 * c * outC, 18 + h, 0.5, 1.5);
        // Corner taps: over the padding for border pixels (and, strided, off the grid for some).
        filter[0] = Infinity;
        filter[filter.length - 1] = Number.NaN;
        const xs = [1, h, h, c] as [number, number, number, number];
        const dfilter = [...filter.slice(0, 9 * c)];
        dfilter[dfilter.length - 1] = -Infinity;
        await matchesTfjs(
          () => tf.depthwiseConv2d(tf.tensor(x, xs), tf.tensor(dfilter, [3, 3, c, 1]), strides, "same"),
          () => tfjs.depthwiseConv2d(tfjs.tensor4d(x, xs), tfjs.tensor4d(dfilter, [3, 3, c, 1]), strides, "same"),
          1e-4,
        );
        const out = [1, strides * h, strides * h, outC] as [number, number, number, number];
        await matchesTfjs(
          () => tf.conv2dTranspose(tf.tensor(x, xs), tf.tensor(filter, [3, 3, outC, c]), out, strides, "same"),
          () => tfjs.conv2dTranspose(tfjs.tensor4d(x, xs), tfjs.tensor4d(filter, [3, 3, outC, c]), out, strides, "same"),
          1e-4,
        );
      }
    });
  });
}
