import { describe, expect, it } from "vitest";
import { flat, matchesTfjs, randomValues, tf, tfjs, values } from "../context.js";
import { DTYPES, expectThrows, iota, typed, typedValues, zeros } from "./movement_helpers.js";

const f32 = (shape: readonly number[], seed: number): number[] =>
  randomValues(
    shape.reduce((a, b) => a * b, 1),
    seed,
  );

/** Shape ops: reshape, transpose, expandDims, squeeze, broadcastTo, tile, reverse, pad. */
export function shapeOpsSuite(): void {
  describe("shape ops", () => {
    describe("reshape", () => {
      it("keeps row-major order and infers one -1, for every dtype", async () => {
        for (const dtype of DTYPES) {
          const r = await values(() => tf.reshape(typed(iota(6), [6], dtype), [2, -1]));
          expect(r).toEqual({ shape: [2, 3], dtype, value: [typedValues([0, 1, 2], dtype), typedValues([3, 4, 5], dtype)] });
        }
        expect(
          (
            await values(() =>
              tf
                .tensor([
                  [1, 2],
                  [3, 4],
                ])
                .reshape([4]),
            )
          ).value,
        ).toEqual([1, 2, 3, 4]);
        await matchesTfjs(
          () => tf.reshape(tf.tensor(f32([2, 3, 4], 1), [2, 3, 4]), [4, -1, 2]),
          () => tfjs.reshape(tfjs.tensor(f32([2, 3, 4], 1), [2, 3, 4]), [4, -1, 2]),
        );
      });

      it("handles rank-0 and empty tensors", async () => {
        expect(await values(() => tf.reshape(tf.scalar(7), [1, 1]))).toMatchObject({ shape: [1, 1], value: [[7]] });
        expect(await values(() => tf.reshape(tf.tensor([7]), []))).toMatchObject({ shape: [], value: 7 });
        expect(await values(() => tf.reshape(zeros([0, 3]), [3, 0, 5]))).toMatchObject({ shape: [3, 0, 5] });
        expect((await values(() => tf.reshape(zeros([2, 0]), [-1, 4]))).shape).toEqual([0, 4]);
      });

      it("rejects size mismatches and bad targets with ShapeError naming both shapes", () => {
        expectThrows(() => tf.reshape(zeros([2, 3]), [4]), tf.ShapeError, "reshape", "[2,3] (6 elements)", "[4] (4 elements)");
        expectThrows(() => tf.reshape(zeros([2, 3]), [4, -1]), tf.ShapeError, "[2,3]", "[4,-1]");
        expectThrows(() => tf.reshape(zeros([6]), [-1, -1]), tf.ShapeError, "at most one");
        expectThrows(() => tf.reshape(zeros([0, 2]), [0, -1]), tf.ShapeError, "cannot infer");
        expectThrows(() => tf.reshape(zeros([6]), [2.5, 2]), tf.ShapeError, "non-negative integers");
        expectThrows(() => tf.reshape(zeros([6]), [null as unknown as number, 2]), tf.ShapeError, "null");
      });

      it("infers null dims for unknown input dims while tracing", () => {
        const x = { shape: [null, 4], dtype: "float32" as const };
        expect(tf.Reshape.infer([x], { shape: [-1, 2] })[0]!.shape).toEqual([null, 2]);
        expect(tf.Reshape.infer([x], { shape: [8, 2] })[0]!.shape).toEqual([8, 2]);
        // [null, 4] always has a multiple of 4 elements; 6 cannot be one.
        expect(() => tf.Reshape.infer([x], { shape: [6] })).toThrow(tf.ShapeError);
      });
    });

    it("run inside tf.function on relaxed shapes, re-inferring sizes per call", async () => {
      const f = tf.function(
        (x: tf.Tensor) =>
          x
            .reshape([-1, 2])
            .transpose()
            .pad([
              [0, 0],
              [1, 0],
            ])
            .expandDims(0),
        {
          inputSignature: [new tf.TensorSpec([null, 4], "float32")],
        },
      );
      expect(await flat(() => f(tf.tensor(iota(4), [1, 4])))).toEqual({ shape: [1, 2, 3], dtype: "float32", data: [0, 0, 2, 0, 1, 3] });
      expect((await flat(() => f(tf.tensor(iota(8), [2, 4])))).shape).toEqual([1, 2, 5]);
      expect(f.tracingCount).toBe(1);
    });

    describe("transpose", () => {
      it("reverses the dims by default and follows perm, for every dtype", async () => {
        for (const dtype of DTYPES) {
          const r = await values(() => tf.transpose(typed(iota(6), [2, 3], dtype)));
          expect(r).toEqual({
            shape: [3, 2],
            dtype,
            value: [
              [0, 3],
              [1, 4],
              [2, 5],
            ].map((row) => typedValues(row, dtype)),
          });
        }
        expect((await values(() => tf.tensor(iota(24), [2, 3, 4]).transpose([1, -1, 0]))).shape).toEqual([3, 4, 2]);
        expect((await flat(() => tf.tensor(iota(8), [2, 2, 2]).transpose([2, 0, 1]))).data).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
      });

      it("matches tfjs for permutations of large and small tensors (blocked and plain paths)", async () => {
        const cases: [number[], number[]][] = [
          [
            [37, 53],
            [1, 0],
          ],
          [
            [3, 40, 33, 5],
            [0, 2, 3, 1],
          ],
          [
            [3, 5, 40, 33],
            [0, 3, 1, 2],
          ],
          [
            [2, 3, 4, 5],
            [3, 1, 2, 0],
          ],
          [
            [4, 1, 6],
            [2, 1, 0],
          ],
        ];
        for (const [k, [shape, perm]] of cases.entries()) {
          const data = f32(shape, 10 + k);
          await matchesTfjs(
            () => tf.transpose(tf.tensor(data, shape), perm),
            () => tfjs.transpose(tfjs.tensor(data, shape), perm),
          );
        }
        const ints = iota(60);
        await matchesTfjs(
          () => tf.transpose(tf.tensor(ints, [3, 4, 5], "int32"), [2, 0, 1]),
          () => tfjs.transpose(tfjs.tensor(ints, [3, 4, 5], "int32"), [2, 0, 1]),
        );
      });

      it("handles rank-0, rank-1 and empty tensors", async () => {
        expect((await values(() => tf.transpose(tf.scalar(5)))).value).toBe(5);
        expect((await values(() => tf.transpose(tf.tensor([1, 2, 3])))).value).toEqual([1, 2, 3]);
        expect((await values(() => tf.transpose(zeros([0, 3])))).shape).toEqual([3, 0]);
      });

      it("rejects perms that do not list every axis once", () => {
        expectThrows(() => tf.transpose(zeros([2, 3]), [0]), tf.AxisError, "transpose", "rank 2");
        expectThrows(() => tf.transpose(zeros([2, 3]), [1, 1]), tf.AxisError, "repeats");
        expectThrows(() => tf.transpose(zeros([2, 3]), [0, 2]), tf.AxisError, "out of range");
      });
    });

    describe("expandDims and squeeze", () => {
      it("expandDims inserts a size-1 axis, negative axes counting from the end", async () => {
        expect((await values(() => tf.expandDims(tf.tensor([1, 2])))).value).toEqual([[1, 2]]);
        expect((await values(() => tf.expandDims(tf.tensor([1, 2]), 1))).value).toEqual([[1], [2]]);
        expect((await values(() => tf.tensor([1, 2]).expandDims(-1))).shape).toEqual([2, 1]);
        expect(await values(() => tf.expandDims(tf.scalar(true), 0))).toEqual({ shape: [1], dtype: "bool", value: [true] });
        expect((await values(() => tf.expandDims(zeros([2, 0], "int32"), -2))).shape).toEqual([2, 1, 0]);
        await matchesTfjs(
          () => tf.expandDims(tf.tensor([[1, 2]]), -3),
          () => tfjs.expandDims(tfjs.tensor([[1, 2]]), -3),
        );
        expectThrows(() => tf.expandDims(zeros([2]), 2), tf.AxisError, "expandDims", "-2..1");
      });

      it("squeeze removes size-1 dims: all of them or the named ones", async () => {
        expect((await values(() => tf.squeeze(zeros([1, 3, 1, 2])))).shape).toEqual([3, 2]);
        expect((await values(() => zeros([1, 3, 1]).squeeze([0]))).shape).toEqual([3, 1]);
        expect((await values(() => tf.squeeze(zeros([1, 3, 1]), -1))).shape).toEqual([1, 3]);
        expect(await values(() => tf.squeeze(tf.tensor([[[5]]], undefined, "int32")))).toEqual({ shape: [], dtype: "int32", value: 5 });
        expect(await values(() => tf.squeeze(tf.tensor([[true], [false]]), 1))).toEqual({
          shape: [2],
          dtype: "bool",
          value: [true, false],
        });
        await matchesTfjs(
          () => tf.squeeze(tf.tensor(iota(3), [1, 3, 1])),
          () => tfjs.squeeze(tfjs.tensor(iota(3), [1, 3, 1])),
        );
      });

      it("squeeze rejects a dimension that is not 1 and needs axes for unknown dims", () => {
        expectThrows(() => tf.squeeze(zeros([1, 3]), 1), tf.ShapeError, "squeeze", "axis 1", "[1,3]", "size 3");
        expectThrows(() => tf.squeeze(zeros([1, 3]), 2), tf.AxisError, "squeeze");
        const x = { shape: [null, 1], dtype: "float32" as const };
        expect(() => tf.Squeeze.infer([x], { axis: [] })).toThrow(tf.ShapeError);
        expect(tf.Squeeze.infer([x], { axis: [1] })[0]!.shape).toEqual([null]);
      });
    });

    describe("broadcastTo and tile", () => {
      it("broadcastTo repeats size-1 and missing leading dims, for every dtype", async () => {
        for (const dtype of DTYPES) {
          const r = await values(() => tf.broadcastTo(typed([0, 1], [2], dtype), [2, 2]));
          expect(r).toEqual({ shape: [2, 2], dtype, value: [typedValues([0, 1], dtype), typedValues([0, 1], dtype)] });
        }
        expect((await values(() => tf.tensor([[1], [2]]).broadcastTo([2, 3]))).value).toEqual([
          [1, 1, 1],
          [2, 2, 2],
        ]);
        expect((await values(() => tf.broadcastTo(tf.scalar(4, "int32"), [2, 1, 2]))).value).toEqual([[[4, 4]], [[4, 4]]]);
        expect((await values(() => tf.broadcastTo(tf.tensor([1]), [2, 0]))).shape).toEqual([2, 0]);
        const data = f32([3, 1, 4], 3);
        await matchesTfjs(
          () => tf.broadcastTo(tf.tensor(data, [3, 1, 4]), [2, 3, 5, 4]),
          () => tfjs.broadcastTo(tfjs.tensor(data, [3, 1, 4]), [2, 3, 5, 4]),
        );
      });

      it("broadcastTo rejects incompatible and lower-rank targets", () => {
        expectThrows(() => tf.broadcastTo(zeros([3]), [2, 4]), tf.ShapeError, "broadcastTo", "[3]", "[2,4]", "must be 1 or 4");
        expectThrows(() => tf.broadcastTo(zeros([2, 3]), [3]), tf.ShapeError, "lower-rank");
        expectThrows(() => tf.broadcastTo(zeros([2]), [2, -1]), tf.ShapeError, "non-negative");
      });

      it("tile repeats the whole tensor per dimension, for every dtype", async () => {
        expect((await values(() => tf.tile(tf.tensor([1, 2]), [3]))).value).toEqual([1, 2, 1, 2, 1, 2]);
        expect(
          await values(() =>
            tf
              .tensor(
                [
                  [1, 2],
                  [3, 4],
                ],
                undefined,
                "int32",
              )
              .tile([2, 2]),
          ),
        ).toEqual({
          shape: [4, 4],
          dtype: "int32",
          value: [
            [1, 2, 1, 2],
            [3, 4, 3, 4],
            [1, 2, 1, 2],
            [3, 4, 3, 4],
          ],
        });
        expect((await values(() => tf.tile(tf.tensor([true, false]), [2]))).value).toEqual([true, false, true, false]);
        expect((await values(() => tf.tile(tf.tensor([[1, 2]]), [0, 3]))).shape).toEqual([0, 6]);
        expect((await values(() => tf.tile(tf.scalar(3), []))).value).toBe(3);
        const data = f32([2, 3, 4], 4);
        await matchesTfjs(
          () => tf.tile(tf.tensor(data, [2, 3, 4]), [2, 1, 3]),
          () => tfjs.tile(tfjs.tensor(data, [2, 3, 4]), [2, 1, 3]),
        );
        await matchesTfjs(
          () => tf.tile(tf.tensor(data, [2, 3, 4]), [1, 4, 1]),
          () => tfjs.tile(tfjs.tensor(data, [2, 3, 4]), [1, 4, 1]),
        );
        await matchesTfjs(
          () => tf.tile(tf.tensor(data, [24, 1]), [3, 50]),
          () => tfjs.tile(tfjs.tensor(data, [24, 1]), [3, 50]),
        );
      });

      it("tile rejects a reps list of the wrong length or with negatives", () => {
        expectThrows(() => tf.tile(zeros([2, 2]), [2]), tf.ArgumentError, "tile", "rank 2");
        expectThrows(() => tf.tile(zeros([2]), [-1]), tf.ArgumentError, "non-negative");
      });
    });

    describe("reverse", () => {
      it("reverses along the given axes (all by default), for every dtype", async () => {
        for (const dtype of DTYPES) {
          const r = await values(() => tf.reverse(typed([0, 1, 1], [3], dtype)));
          expect(r).toEqual({ shape: [3], dtype, value: typedValues([1, 1, 0], dtype) });
        }
        const x = () =>
          tf.tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]);
        expect((await values(() => tf.reverse(x(), 1))).value).toEqual([
          [3, 2, 1],
          [6, 5, 4],
        ]);
        expect((await values(() => x().reverse(-2))).value).toEqual([
          [4, 5, 6],
          [1, 2, 3],
        ]);
        expect((await values(() => x().reverse())).value).toEqual([
          [6, 5, 4],
          [3, 2, 1],
        ]);
        expect((await values(() => x().reverse([]))).value).toEqual([
          [1, 2, 3],
          [4, 5, 6],
        ]);
        expect((await values(() => tf.reverse(tf.scalar(2)))).value).toBe(2);
        expect((await values(() => tf.reverse(zeros([0, 2]), 0))).shape).toEqual([0, 2]);
        const data = f32([3, 4, 50], 5);
        for (const axis of [[0], [2], [0, 2], [1, 2]]) {
          await matchesTfjs(
            () => tf.reverse(tf.tensor(data, [3, 4, 50]), axis),
            () => tfjs.reverse(tfjs.tensor(data, [3, 4, 50]), axis),
          );
        }
      });

      it("rejects out-of-range and repeated axes", () => {
        expectThrows(() => tf.reverse(zeros([2]), 1), tf.AxisError, "reverse");
        expectThrows(() => tf.reverse(zeros([2, 2]), [0, -2]), tf.AxisError, "duplicate");
      });
    });

    describe("pad", () => {
      it("pads each dimension with the constant, for every dtype", async () => {
        expect((await values(() => tf.pad(tf.tensor([1, 2]), [[1, 2]]))).value).toEqual([0, 1, 2, 0, 0]);
        expect(
          await values(() =>
            tf
              .tensor(
                [
                  [1, 2],
                  [3, 4],
                ],
                undefined,
                "int32",
              )
              .pad(
                [
                  [1, 0],
                  [0, 1],
                ],
                9,
              ),
          ),
        ).toEqual({
          shape: [3, 3],
          dtype: "int32",
          value: [
            [9, 9, 9],
            [1, 2, 9],
            [3, 4, 9],
          ],
        });
        expect((await values(() => tf.pad(tf.tensor([false]), [[1, 1]], true))).value).toEqual([true, false, true]);
        expect(
          (
            await values(() =>
              tf.pad(
                zeros([0, 2]),
                [
                  [1, 0],
                  [0, 1],
                ],
                5,
              ),
            )
          ).value,
        ).toEqual([[5, 5, 5]]);
        expect((await values(() => tf.pad(tf.scalar(3), []))).value).toBe(3);
        expect((await values(() => tf.pad(tf.tensor([Number.NaN]), [[1, 0]], Number.POSITIVE_INFINITY))).value).toEqual([Infinity, NaN]);
        const data = f32([2, 3, 40], 6);
        const paddings: [number, number][] = [
          [1, 2],
          [0, 3],
          [2, 1],
        ];
        await matchesTfjs(
          () => tf.pad(tf.tensor(data, [2, 3, 40]), paddings, -1.5),
          () => tfjs.pad(tfjs.tensor(data, [2, 3, 40]), paddings, -1.5),
        );
      });

      it("rejects malformed paddings and constants the dtype cannot hold", () => {
        expectThrows(() => tf.pad(zeros([2, 2]), [[1, 1]]), tf.ArgumentError, "pad", "2 pairs");
        expectThrows(() => tf.pad(zeros([2]), [[-1, 0]]), tf.ArgumentError, "non-negative");
        expectThrows(() => tf.pad(zeros([2], "int32"), [[1, 1]], 1.5), tf.ArgumentError, "int32", "1.5");
        expectThrows(() => tf.pad(tf.tensor([true]), [[1, 1]], 2), tf.ArgumentError, "bool");
      });
    });
  });
}
