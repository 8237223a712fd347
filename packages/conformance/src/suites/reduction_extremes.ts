import { describe, expect, it } from "vitest";
import { expectClose, flat, tf } from "../context.js";

/** The smallest float32 subnormal, 2^-149. */
const TINY = 2 ** -149;
/** A larger float32 subnormal. */
const SUB = Math.fround(1e-40);
const INF = Number.POSITIVE_INFINITY;
/** The largest float32. */
const MAX = Math.fround(3.4028234663852886e38);

/**
 * The float32 product of `xs` as the cpu oracle computes it: in double precision, left to
 * right, rounded to float32 once.
 *
 * ```ts
 * doubleProduct([3e38, 10, 1e-10]); // Math.fround(3e29), where float32 steps give Infinity
 * ```
 */
function doubleProduct(xs: readonly number[]): number {
  return Math.fround(xs.reduce((p, x) => p * Math.fround(x), 1));
}

/** The float32 sum of `xs` as the cpu oracle computes it: in double precision, rounded once. */
function doubleSum(xs: readonly number[]): number {
  return Math.fround(xs.reduce((p, x) => p + Math.fround(x), 0));
}

/**
 * Asserts results agree with the oracle's: zeros (with their sign), infinities and NaN
 * exactly, finite values within a relative 1e-6 (a device may round each step's mantissa).
 */
function expectRounded(actual: readonly number[], expected: readonly number[], label: string): void {
  expect(actual.length, label).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i]!;
    if (e === 0 || !Number.isFinite(e)) expect(a, `${label}[${i}]`).toBe(e);
    else expect(Math.abs(a - e), `${label}[${i}]: ${a} vs ${e}`).toBeLessThanOrEqual(1e-6 * Math.abs(e));
  });
}

/** Both outputs of a Kiln topK as plain arrays. */
async function topKOf(x: number[], k: number): Promise<{ values: number[]; indices: number[] }> {
  const { values, indices } = tf.tidy(() => tf.topK(x, k));
  try {
    return { values: Array.from(await values.data()), indices: Array.from(await indices.data()) };
  } finally {
    tf.dispose([values, indices]);
  }
}

/** `row` padded with `fill` to `length` (1 leaves a product unchanged, 0 a sum). */
function padded(row: readonly number[], length: number, fill = 1): number[] {
  return [...row, ...new Array<number>(length - row.length).fill(fill)];
}

/** A [3, 3, 3] cube whose reduction over axes 0 and 2 reduces `rows[j]` into output j, spread over both axes. */
function spreadCube(rows: readonly (readonly number[])[], fill: number): tf.Tensor {
  const cube = new Array<number>(27).fill(fill);
  rows.forEach((row, j) => {
    row.forEach((v, n) => {
      cube[(n % 3) * 9 + j * 3 + Math.floor(n / 3)] = v;
    });
  });
  return tf.tensor(cube, [3, 3, 3]);
}

/**
 * Reductions and orderings at the edges of float32: products whose intermediate values
 * leave the float32 range, and subnormals and signed zeros in ordered selections. Devices
 * that flush subnormals in arithmetic (SwiftShader) or lack float64 (WGSL) must still give
 * the cpu oracle's values.
 */
export function reductionExtremesSuite(): void {
  describe("reduction extremes", () => {
    describe("prod", () => {
      // Each row's double-precision product is finite, +-Infinity, +-0, a subnormal or NaN.
      const ROWS: number[][] = [
        [3e38, 10, 1e-10],
        [1e-30, 1e-30, 1e30, 1e30],
        [-3e38, 3e38, 1e-38, 1e-38],
        [3e38, 10],
        [-3e38, 10],
        [1e-30, 1e-30],
        [-1e-30, 1e-30],
        [1e-30, 1e-15],
        [TINY, 1e30],
        [SUB, -SUB, 1e38, 1e38],
        [INF, 0],
        [INF, 1e-30, 1e-30],
        [3e38, 3e38, 0],
        [Number.NaN, 1],
        [-INF, -2, 1e-30],
      ];

      it("rounds the double-precision product once: intermediate products neither overflow nor underflow", async () => {
        for (const row of ROWS) {
          const { data } = await flat(() => tf.prod(row));
          expectRounded(data, [doubleProduct(row)], JSON.stringify(row));
        }
      });

      it("keeps the full exponent range on every loop layout (serial, workgroup tree, chunked, several passes)", async () => {
        for (const length of [7, 300, 5000]) {
          const rows = ROWS.map((row) => padded(row, length));
          const { data } = await flat(() => tf.prod(tf.tensor(rows.flat(), [rows.length, length]), 1));
          expectRounded(data, rows.map(doubleProduct), `rows of ${length}`);
        }
        // Axes 0 and 2 of [3, 3, 3] reduce in two passes; the partial products of either pass leave float32.
        const picks = [ROWS[0]!, ROWS[2]!, ROWS[10]!];
        const { data } = await flat(() => tf.prod(spreadCube(picks, 1), [-3, 2]));
        expectRounded(data, picks.map(doubleProduct), "axes [-3, 2] of [3, 3, 3]");
      });

      it("has a gradient that uses the in-range product of the other elements", async () => {
        // prod = 5e9, though 1e20 * 1e20 overflows float32; d/dx_i = prod / x_i.
        const x = [1e20, 1e20, 1e-30, 0.5];
        const product = doubleProduct(x);
        const { data } = await flat(() => tf.grad((t: tf.Tensor) => tf.prod(t))(x));
        expectClose(
          data,
          x.map((v) => Math.fround(product / Math.fround(v))),
          0,
          1e-6,
        );
      });
    });

    describe("sum, mean, cumsum", () => {
      // Each row's sum leaves the float32 range part way, or at the end. Every partial sum is
      // exact in double precision, so the oracle's result does not depend on the order.
      const ROWS: number[][] = [
        [MAX, MAX, -MAX],
        [-MAX, -MAX, INF],
        [MAX, MAX],
        [MAX, MAX, -MAX, -MAX, 2 ** 80],
        [1e30, -MAX, 3e38, -MAX, MAX],
        [MAX, 2 ** 104, MAX, -MAX, -MAX],
        [-MAX, -MAX, MAX],
        [MAX, -INF, MAX],
        [Number.NaN, MAX, MAX],
      ];
      const mean = (row: readonly number[]): number => Math.fround(row.reduce((p, x) => p + Math.fround(x), 0) / row.length);

      it("sum and mean round the double-precision sum once: partial sums beyond float32 neither overflow nor make NaN", async () => {
        for (const row of ROWS) {
          expectRounded((await flat(() => tf.sum(row))).data, [doubleSum(row)], `sum ${JSON.stringify(row)}`);
          expectRounded((await flat(() => tf.mean(row))).data, [mean(row)], `mean ${JSON.stringify(row)}`);
        }
      });

      it("keep partial sums beyond float32 on every loop layout (serial, workgroup tree, chunked, several passes)", async () => {
        for (const length of [7, 300, 5000]) {
          const rows = ROWS.map((row) => padded(row, length, 0));
          const x = (): tf.Tensor => tf.tensor(rows.flat(), [rows.length, length]);
          expectRounded((await flat(() => tf.sum(x(), 1))).data, rows.map(doubleSum), `sums of ${length}`);
          expectRounded((await flat(() => tf.mean(x(), 1))).data, rows.map(mean), `means of ${length}`);
        }
        const picks = [ROWS[0]!, ROWS[3]!, ROWS[4]!];
        const cube = picks.map((row) => padded(row, 9, 0));
        expectRounded((await flat(() => tf.sum(spreadCube(picks, 0), [-3, 2]))).data, cube.map(doubleSum), "sums over axes [-3, 2]");
        expectRounded((await flat(() => tf.mean(spreadCube(picks, 0), [-3, 2]))).data, cube.map(mean), "means over axes [-3, 2]");
      });

      it("cumsum rounds each double-precision running sum once", async () => {
        for (const row of ROWS) {
          const expected = row.map((_, i) => doubleSum(row.slice(0, i + 1)));
          expectRounded((await flat(() => tf.cumsum(row))).data, expected, `cumsum ${JSON.stringify(row)}`);
        }
      });
    });

    describe("ordered selections", () => {
      const ROW = [0, SUB, -TINY, -0, TINY, -SUB];

      it("topK ranks subnormals exactly and treats -0 as equal to +0 (the lower index first)", async () => {
        expect(await topKOf(ROW, 6)).toEqual({ values: [SUB, TINY, 0, -0, -TINY, -SUB], indices: [1, 4, 0, 3, 2, 5] });
        expect(await topKOf([-0, 0, TINY], 2)).toEqual({ values: [TINY, -0], indices: [2, 0] });
      });

      it("argMax and argMin compare subnormals exactly and give the lower index for -0 and +0", async () => {
        expect((await flat(() => tf.argMax(ROW))).data).toEqual([1]);
        expect((await flat(() => tf.argMin(ROW))).data).toEqual([5]);
        expect((await flat(() => tf.argMax([-0, 0]))).data).toEqual([0]);
        expect((await flat(() => tf.argMin([0, -0]))).data).toEqual([0]);
        expect((await flat(() => tf.argMax([0, TINY, -TINY]))).data).toEqual([1]);
        expect((await flat(() => tf.argMin([0, TINY, -TINY]))).data).toEqual([2]);
      });

      it("max and min keep subnormals, on short and long rows", async () => {
        for (const length of [6, 300, 5000]) {
          const row = [...ROW, ...new Array<number>(length - ROW.length).fill(0)];
          expect((await flat(() => tf.max(row))).data, `max of ${length}`).toEqual([SUB]);
          expect((await flat(() => tf.min(row))).data, `min of ${length}`).toEqual([-SUB]);
        }
        expect((await flat(() => tf.max([0, TINY]))).data).toEqual([TINY]);
        expect((await flat(() => tf.min([0, -TINY]))).data).toEqual([-TINY]);
      });
    });
  });
}
