import { describe, expect, it } from "vitest";
import { expectClose, flat, matchesTfjs, randomValues, tf, tfjs, values } from "../context.js";

/** Runs a call that should throw inside tidy, so the constants it made before throwing are freed. */
function inTidy(fn: () => unknown): () => unknown {
  return () => tf.tidy(fn);
}

/** The operand shape for a logical `rows × cols` matrix stored transposed when `transposed`. */
function stored(rows: number, cols: number, transposed: boolean, batch: number[] = []): number[] {
  return [...batch, ...(transposed ? [cols, rows] : [rows, cols])];
}

/** Reference batched product in float64 over explicit (already broadcast) row-major stacks. */
function referenceMatMul(a: number[], b: number[], batch: number, m: number, k: number, n: number): number[] {
  const out: number[] = [];
  for (let q = 0; q < batch; q++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[q * m * k + i * k + p]! * b[q * k * n + p * n + j]!;
        out.push(sum);
      }
    }
  }
  return out;
}

const F32 = { dtype: "float32" as const };

/** MatMul and BatchMatMulV2. */
export function matmulSuite(): void {
  describe("matmul", () => {
    it("matches hand-computed products, as a function and a method", async () => {
      expect(
        await values(() =>
          tf.matMul(
            [
              [1, 2],
              [3, 4],
            ],
            [[5], [6]],
          ),
        ),
      ).toEqual({ shape: [2, 1], dtype: "float32", value: [[17], [39]] });
      expect(
        (
          await values(() =>
            tf
              .tensor([
                [1, 2],
                [3, 4],
              ])
              .matMul(
                [
                  [1, 0],
                  [0, 1],
                ],
                true,
              ),
          )
        ).value,
      ).toEqual([
        [1, 3],
        [2, 4],
      ]);
      expect((await values(() => tf.matMul([[1, 2, 3]], [[4, 5, 6]], false, true))).value).toEqual([[32]]);
      expect((await values(() => tf.matMul([[1, 2, 3]], [[4, 5, 6]], true, false))).value).toEqual([
        [4, 5, 6],
        [8, 10, 12],
        [12, 15, 18],
      ]);
    });

    it("matches tfjs for every transpose combination, at sizes around the 4x8 tile and the packing blocks", async () => {
      // (m, k, n): vectors and 7³ take the unpacked path; 33 and 65 leave ragged edge tiles;
      // k = 300 spans two depth blocks (256); n = 1030 two column blocks (1024); m = 130 two row blocks (128).
      const sizes: [number, number, number][] = [
        [1, 1, 1],
        [1, 7, 33],
        [40, 50, 1],
        [3, 200, 5],
        [7, 7, 7],
        [33, 65, 7],
        [65, 33, 65],
        [66, 300, 41],
        [5, 9, 1030],
        [130, 17, 9],
      ];
      let seed = 100;
      for (const [m, k, n] of sizes) {
        const a = randomValues(m * k, seed++);
        const b = randomValues(k * n, seed++);
        for (const transposeA of [false, true]) {
          for (const transposeB of [false, true]) {
            const sa = stored(m, k, transposeA);
            const sb = stored(k, n, transposeB);
            await matchesTfjs(
              () => tf.matMul(tf.tensor(a, sa), tf.tensor(b, sb), transposeA, transposeB),
              () => tfjs.matMul(tfjs.tensor(a, sa), tfjs.tensor(b, sb), transposeA, transposeB),
              1e-4,
              1e-4,
            );
          }
        }
      }
    });

    it("broadcasts batch dims in both directions: [2,1,3,4] x [5,4,2] is [2,5,3,2]", async () => {
      const a = randomValues(2 * 3 * 4, 1);
      const b = randomValues(5 * 4 * 2, 2);
      const result = await flat(() => tf.matMul(tf.tensor(a, [2, 1, 3, 4]), tf.tensor(b, [5, 4, 2])));
      expect(result.shape).toEqual([2, 5, 3, 2]);
      // tfjs 4.22 returns too few values for two-way batch broadcasting, so the oracle here is
      // an explicit float64 product over the broadcast stacks, checked against tfjs on tiled inputs.
      const aTiled: number[] = [];
      const bTiled: number[] = [];
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 5; j++) {
          aTiled.push(...a.slice(i * 12, i * 12 + 12));
          bTiled.push(...b.slice(j * 8, j * 8 + 8));
        }
      }
      expectClose(result.data, referenceMatMul(aTiled, bTiled, 10, 3, 4, 2), 1e-5, 1e-5, "[2,1,3,4] x [5,4,2]");
      await matchesTfjs(
        () => tf.matMul(tf.tensor(a, [2, 1, 3, 4]), tf.tensor(b, [5, 4, 2])),
        () => tfjs.matMul(tfjs.tensor(aTiled, [2, 5, 3, 4]), tfjs.tensor(bTiled, [2, 5, 4, 2])),
      );
    });

    it("matches tfjs for batched products with one side broadcast, with transposes", async () => {
      const cases: { a: number[]; b: number[]; tA: boolean; tB: boolean }[] = [
        { a: [3, 4, 5], b: [5, 6], tA: false, tB: false }, // one B for every batch (a dense layer)
        { a: [3, 5, 4], b: [6, 5], tA: true, tB: true },
        { a: [4, 5], b: [3, 5, 6], tA: false, tB: false }, // one A for every batch
        { a: [2, 3, 9, 40], b: [2, 3, 40, 11], tA: false, tB: false },
        { a: [2, 3, 40, 9], b: [1, 3, 11, 40], tA: true, tB: true },
        { a: [1, 2, 7, 8], b: [8, 7], tA: false, tB: false },
      ];
      let seed = 200;
      for (const { a, b, tA, tB } of cases) {
        const av = randomValues(
          a.reduce((s, d) => s * d, 1),
          seed++,
        );
        const bv = randomValues(
          b.reduce((s, d) => s * d, 1),
          seed++,
        );
        await matchesTfjs(
          () => tf.matMul(tf.tensor(av, a), tf.tensor(bv, b), tA, tB),
          () => tfjs.matMul(tfjs.tensor(av, a), tfjs.tensor(bv, b), tA, tB),
          1e-4,
          1e-4,
        );
      }
    });

    it("gives zeros when the inner dimension is 0, and empty results for empty outer dims", async () => {
      expect(await values(() => tf.matMul(tf.zeros([2, 0]), tf.zeros([0, 3])))).toEqual({
        shape: [2, 3],
        dtype: "float32",
        value: [
          [0, 0, 0],
          [0, 0, 0],
        ],
      });
      expect((await values(() => tf.matMul(tf.zeros([0, 2], "int32"), tf.zeros([0, 3], "int32"), true))).value).toEqual([
        [0, 0, 0],
        [0, 0, 0],
      ]);
      expect(await flat(() => tf.matMul(tf.zeros([0, 4]), tf.zeros([4, 3])))).toEqual({ shape: [0, 3], ...F32, data: [] });
      expect(await flat(() => tf.matMul(tf.zeros([3, 4]), tf.zeros([4, 0])))).toEqual({ shape: [3, 0], ...F32, data: [] });
      expect(await flat(() => tf.matMul(tf.zeros([0, 2, 3]), tf.zeros([3, 4])))).toEqual({ shape: [0, 2, 4], ...F32, data: [] });
      expect(await flat(() => tf.matMul(tf.zeros([1, 2, 3]), tf.zeros([0, 3, 4])))).toEqual({ shape: [0, 2, 4], ...F32, data: [] });
    });

    it("multiplies int32 exactly, wrapping around on overflow like C", async () => {
      expect(
        await values(() =>
          tf.matMul(
            tf.tensor(
              [
                [1, 2],
                [3, 4],
              ],
              undefined,
              "int32",
            ),
            tf.tensor(
              [
                [5, 6],
                [7, 8],
              ],
              undefined,
              "int32",
            ),
          ),
        ),
      ).toEqual({
        shape: [2, 2],
        dtype: "int32",
        value: [
          [19, 22],
          [43, 50],
        ],
      });
      // 65536 * 65536 = 2^32 wraps to 0; 2147483647 + 1 wraps to -2147483648.
      expect(
        (await values(() => tf.matMul(tf.tensor([[65536]], undefined, "int32"), tf.tensor([[65536]], undefined, "int32")))).value,
      ).toEqual([[0]]);
      expect(
        (await values(() => tf.matMul(tf.tensor([[2147483647, 1]], undefined, "int32"), tf.tensor([[1], [1]], undefined, "int32")))).value,
      ).toEqual([[-2147483648]]);
      // 46341^2 = 2147488281 is not exact in float32; Math.imul keeps every bit.
      expect(
        (await values(() => tf.matMul(tf.tensor([[46341, 0]], undefined, "int32"), tf.tensor([[46341], [5]], undefined, "int32")))).value,
      ).toEqual([[(46341 * 46341) | 0]]);
      const a = randomValues(5 * 2 * 7, 300, -50, 50).map(Math.round);
      const b = randomValues(5 * 7 * 9, 301, -50, 50).map(Math.round);
      for (const [tA, tB] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        await matchesTfjs(
          () => tf.matMul(tf.tensor(a, stored(2, 7, tA, [5]), "int32"), tf.tensor(b, stored(7, 9, tB, [5]), "int32"), tA, tB),
          () => tfjs.matMul(tfjs.tensor(a, stored(2, 7, tA, [5]), "int32"), tfjs.tensor(b, stored(7, 9, tB, [5]), "int32"), tA, tB),
        );
      }
    });

    it("propagates NaN and Infinity", async () => {
      expect((await values(() => tf.matMul([[Number.NaN, 1]], [[1], [1]]))).value).toEqual([[Number.NaN]]);
      expect((await values(() => tf.matMul([[Number.POSITIVE_INFINITY, 1]], [[0], [1]]))).value).toEqual([[Number.NaN]]);
      expect((await values(() => tf.matMul([[Number.POSITIVE_INFINITY, 1]], [[2], [1]]))).value).toEqual([[Number.POSITIVE_INFINITY]]);
      const big = Array.from({ length: 40 * 40 }, (_, i) => (i === 5 ? Number.NaN : 1));
      const out = await flat(() => tf.matMul(tf.tensor(big, [40, 40]), tf.ones([40, 40])));
      // Row 0 of A holds the NaN, so exactly row 0 of the product is NaN (the blocked path).
      expect(out.data.slice(0, 40).every(Number.isNaN)).toBe(true);
      expect(out.data.slice(40).every((v) => v === 40)).toBe(true);
    });

    it("infers shapes with unknown (null) dims for traced calls", () => {
      const info = (shape: (number | null)[]) => ({ shape, dtype: "float32" as const });
      expect(tf.MatMul.infer([info([null, 3]), info([3, null])], { transposeA: false, transposeB: false })).toEqual([info([null, null])]);
      expect(tf.MatMul.infer([info([4, null]), info([5, 6])], { transposeA: false, transposeB: true })).toEqual([info([4, 5])]);
      expect(tf.BatchMatMulV2.infer([info([null, 2, 3]), info([3, 4])], { adjX: false, adjY: false })).toEqual([info([null, 2, 4])]);
      expect(tf.BatchMatMulV2.infer([info([null, 1, 2, 3]), info([5, 3, 4])], { adjX: false, adjY: false })).toEqual([
        info([null, 5, 2, 4]),
      ]);
      expect(() => tf.MatMul.infer([info([null, 3]), info([4, null])], { transposeA: false, transposeB: false })).toThrow(tf.ShapeError);
    });

    it("rejects bad inputs with typed errors naming the shapes and flags", () => {
      expect(inTidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([2, 3])))).toThrow(tf.ShapeError);
      expect(inTidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([2, 3])))).toThrow(
        /matMul: inner dimensions must agree.*\[2,3\] \(transposeA=false\).*\[2,3\] \(transposeB=false\)/,
      );
      expect(inTidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([2, 3]), true, true))).toThrow(/a has 2 columns and b has 3 rows/);
      expect(inTidy(() => tf.matMul(tf.ones([3]), tf.ones([3, 2])))).toThrow(tf.ShapeError);
      expect(inTidy(() => tf.matMul(tf.ones([3]), tf.ones([3, 2])))).toThrow(/rank >= 2/);
      expect(inTidy(() => tf.matMul(tf.ones([2, 2]), 3))).toThrow(/rank >= 2/);
      expect(inTidy(() => tf.matMul(tf.ones([2, 3, 4]), tf.ones([3, 4, 5])))).toThrow(tf.ShapeError);
      expect(inTidy(() => tf.matMul(tf.ones([2, 3, 4]), tf.ones([3, 4, 5])))).toThrow(/batch dimensions \[2\] and \[3\]/);
      expect(inTidy(() => tf.matMul(tf.tensor([[true]]), tf.tensor([[false]])))).toThrow(tf.DTypeError);
      expect(inTidy(() => tf.matMul(tf.ones([2, 2]), tf.ones([2, 2], "int32")))).toThrow(tf.DTypeError);
      expect(() =>
        tf.MatMul.infer(
          [
            { shape: [2, 2], dtype: "float32" },
            { shape: [2, 2], dtype: "float32" },
          ],
          { transposeA: "yes", transposeB: false } as never,
        ),
      ).toThrow(tf.ArgumentError);
    });
  });
}
