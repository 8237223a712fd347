import { describe, expect, it } from "vitest";
import { expectClose, flat, matchesTfjs, randomValues, tf, tfjs, values } from "../context.js";

/** Runs a call that should throw inside tidy, so the constants it made before throwing are freed. */
function inTidy(fn: () => unknown): () => unknown {
  return () => tf.tidy(fn);
}

/** Both outputs of a Kiln topK (`fn` runs inside tidy), read with `await` as plain arrays, then disposed. */
async function topKOf(fn: () => { values: tf.Tensor; indices: tf.Tensor }) {
  const { values: v, indices: i } = tf.tidy(fn);
  try {
    return {
      shape: [...(v.shape as number[])],
      dtype: v.dtype,
      values: Array.from(await v.data()),
      indicesDtype: i.dtype,
      indices: Array.from(await i.data()),
    };
  } finally {
    tf.dispose([v, i]);
  }
}

function tfjsTopK(data: number[], shape: number[], k: number, dtype: "float32" | "int32" = "float32") {
  return tfjs.tidy(() => {
    const { values: v, indices: i } = tfjs.topk(tfjs.tensor(data, shape, dtype), k);
    return {
      shape: [...v.shape],
      dtype: v.dtype,
      values: Array.from(v.dataSync() as ArrayLike<number>),
      indicesDtype: i.dtype,
      indices: Array.from(i.dataSync() as ArrayLike<number>),
    };
  });
}

/** Plain-JS softmax of one row, in double precision. */
function softmaxRow(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** softmax, logSoftmax (composites) and TopKV2. */
export function nnSuite(): void {
  describe("nn", () => {
    describe("softmax, logSoftmax", () => {
      it("match hand-computed values and tfjs on the last axis", async () => {
        expectClose((await flat(() => tf.softmax([1, 2, 3]))).data, softmaxRow([1, 2, 3]));
        expectClose((await flat(() => tf.logSoftmax([1, 2, 3]))).data, softmaxRow([1, 2, 3]).map(Math.log));
        const data = randomValues(4 * 7, 61, -4, 4);
        await matchesTfjs(
          () => tf.softmax(tf.tensor(data, [4, 7])),
          () => tfjs.softmax(tfjs.tensor(data, [4, 7])),
        );
        await matchesTfjs(
          () => tf.logSoftmax(tf.tensor(data, [4, 7])),
          () => tfjs.logSoftmax(tfjs.tensor(data, [4, 7])),
        );
        await matchesTfjs(
          () => tf.softmax(tf.tensor(data, [2, 2, 7]), 2),
          () => tfjs.softmax(tfjs.tensor(data, [2, 2, 7]), 2),
        );
        await matchesTfjs(
          () => tf.logSoftmax(tf.tensor(data, [28])),
          () => tfjs.logSoftmax(tfjs.tensor(data, [28])),
        );
      });

      it("work along any axis (tfjs supports only the last)", async () => {
        const x = [
          [1, 2],
          [3, 5],
        ];
        const columns = [softmaxRow([1, 3]), softmaxRow([2, 5])];
        expectClose((await flat(() => tf.softmax(x, 0))).data, [columns[0]![0]!, columns[1]![0]!, columns[0]![1]!, columns[1]![1]!]);
        expectClose(
          (await flat(() => tf.logSoftmax(x, -2))).data,
          [columns[0]![0]!, columns[1]![0]!, columns[0]![1]!, columns[1]![1]!].map(Math.log),
        );
        // Middle axis of a [2, 3, 2] tensor: each (i, :, k) fibre sums to 1.
        const data = randomValues(12, 62, -2, 2);
        const sums = (await flat(() => tf.sum(tf.softmax(tf.tensor(data, [2, 3, 2]), 1), 1))).data;
        expectClose(sums, [1, 1, 1, 1]);
        const fibre = softmaxRow([data[1]!, data[3]!, data[5]!]);
        const out = (await flat(() => tf.softmax(tf.tensor(data, [2, 3, 2]), 1))).data;
        expectClose([out[1]!, out[3]!, out[5]!], fibre);
      });

      it("are numerically stable for large logits and handle -Infinity", async () => {
        expectClose((await flat(() => tf.softmax([1000, 1001]))).data, softmaxRow([0, 1]));
        expectClose((await flat(() => tf.softmax([-1000, -1001]))).data, softmaxRow([0, -1]));
        expectClose((await flat(() => tf.logSoftmax([1000, 1000]))).data, [-Math.log(2), -Math.log(2)]);
        expectClose((await flat(() => tf.softmax([-Infinity, 0, 0]))).data, [0, 0.5, 0.5]);
        expectClose((await flat(() => tf.logSoftmax([-Infinity, 0]))).data, [-Infinity, 0]);
        expectClose((await flat(() => tf.softmax([1, Number.NaN]))).data, [Number.NaN, Number.NaN]);
        expectClose((await flat(() => tf.softmax(tf.zeros([3, 1])))).data, [1, 1, 1]);
      });

      it("keep empty shapes", async () => {
        expect(await values(() => tf.softmax(tf.zeros([0, 3])))).toEqual({ shape: [0, 3], dtype: "float32", value: [] });
        expect(await values(() => tf.logSoftmax(tf.zeros([2, 0])))).toEqual({ shape: [2, 0], dtype: "float32", value: [[], []] });
      });

      it("reject non-float logits, scalars and bad axes, naming the function", () => {
        expect(inTidy(() => tf.softmax(tf.tensor([1, 2], [2], "int32")))).toThrow(tf.DTypeError);
        expect(inTidy(() => tf.softmax(tf.tensor([1, 2], [2], "int32")))).toThrow(
          /softmax: argument 'logits' has dtype int32, but softmax accepts float32/,
        );
        expect(inTidy(() => tf.logSoftmax([true]))).toThrow(/logSoftmax: argument 'logits' has dtype bool/);
        expect(inTidy(() => tf.softmax(tf.scalar(1)))).toThrow(tf.ShapeError);
        expect(inTidy(() => tf.softmax(tf.scalar(1)))).toThrow(/softmax: logits must have rank 1 or more, received a scalar/);
        expect(inTidy(() => tf.softmax([1, 2], 1))).toThrow(tf.AxisError);
        expect(inTidy(() => tf.logSoftmax([[1, 2]], -3))).toThrow(/logSoftmax: axis -3 is out of range for a tensor of rank 2/);
        expect(inTidy(() => tf.softmax([1, 2], [0] as unknown as number))).toThrow(
          /softmax: 'dim' must be a single integer axis, received \[0\]/,
        );
      });

      it("are chainable methods", async () => {
        const x = tf.tensor([[1, 2, 3]]);
        try {
          expectClose((await flat(() => x.softmax())).data, softmaxRow([1, 2, 3]));
          expectClose((await flat(() => x.logSoftmax(-1))).data, softmaxRow([1, 2, 3]).map(Math.log));
        } finally {
          x.dispose();
        }
      });
    });

    describe("topK", () => {
      it("matches hand-computed values: sorted largest first, ties keep the lower index, int32 indices", async () => {
        expect(await topKOf(() => tf.topK([1, 4, 2, 4], 2))).toEqual({
          shape: [2],
          dtype: "float32",
          values: [4, 4],
          indicesDtype: "int32",
          indices: [1, 3],
        });
        expect(await topKOf(() => tf.topK([1, 4, 2, 4]))).toMatchObject({ shape: [1], values: [4], indices: [1] });
        expect(
          await topKOf(() =>
            tf.topK(
              [
                [3, 1, 2],
                [0, 5, 5],
              ],
              3,
            ),
          ),
        ).toMatchObject({ shape: [2, 3], values: [3, 2, 1, 5, 5, 0], indices: [0, 2, 1, 1, 2, 0] });
        expect(await topKOf(() => tf.topK([2, 2, 2, 2], 3))).toMatchObject({ values: [2, 2, 2], indices: [0, 1, 2] });
        expect(await topKOf(() => tf.topK([-Infinity, 1, Infinity], 3))).toMatchObject({
          values: [Infinity, 1, -Infinity],
          indices: [2, 1, 0],
        });
        expect(await topKOf(() => tf.topK(tf.tensor([5, -3, 9, 9], [4], "int32"), 2))).toEqual({
          shape: [2],
          dtype: "int32",
          values: [9, 9],
          indicesDtype: "int32",
          indices: [2, 3],
        });
        expect(await topKOf(() => tf.topK([false, true, true], 2))).toEqual({
          shape: [2],
          dtype: "bool",
          values: [1, 1],
          indicesDtype: "int32",
          indices: [1, 2],
        });
      });

      it("matches tfjs for several k, ranks and dtypes", async () => {
        const data = randomValues(5 * 40, 71);
        for (const k of [1, 2, 7, 39, 40]) {
          expect(await topKOf(() => tf.topK(tf.tensor(data, [5, 40]), k))).toEqual(tfjsTopK(data, [5, 40], k));
        }
        expect(await topKOf(() => tf.topK(tf.tensor(data, [2, 5, 20]), 6))).toEqual(tfjsTopK(data, [2, 5, 20], 6));
        const ints = data.map((v) => Math.round(v * 5));
        for (const k of [1, 4, 40]) {
          expect(await topKOf(() => tf.topK(tf.tensor(ints, [5, 40], "int32"), k))).toEqual(tfjsTopK(ints, [5, 40], k, "int32"));
        }
      });

      it("puts NaN above every number (as tfjs), first NaN first", async () => {
        const nan = Number.NaN;
        const r = await topKOf(() => tf.topK([1, nan, 5, nan, 2], 3));
        expect(r.indices).toEqual([1, 3, 2]);
        expectClose(r.values, [nan, nan, 5]);
        expect((await topKOf(() => tf.topK([1, nan, 5, 2], 2))).indices).toEqual(tfjsTopK([1, nan, 5, 2], [4], 2).indices);
      });

      it("sorted=false still returns the entries sorted (TF leaves the order unspecified)", async () => {
        expect(await topKOf(() => tf.topK([1, 3, 5, 2], 2, false))).toMatchObject({ values: [5, 3], indices: [2, 1] });
      });

      it("handles k = 0 and empty tensors", async () => {
        expect(await topKOf(() => tf.topK([1, 2, 3], 0))).toMatchObject({ shape: [0], values: [], indices: [] });
        expect(await topKOf(() => tf.topK(tf.zeros([0, 4]), 2))).toMatchObject({ shape: [0, 2], values: [], indices: [] });
        expect(await topKOf(() => tf.topK(tf.zeros([3, 0]), 0))).toMatchObject({ shape: [3, 0], values: [] });
      });

      it("rejects k larger than the last axis, a bad k and scalars, naming k and the size", () => {
        expect(inTidy(() => tf.topK([1, 3, 5, 2], 5))).toThrow(tf.ArgumentError);
        expect(inTidy(() => tf.topK([1, 3, 5, 2], 5))).toThrow(
          /topK: k \(5\) must be at most the size of the last axis \(4\) of x, which has shape \[4\]/,
        );
        expect(inTidy(() => tf.topK(tf.zeros([2, 0]), 1))).toThrow(/k \(1\) .* last axis \(0\)/);
        expect(inTidy(() => tf.topK([1, 2], -1))).toThrow(/topK: k must be a non-negative integer, received -1/);
        expect(inTidy(() => tf.topK([1, 2], 1.5))).toThrow(tf.ArgumentError);
        expect(inTidy(() => tf.topK([1, 2], 1, "yes" as unknown as boolean))).toThrow(/topK: 'sorted' must be a boolean/);
        expect(inTidy(() => tf.topK(tf.scalar(1)))).toThrow(tf.ShapeError);
        expect(inTidy(() => tf.topK(tf.scalar(1)))).toThrow(/topK: x must have rank 1 or more/);
      });

      it("is a method, has tfjs's `topk` spelling, and infers shapes with unknown dims", async () => {
        const x = tf.tensor([[1, 9, 3]]);
        try {
          expect(await topKOf(() => x.topK(2))).toMatchObject({ values: [9, 3], indices: [1, 2] });
          expect(await topKOf(() => x.topk(1))).toMatchObject({ values: [9], indices: [1] });
          expect(await topKOf(() => tf.topk(x, 3))).toMatchObject({ values: [9, 3, 1], indices: [1, 2, 0] });
        } finally {
          x.dispose();
        }
        const f = tf.function((t: tf.Tensor) => [tf.topK(t, 2).indices, tf.softmax(t, 0)], {
          inputSignature: [new tf.TensorSpec([2, null], "float32")],
        });
        expect(
          (
            await values(
              () =>
                (
                  f(
                    tf.tensor([
                      [1, 3, 2],
                      [0, 0, 1],
                    ]),
                  ) as tf.Tensor[]
                )[0]!,
            )
          ).value,
        ).toEqual([
          [1, 2],
          [2, 0],
        ]);
        // With the last dim unknown while tracing, only the kernel can see that k is too large.
        expect(inTidy(() => f(tf.zeros([2, 1])))).toThrow(/topK: k \(2\) must be at most the size of the last axis \(1\)/);
        expect(tf.TopKV2.name).toBe("TopKV2");
        expect(tf.TopKV2.infer([{ shape: [null, null], dtype: "float32" }], { k: 3, sorted: true })).toEqual([
          { shape: [null, 3], dtype: "float32" },
          { shape: [null, 3], dtype: "int32" },
        ]);
        expect(() => tf.TopKV2.infer([{ shape: [null, 2], dtype: "float32" }], { k: 3, sorted: true })).toThrow(tf.ArgumentError);
      });
    });
  });
}
