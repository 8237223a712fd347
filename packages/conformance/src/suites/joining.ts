import { describe, expect, it } from "vitest";
import { flatTfjs, matchesTfjs, randomValues, tf, tfjs, values } from "../context.js";
import { DTYPES, expectThrows, iota, typed, typedValues, valuesList, zeros } from "./movement_helpers.js";

/** Compares each output of a multi-output op with tfjs. */
async function partsMatchTfjs(kiln: () => tf.Tensor[], oracle: () => tfjs.Tensor[]): Promise<void> {
  const ts = tf.tidy(kiln);
  const k: { shape: number[]; dtype: string; data: number[] }[] = [];
  try {
    for (const t of ts) k.push({ shape: [...(t.shape as number[])], dtype: t.dtype as string, data: Array.from(await t.data()) });
  } finally {
    tf.dispose(ts);
  }
  const parts = tfjs.tidy(() => oracle());
  const o = parts.map((t) => flatTfjs(() => t));
  tfjs.dispose(parts);
  expect(k).toEqual(o);
}

/** Joining: concat, stack, unstack, split. */
export function joiningSuite(): void {
  describe("joining", () => {
    describe("concat", () => {
      it("joins along an axis (negative counts from the end), for every dtype", async () => {
        for (const dtype of DTYPES) {
          const r = await values(() => tf.concat([typed([0, 1], [1, 2], dtype), typed([1, 1, 0, 0], [2, 2], dtype)]));
          expect(r).toEqual({
            shape: [3, 2],
            dtype,
            value: [
              [0, 1],
              [1, 1],
              [0, 0],
            ].map((row) => typedValues(row, dtype)),
          });
        }
        expect(
          (
            await values(() =>
              tf.concat(
                [
                  tf.tensor([[1], [2]]),
                  tf.tensor([
                    [3, 4],
                    [5, 6],
                  ]),
                ],
                -1,
              ),
            )
          ).value,
        ).toEqual([
          [1, 3, 4],
          [2, 5, 6],
        ]);
        expect((await values(() => tf.tensor([1, 2]).concat(tf.tensor([3])))).value).toEqual([1, 2, 3]);
        expect((await values(() => tf.tensor([1]).concat([tf.tensor([2]), tf.tensor([3])]))).value).toEqual([1, 2, 3]);
        expect(await values(() => tf.concat([tf.tensor([1, 2], undefined, "int32"), [3]]))).toEqual({
          shape: [3],
          dtype: "int32",
          value: [1, 2, 3],
        });
        expect((await values(() => tf.concat([tf.tensor([5])]))).value).toEqual([5]);
      });

      it("matches tfjs on 3-D inputs along every axis", async () => {
        const a = randomValues(2 * 3 * 4, 1);
        const b = randomValues(2 * 3 * 4 * 2, 2);
        const shapes: [number[], number[]][] = [
          [
            [2, 3, 4],
            [4, 3, 4],
          ],
          [
            [2, 3, 4],
            [2, 6, 4],
          ],
          [
            [2, 3, 4],
            [2, 3, 8],
          ],
        ];
        for (const [axis, [sa, sb]] of shapes.entries()) {
          await matchesTfjs(
            () => tf.concat([tf.tensor(a, sa), tf.tensor(b, sb), tf.tensor(a, sa)], axis),
            () => tfjs.concat([tfjs.tensor(a, sa), tfjs.tensor(b, sb), tfjs.tensor(a, sa)], axis),
          );
        }
      });

      it("keeps empty inputs out of the result", async () => {
        expect((await values(() => tf.concat([zeros([0, 2]), tf.tensor([[1, 2]])]))).value).toEqual([[1, 2]]);
        expect((await values(() => tf.concat([zeros([2, 0]), zeros([2, 0])], 1))).shape).toEqual([2, 0]);
      });

      it("rejects empty lists, scalars and mismatched shapes, ranks or dtypes", () => {
        expectThrows(() => tf.concat([]), tf.ArgumentError, "concat", "at least one");
        expectThrows(() => tf.concat([tf.scalar(1), tf.scalar(2)]), tf.ShapeError, "scalars", "stack");
        expectThrows(() => tf.concat([zeros([2, 3]), zeros([2, 4])]), tf.ShapeError, "concat", "[2,3]", "[2,4]");
        expectThrows(() => tf.concat([zeros([2, 3]), zeros([6])]), tf.ShapeError, "same rank");
        expectThrows(() => tf.concat([zeros([2]), zeros([2], "int32")]), tf.DTypeError, "float32", "int32");
        expectThrows(() => tf.concat([zeros([2])], 1), tf.AxisError, "concat");
      });

      it("adds up known axis sizes and keeps unknown ones null while tracing", () => {
        const info = (shape: (number | null)[]) => ({ shape, dtype: "float32" as const });
        expect(tf.ConcatV2.infer([info([null, 2]), info([3, 2])], { axis: 0 })[0]!.shape).toEqual([null, 2]);
        expect(tf.ConcatV2.infer([info([null, 2]), info([3, 5])], { axis: 1 })[0]!.shape).toEqual([3, 7]);
      });
    });

    it("run inside tf.function on relaxed shapes", async () => {
      const f = tf.function((x: tf.Tensor) => tf.concat(tf.split(x, [1, -1], 1).reverse(), 1), {
        inputSignature: [new tf.TensorSpec([null, 3], "float32")],
      });
      expect(await values(() => f(tf.tensor([[1, 2, 3]])))).toEqual({ shape: [1, 3], dtype: "float32", value: [[2, 3, 1]] });
      expect(
        (
          await values(() =>
            f(
              tf.tensor([
                [1, 2, 3],
                [4, 5, 6],
              ]),
            ),
          )
        ).value,
      ).toEqual([
        [2, 3, 1],
        [5, 6, 4],
      ]);
      expect(f.tracingCount).toBe(1);
    });

    describe("stack", () => {
      it("stacks along a new axis, for every dtype", async () => {
        for (const dtype of DTYPES) {
          const r = await values(() => tf.stack([typed([0, 1], [2], dtype), typed([1, 1], [2], dtype)], 1));
          expect(r).toEqual({
            shape: [2, 2],
            dtype,
            value: [
              [0, 1],
              [1, 1],
            ].map((row) => typedValues(row, dtype)),
          });
        }
        expect((await values(() => tf.stack([tf.scalar(1), tf.scalar(2)]))).value).toEqual([1, 2]);
        expect((await values(() => tf.tensor([1, 2]).stack(tf.tensor([3, 4]), -1))).value).toEqual([
          [1, 3],
          [2, 4],
        ]);
        expect((await values(() => tf.stack([zeros([0]), zeros([0])]))).shape).toEqual([2, 0]);
        const a = randomValues(12, 3);
        const b = randomValues(12, 4);
        for (const axis of [0, 1, 2, -1]) {
          await matchesTfjs(
            () => tf.stack([tf.tensor(a, [3, 4]), tf.tensor(b, [3, 4])], axis),
            () => tfjs.stack([tfjs.tensor(a, [3, 4]), tfjs.tensor(b, [3, 4])], axis),
          );
        }
      });

      it("rejects different shapes, empty lists and bad axes", () => {
        expectThrows(() => tf.stack([zeros([2]), zeros([3])]), tf.ShapeError, "stack", "[2]", "[3]");
        expectThrows(() => tf.stack([]), tf.ArgumentError, "at least one");
        expectThrows(() => tf.stack([zeros([2])], 2), tf.AxisError, "stack");
      });
    });

    describe("unstack", () => {
      it("splits into one tensor per index along the axis, for every dtype", async () => {
        for (const dtype of DTYPES) {
          const parts = await valuesList(() => tf.unstack(typed([0, 1, 1, 0], [2, 2], dtype), 1));
          expect(parts).toEqual([
            { shape: [2], dtype, value: typedValues([0, 1], dtype) },
            { shape: [2], dtype, value: typedValues([1, 0], dtype) },
          ]);
        }
        expect((await valuesList(() => tf.tensor([1, 2, 3]).unstack())).map((p) => p.value)).toEqual([1, 2, 3]);
        expect(await valuesList(() => tf.unstack(zeros([0, 3])))).toEqual([]);
        expect((await valuesList(() => tf.unstack(zeros([2, 0])))).map((p) => p.shape)).toEqual([[0], [0]]);
        const data = randomValues(24, 5);
        for (const axis of [0, 1, -1]) {
          await partsMatchTfjs(
            () => tf.unstack(tf.tensor(data, [2, 3, 4]), axis),
            () => tfjs.unstack(tfjs.tensor(data, [2, 3, 4]), axis),
          );
        }
      });

      it("rejects scalars and bad axes", () => {
        expectThrows(() => tf.unstack(tf.scalar(1)), tf.ShapeError, "unstack", "scalar");
        expectThrows(() => tf.unstack(zeros([2]), 1), tf.AxisError, "unstack");
      });
    });

    describe("split", () => {
      it("splits into equal parts or listed sizes (one may be -1), for every dtype", async () => {
        for (const dtype of DTYPES) {
          const parts = await valuesList(() => tf.split(typed(iota(6), [6], dtype), 3));
          expect(parts.map((p) => p.value)).toEqual(
            [
              [0, 1],
              [2, 3],
              [4, 5],
            ].map((row) => typedValues(row, dtype)),
          );
        }
        expect((await valuesList(() => tf.split(tf.tensor([1, 2, 3, 4, 5]), [2, -1]))).map((p) => p.value)).toEqual([
          [1, 2],
          [3, 4, 5],
        ]);
        expect(
          (
            await valuesList(() =>
              tf
                .tensor([
                  [1, 2, 3],
                  [4, 5, 6],
                ])
                .split([1, 0, 2], -1),
            )
          ).map((p) => p.value),
        ).toEqual([
          [[1], [4]],
          [[], []],
          [
            [2, 3],
            [5, 6],
          ],
        ]);
        const data = randomValues(4 * 6 * 2, 6);
        await partsMatchTfjs(
          () => tf.split(tf.tensor(data, [4, 6, 2]), [1, 2, 3], 1),
          () => tfjs.split(tfjs.tensor(data, [4, 6, 2]), [1, 2, 3], 1),
        );
        await partsMatchTfjs(
          () => tf.split(tf.tensor(data, [4, 6, 2]), 2, 0),
          () => tfjs.split(tfjs.tensor(data, [4, 6, 2]), 2, 0),
        );
        await partsMatchTfjs(
          () => tf.split(tf.tensor(data, [4, 6, 2]), [1, -1], 2),
          () => tfjs.split(tfjs.tensor(data, [4, 6, 2]), [1, -1], 2),
        );
        // tfjs 4.22 miscounts a leading -1 (its reduce starts from it), so this one is by hand.
        expect((await valuesList(() => tf.split(tf.tensor([1, 2, 3]), [-1, 1]))).map((p) => p.value)).toEqual([[1, 2], [3]]);
      });

      it("rejects uneven counts and sizes that do not add up", () => {
        expectThrows(() => tf.split(zeros([5]), 2), tf.ShapeError, "split", "size 5", "2 equal parts");
        expectThrows(() => tf.split(zeros([5]), [2, 2]), tf.ShapeError, "add up to 4", "5");
        expectThrows(() => tf.split(zeros([5]), [4, 3, -1]), tf.ShapeError, "more than");
        expectThrows(() => tf.split(zeros([5]), [-1, -1]), tf.ArgumentError, "more than one -1");
        expectThrows(() => tf.split(zeros([5]), 0), tf.ArgumentError, "split");
        expectThrows(() => tf.split(tf.scalar(1), 1), tf.ShapeError, "scalar");
      });
    });
  });
}
