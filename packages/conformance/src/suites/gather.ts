import { describe, expect, it } from "vitest";
import { matchesTfjs, randomValues, tf, tfjs, values } from "../context.js";
import { DTYPES, expectThrows, iota, typed, typedValues, zeros } from "./movement_helpers.js";

const INT32_MAX = 2147483647;

/** Gather and scatter: gather, gatherNd, scatterNd, setRow, oneHot. */
export function gatherSuite(): void {
  describe("gather", () => {
    describe("gather", () => {
      it("picks slices along an axis, for every dtype", async () => {
        expect(await values(() => tf.gather(tf.tensor([10, 20, 30]), [2, 0]))).toEqual({ shape: [2], dtype: "float32", value: [30, 10] });
        const m = () =>
          tf.tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]);
        expect((await values(() => tf.gather(m(), [2, 2, 0], 1))).value).toEqual([
          [3, 3, 1],
          [6, 6, 4],
        ]);
        expect((await values(() => m().gather([[1], [0]], -1))).value).toEqual([
          [[2], [1]],
          [[5], [4]],
        ]);
        expect((await values(() => m().gather(1))).value).toEqual([4, 5, 6]);
        expect((await values(() => m().gather([]))).shape).toEqual([0, 3]);
        expect((await values(() => tf.gather(zeros([0, 3]), [], 0))).shape).toEqual([0, 3]);
        expect((await values(() => tf.gather(tf.tensor([Number.NaN, Infinity]), [1, 0]))).value).toEqual([Infinity, NaN]);
        for (const dtype of DTYPES) {
          expect(await values(() => tf.gather(typed([0, 1, 1], [3], dtype), [1, 0, 2, 0]))).toEqual({
            shape: [4],
            dtype,
            value: typedValues([1, 0, 1, 0], dtype),
          });
        }
      });

      it("supports batchDims: each batch uses its own indices", async () => {
        const x = tf.tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]);
        try {
          expect(
            (
              await values(() =>
                tf.gather(
                  x,
                  tf.tensor(
                    [
                      [2, 0],
                      [1, 1],
                    ],
                    undefined,
                    "int32",
                  ),
                  1,
                  1,
                ),
              )
            ).value,
          ).toEqual([
            [3, 1],
            [5, 5],
          ]);
          expect(
            (
              await values(() =>
                tf.gather(
                  x,
                  tf.tensor(
                    [
                      [2, 0],
                      [1, 1],
                    ],
                    undefined,
                    "int32",
                  ),
                  -1,
                  -1,
                ),
              )
            ).value,
          ).toEqual([
            [3, 1],
            [5, 5],
          ]);
        } finally {
          x.dispose();
        }
      });

      it("matches tfjs for several axes, index ranks and batchDims", async () => {
        const data = randomValues(4 * 5 * 6, 1);
        const idx2 = [
          [1, 3],
          [0, 2],
          [3, 3],
        ];
        await matchesTfjs(
          () => tf.gather(tf.tensor(data, [4, 5, 6]), idx2, 1),
          () => tfjs.gather(tfjs.tensor(data, [4, 5, 6]), idx2, 1),
        );
        await matchesTfjs(
          () => tf.gather(tf.tensor(data, [4, 5, 6]), [5, 0, 1, 5], 2),
          () => tfjs.gather(tfjs.tensor(data, [4, 5, 6]), [5, 0, 1, 5], 2),
        );
        await matchesTfjs(
          () => tf.gather(tf.tensor(data, [4, 5, 6]), idx2, 0),
          () => tfjs.gather(tfjs.tensor(data, [4, 5, 6]), idx2, 0),
        );
        const batched = [
          [0, 4],
          [1, 1],
          [2, 3],
          [4, 0],
        ];
        await matchesTfjs(
          () => tf.gather(tf.tensor(data, [4, 5, 6]), batched, 1, 1),
          () => tfjs.gather(tfjs.tensor(data, [4, 5, 6]), batched, 1, 1),
        );
        await matchesTfjs(
          () => tf.gather(tf.tensor(iota(120), [4, 5, 6], "int32"), [0, 5], 2),
          () => tfjs.gather(tfjs.tensor(iota(120), [4, 5, 6], "int32"), [0, 5], 2),
        );
      });

      it("rejects out-of-range indices with an ArgumentError naming the index and the valid range", () => {
        expectThrows(() => tf.gather(tf.tensor([1, 2, 3]), [0, 5]), tf.ArgumentError, "gather", "indices[1] = 5", "0..2");
        expectThrows(() => tf.gather(tf.tensor([1, 2, 3]), [[0], [-1]]), tf.ArgumentError, "indices[1,0] = -1");
        expectThrows(() => tf.gather(zeros([2, 0]), [0], 1), tf.ArgumentError, "size 0", "none");
      });

      it("rejects non-int32 indices, bad axes and mismatched batch dims", () => {
        expectThrows(() => tf.gather(tf.tensor([1, 2]), tf.tensor([0, 1])), tf.DTypeError, "gather", "int32", "float32");
        expectThrows(() => tf.gather(tf.tensor([1, 2]), [0.5]), tf.DTypeError, "0.5");
        expectThrows(() => tf.gather(tf.tensor([1, 2]), [0], 1), tf.AxisError, "gather");
        expectThrows(() => tf.gather(zeros([2, 3]), zeros([2, 2], "int32"), 0, 1), tf.AxisError, "batchDims (1) must be <= axis (0)");
        expectThrows(() => tf.gather(zeros([2, 3]), zeros([3, 1], "int32"), 1, 1), tf.ShapeError, "batchDims 1", "[2,3]", "[3,1]");
        expectThrows(() => tf.gather(tf.scalar(1), [0]), tf.ShapeError, "scalar");
      });
    });

    it("run inside tf.function on relaxed shapes, checking indices on every call", async () => {
      const f = tf.function((x: tf.Tensor, i: tf.Tensor) => tf.gather(x, i, 1).oneHot(3), {
        inputSignature: [new tf.TensorSpec([null, 4], "int32"), new tf.TensorSpec([null], "int32")],
      });
      const x = tf.tensor([[2, 1, 0, 5]], undefined, "int32");
      try {
        expect(await values(() => f(x, tf.tensor([0, 2], undefined, "int32")))).toEqual({
          shape: [1, 2, 3],
          dtype: "float32",
          value: [
            [
              [0, 0, 1],
              [1, 0, 0],
            ],
          ],
        });
        expectThrows(() => f(x, tf.tensor([4], undefined, "int32")), tf.ArgumentError, "indices[0] = 4", "0..3");
        expect(f.tracingCount).toBe(1);
      } finally {
        x.dispose();
      }
    });

    describe("gatherNd", () => {
      it("picks elements or slices by index tuples, for every dtype", async () => {
        const m = () =>
          tf.tensor([
            [1, 2],
            [3, 4],
          ]);
        expect(
          (
            await values(() =>
              tf.gatherNd(m(), [
                [1, 0],
                [0, 1],
              ]),
            )
          ).value,
        ).toEqual([3, 2]);
        expect((await values(() => m().gatherNd([[1]]))).value).toEqual([[3, 4]]);
        expect((await values(() => tf.gatherND(m(), [[[1, 1]], [[0, 0]]]))).value).toEqual([[4], [1]]);
        expect((await values(() => tf.gatherNd(m(), zeros([2, 0], "int32")))).value).toEqual([
          [
            [1, 2],
            [3, 4],
          ],
          [
            [1, 2],
            [3, 4],
          ],
        ]);
        expect((await values(() => tf.gatherNd(m(), zeros([0, 2], "int32")))).shape).toEqual([0]);
        for (const dtype of DTYPES) {
          expect(
            await values(() =>
              tf.gatherNd(typed([0, 1, 1, 0], [2, 2], dtype), [
                [0, 1],
                [1, 1],
              ]),
            ),
          ).toEqual({ shape: [2], dtype, value: typedValues([1, 0], dtype) });
        }
        const data = randomValues(4 * 5 * 6, 2);
        const idx = [
          [
            [3, 1],
            [0, 4],
          ],
          [
            [2, 2],
            [1, 0],
          ],
        ];
        await matchesTfjs(
          () => tf.gatherNd(tf.tensor(data, [4, 5, 6]), idx),
          () => tfjs.gatherND(tfjs.tensor(data, [4, 5, 6]), idx),
        );
        await matchesTfjs(
          () =>
            tf.gatherNd(tf.tensor(data, [4, 5, 6]), [
              [3, 4, 5],
              [0, 0, 0],
            ]),
          () =>
            tfjs.gatherND(tfjs.tensor(data, [4, 5, 6]), [
              [3, 4, 5],
              [0, 0, 0],
            ]),
        );
      });

      it("rejects out-of-range tuples, tuples longer than the rank and bad indices", () => {
        expectThrows(
          () =>
            tf.gatherNd(zeros([3, 4]), [
              [0, 0],
              [2, 7],
            ]),
          tf.ArgumentError,
          "gatherNd",
          "indices[1] = [2,7]",
          "[3,4]",
          "0..3",
        );
        expectThrows(() => tf.gatherNd(zeros([3, 4]), [[0, 0, 0]]), tf.ShapeError, "3 entries", "rank 2");
        expectThrows(() => tf.gatherNd(zeros([3]), tf.scalar(0, "int32")), tf.ShapeError, "rank >= 1");
        expectThrows(() => tf.gatherNd(zeros([3]), tf.tensor([[0]])), tf.DTypeError, "int32");
      });
    });

    describe("scatterNd", () => {
      it("adds updates into zeros; duplicate indices add up", async () => {
        expect(await values(() => tf.scatterNd([[1], [3], [1]], [10, 20, 5], [4]))).toEqual({
          shape: [4],
          dtype: "float32",
          value: [0, 15, 0, 20],
        });
        expect(
          (
            await values(() =>
              tf.scatterND(
                [
                  [1, 0],
                  [0, 1],
                ],
                [7, 8],
                [2, 2],
              ),
            )
          ).value,
        ).toEqual([
          [0, 8],
          [7, 0],
        ]);
        expect((await values(() => tf.scatterNd([[2]], [[1, 2]], [3, 2]))).value).toEqual([
          [0, 0],
          [0, 0],
          [1, 2],
        ]);
        expect((await values(() => tf.scatterNd(zeros([0, 1], "int32"), zeros([0]), [3]))).value).toEqual([0, 0, 0]);
        expect((await values(() => tf.scatterNd([[0], [0]], [Number.NaN, 1], [2]))).value).toEqual([NaN, 0]);
      });

      it("wraps int32 sums like C and ors bool updates", async () => {
        const ints = tf.tensor([INT32_MAX, 1, 5], undefined, "int32");
        try {
          expect(await values(() => tf.scatterNd([[0], [0], [1]], ints, [2]))).toEqual({
            shape: [2],
            dtype: "int32",
            value: [-2147483648, 5],
          });
        } finally {
          ints.dispose();
        }
        expect(await values(() => tf.scatterNd([[0], [0], [2]], [true, true, false], [3]))).toEqual({
          shape: [3],
          dtype: "bool",
          value: [true, false, false],
        });
      });

      it("matches tfjs with slices and duplicates", async () => {
        const updates = randomValues(4 * 6, 3);
        const idx = [
          [1, 2],
          [0, 0],
          [1, 2],
          [3, 4],
        ];
        await matchesTfjs(
          () => tf.scatterNd(idx, tf.tensor(updates, [4, 6]), [4, 5, 6]),
          () => tfjs.scatterND(idx, tfjs.tensor(updates, [4, 6]), [4, 5, 6]),
        );
      });

      it("rejects out-of-range indices, mismatched updates and bad shapes", () => {
        expectThrows(() => tf.scatterNd([[1], [4]], [1, 2], [4]), tf.ArgumentError, "scatterNd", "indices[1] = [4]", "0..3");
        expectThrows(() => tf.scatterNd([[1], [2]], [1, 2, 3], [4]), tf.ShapeError, "'updates' has shape [3]", "[2]");
        expectThrows(() => tf.scatterNd([[1, 1, 1]], [1], [4, 4]), tf.ShapeError, "3 entries", "rank 2");
        expectThrows(() => tf.scatterNd([[1]], [1], [-4]), tf.ShapeError, "non-negative");
      });
    });

    describe("setRow", () => {
      it("replaces one row, for every dtype and rank, like tfjs's tensorScatterUpdate", async () => {
        for (const dtype of DTYPES) {
          const x = typed(iota(12), [3, 4], dtype);
          const row = typed([7, 8, 9, 10], [4], dtype);
          expect(await values(() => tf.setRow(x, 2, row))).toEqual({
            shape: [3, 4],
            dtype,
            value: [typedValues([0, 1, 2, 3], dtype), typedValues([4, 5, 6, 7], dtype), typedValues([7, 8, 9, 10], dtype)],
          });
          x.dispose();
          row.dispose();
        }
        const x = randomValues(24, 11);
        const v = randomValues(6, 12);
        await matchesTfjs(
          () => tf.setRow(tf.tensor(x, [4, 2, 3]), 1, tf.tensor(v, [2, 3])),
          () => tfjs.tensorScatterUpdate(tfjs.tensor(x, [4, 2, 3]), [[1]], tfjs.tensor(v, [1, 2, 3])),
        );
        expect((await values(() => tf.setRow(tf.tensor([1, 2]), 0, 5))).value).toEqual([5, 2]);
      });

      it("fills a list in a traced While (in place after the first write) with the eager loop's values", async () => {
        const n = 5;
        const f = tf.function((x: tf.Tensor) => {
          const [, list] = tf.whileLoop(
            (i) => tf.less(i!, n),
            (i, l) => [i!.add(1), tf.setRow(l!, i!, tf.mul(x, tf.cast(i!, "float32")).add(l!.gather(tf.maximum(tf.sub(i!, 1), 0))))],
            [tf.scalar(0, "int32"), tf.zeros([n, 3])],
          );
          return list!;
        });
        const x = tf.tensor([1, -2, 0.5]);
        const traced = await values(() => f(x));
        const eager = await values(() => {
          let l = tf.zeros([n, 3]);
          for (let i = 0; i < n; i++) l = tf.setRow(l, i, tf.mul(x, i).add(l.gather(Math.max(i - 1, 0))));
          return l;
        });
        expect(traced).toEqual(eager);
        x.dispose();
        for (const cf of f.concreteFunctions()) cf.dispose();
      });

      it("rejects an index outside the rows (naming it and the valid range), shapes and dtypes that do not fit", () => {
        expectThrows(() => tf.setRow(tf.zeros([3, 2]), 3, tf.zeros([2])), tf.ArgumentError, "setRow", "index 3", "0..2");
        expectThrows(() => tf.setRow(tf.zeros([3, 2]), 0, tf.zeros([3])), tf.ShapeError, "setRow", "[3]", "[2]");
        expectThrows(() => tf.setRow(tf.zeros([3, 2]), 0, tf.zeros([2], "int32")), tf.DTypeError, "setRow", "int32");
      });
    });

    describe("oneHot", () => {
      it("encodes indices along a new last axis, float32 by default", async () => {
        expect(await values(() => tf.oneHot([0, 2], 3))).toEqual({
          shape: [2, 3],
          dtype: "float32",
          value: [
            [1, 0, 0],
            [0, 0, 1],
          ],
        });
        expect(await values(() => tf.oneHot([[1], [0]], 2, 5, -1, "int32"))).toEqual({
          shape: [2, 1, 2],
          dtype: "int32",
          value: [[[-1, 5]], [[5, -1]]],
        });
        expect(await values(() => tf.tensor([1], undefined, "int32").oneHot(2, true, false, "bool"))).toEqual({
          shape: [1, 2],
          dtype: "bool",
          value: [[false, true]],
        });
        expect((await values(() => tf.oneHot([0, 1], 0))).shape).toEqual([2, 0]);
        expect((await values(() => tf.oneHot(tf.scalar(1, "int32"), 3))).value).toEqual([0, 1, 0]);
      });

      it("gives an all-off row for an index outside [0, depth), as TensorFlow does", async () => {
        expect((await values(() => tf.oneHot([-1, 3, 1], 3))).value).toEqual([
          [0, 0, 0],
          [0, 0, 0],
          [0, 1, 0],
        ]);
      });

      it("matches tfjs (with the dtype given: tfjs 4 defaults to int32)", async () => {
        const idx = [
          [0, 3],
          [2, 1],
        ];
        await matchesTfjs(
          () => tf.oneHot(idx, 4, 2, -3),
          () => tfjs.oneHot(idx, 4, 2, -3, "float32"),
        );
        await matchesTfjs(
          () => tf.oneHot(idx, 5, 1, 0, "int32"),
          () => tfjs.oneHot(idx, 5),
        );
      });

      it("rejects non-int32 indices, bad depths, dtypes and values", () => {
        expectThrows(() => tf.oneHot(tf.tensor([0, 1]), 2), tf.DTypeError, "oneHot", "int32");
        expectThrows(() => tf.oneHot([0], -1), tf.ArgumentError, "depth", "non-negative");
        expectThrows(() => tf.oneHot([0], 2, 1, 0, "float64" as never), tf.DTypeError, "float64");
        expectThrows(() => tf.oneHot([0], 2, 1.5, 0, "int32"), tf.ArgumentError, "onValue", "1.5");
      });
    });
  });
}
