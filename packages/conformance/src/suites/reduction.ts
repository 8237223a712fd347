import { describe, expect, it } from "vitest";
import { expectClose, flat, matchesTfjs, randomValues, tf, tfjs, values } from "../context.js";
import { valuesList } from "./movement_helpers.js";

type AxisArg = number | number[] | null;
const REDUCERS = ["sum", "mean", "max", "min", "prod"] as const;

/** Axis arguments every reduction is checked with on a [2, 3, 4] tensor (tfjs has the same semantics for all of them). */
const AXES: AxisArg[] = [null, 0, 1, 2, -1, -3, [0, 2], [2, 0], [0, 1], [1, 2], [0, 1, 2], [-1, 0], []];

/** Runs a call that should throw inside tidy, so the constants it made before throwing are freed. */
function inTidy(fn: () => unknown): () => unknown {
  return () => tf.tidy(fn);
}

function kilnReduce(op: (typeof REDUCERS)[number], x: tf.Tensor, axis: AxisArg, keepDims: boolean): tf.Tensor {
  return tf[op](x, axis, keepDims);
}

function tfjsReduce(op: (typeof REDUCERS)[number], x: tfjs.Tensor, axis: AxisArg, keepDims: boolean): tfjs.Tensor {
  return tfjs[op](x, axis ?? undefined, keepDims);
}

/**
 * The float32 means of `data` (row-major, `shape`) over `axis`, from exact sums (JS doubles
 * hold any sum of a few int32 values exactly).
 *
 * ```ts
 * exactMeans([1, 2, 3, 4], [2, 2], 0); // [2, 3]
 * ```
 */
function exactMeans(data: readonly number[], shape: readonly number[], axis: AxisArg): number[] {
  const axes = axis === null ? shape.map((_, i) => i) : (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + shape.length : a));
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outSize = kept.reduce((n, i) => n * shape[i]!, 1);
  const sums = new Array<number>(outSize).fill(0);
  for (let flatIndex = 0; flatIndex < data.length; flatIndex++) {
    let rest = flatIndex;
    const index = shape.map(() => 0);
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d] = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    const out = kept.reduce((o, i) => o * shape[i]! + index[i]!, 0);
    sums[out] = sums[out]! + data[flatIndex]!;
  }
  const count = data.length / outSize;
  return sums.map((sum) => Math.fround(sum / count));
}

/** Reductions (Sum, Mean, Max, Min, Prod, All, Any, ArgMax, ArgMin), logSumExp and Cumsum. */
export function reductionSuite(): void {
  describe("reduction", () => {
    describe("sum, mean, max, min, prod", () => {
      it("match hand-computed values", async () => {
        const x = [
          [1, 2, 3],
          [4, 5, 6],
        ];
        expect(await values(() => tf.sum(x))).toEqual({ shape: [], dtype: "float32", value: 21 });
        expect((await values(() => tf.sum(x, 0))).value).toEqual([5, 7, 9]);
        expect(await values(() => tf.sum(x, 1, true))).toEqual({ shape: [2, 1], dtype: "float32", value: [[6], [15]] });
        expect((await values(() => tf.mean(x, -1))).value).toEqual([2, 5]);
        expect((await values(() => tf.max(x, 0))).value).toEqual([4, 5, 6]);
        expect((await values(() => tf.min(x, [0, 1]))).value).toEqual(1);
        expect((await values(() => tf.prod(x, 1))).value).toEqual([6, 120]);
        expect((await values(() => tf.sum(x, []))).value).toEqual(x);
      });

      it("match tfjs for every axis combination, with and without keepDims (float32)", async () => {
        const data = randomValues(24, 11, -2, 2);
        for (const op of REDUCERS) {
          for (const axis of AXES) {
            for (const keepDims of [false, true]) {
              await matchesTfjs(
                () => kilnReduce(op, tf.tensor(data, [2, 3, 4]), axis, keepDims),
                () => tfjsReduce(op, tfjs.tensor(data, [2, 3, 4]), axis, keepDims),
              );
            }
          }
        }
      });

      it("match tfjs on larger tensors, where one axis run is split by kept axes (several passes)", async () => {
        const data = randomValues(5 * 7 * 3 * 6, 12);
        const shape = [5, 7, 3, 6];
        for (const op of ["sum", "mean", "max", "min"] as const) {
          for (const axis of [[0, 2], [1, 3], [0, 1, 3], [0, 3], 1]) {
            await matchesTfjs(
              () => kilnReduce(op, tf.tensor(data, shape), axis, false),
              () => tfjsReduce(op, tfjs.tensor(data, shape), axis, false),
              1e-4,
            );
          }
        }
        // Size-1 dims between reduced axes merge away: [4,1,5] over [0,2] is one pass.
        const small = randomValues(20, 13);
        await matchesTfjs(
          () => tf.sum(tf.tensor(small, [4, 1, 5]), [0, 2], true),
          () => tfjs.sum(tfjs.tensor(small, [4, 1, 5]), [0, 2], true),
        );
        await matchesTfjs(
          () => tf.max(tf.tensor(small, [4, 1, 5]), 1),
          () => tfjs.max(tfjs.tensor(small, [4, 1, 5]), 1),
        );
      });

      it("int32: sum, prod, max, min stay int32 and mean gives float32, as in tfjs", async () => {
        const data = [3, -7, 12, 0, 5, -2, 8, 1, -9, 4, 6, 2];
        for (const op of REDUCERS) {
          for (const axis of [null, 0, 1, -1, [0, 1]]) {
            await matchesTfjs(
              () => kilnReduce(op, tf.tensor(data, [3, 4], "int32"), axis, false),
              () => tfjsReduce(op, tfjs.tensor(data, [3, 4], "int32"), axis, false),
            );
          }
        }
        expect(await values(() => tf.mean(tf.tensor([1, 2], [2], "int32")))).toEqual({ shape: [], dtype: "float32", value: 1.5 });
        expect(
          await values(() =>
            tf.max(
              tf.tensor(
                [
                  [1, 9],
                  [7, 3],
                ],
                [2, 2],
                "int32",
              ),
              1,
            ),
          ),
        ).toEqual({ shape: [2], dtype: "int32", value: [9, 7] });
      });

      it("bool: sum and prod count in int32, mean is float32, max/min stay bool (tfjs)", async () => {
        const b = [
          [true, false, true],
          [true, true, true],
        ];
        expect(await values(() => tf.sum(b))).toEqual({ shape: [], dtype: "int32", value: 5 });
        expect(await values(() => tf.sum(b, 1))).toEqual({ shape: [2], dtype: "int32", value: [2, 3] });
        expect(await values(() => tf.prod(b, 1))).toEqual({ shape: [2], dtype: "int32", value: [0, 1] });
        expect(await values(() => tf.mean(b, 0))).toEqual({ shape: [3], dtype: "float32", value: [1, 0.5, 1] });
        expect(await values(() => tf.max(b, 1))).toEqual({ shape: [2], dtype: "bool", value: [true, true] });
        expect(await values(() => tf.min(b, 1))).toEqual({ shape: [2], dtype: "bool", value: [false, true] });
        for (const op of REDUCERS) {
          for (const axis of [null, 0, 1]) {
            await matchesTfjs(
              () => kilnReduce(op, tf.tensor(b), axis, false),
              () => tfjsReduce(op, tfjs.tensor(b), axis, false),
            );
          }
        }
      });

      it("int32 sum and prod wrap around like C, on every loop layout", async () => {
        const big = 2147483647;
        expect((await values(() => tf.sum(tf.tensor([big, 1], [2], "int32")))).value).toBe(-2147483648);
        expect(
          (
            await values(() =>
              tf.sum(
                tf.tensor(
                  [
                    [big, 5],
                    [1, 5],
                  ],
                  [2, 2],
                  "int32",
                ),
                0,
              ),
            )
          ).value,
        ).toEqual([-2147483648, 10]);
        expect((await values(() => tf.sum(tf.tensor([big, big, 2], [3], "int32")))).value).toBe(0);
        expect((await values(() => tf.sum(tf.tensor([-2147483648, -1], [2], "int32")))).value).toBe(2147483647);
        expect((await values(() => tf.prod(tf.tensor([65536, 65536, 3], [3], "int32")))).value).toBe(0);
        // 46341^2 = 2147488281 = 2^31 + 4633, which wraps to -2147479015.
        expect((await values(() => tf.prod(tf.tensor([46341, 46341], [2], "int32")))).value).toBe(-2147479015);
        expect(
          (
            await values(() =>
              tf.prod(
                tf.tensor(
                  [
                    [46341, 2],
                    [46341, 3],
                  ],
                  [2, 2],
                  "int32",
                ),
                0,
              ),
            )
          ).value,
        ).toEqual([-2147479015, 6]);
        // Exact beyond 2^53 would differ from wrapping; Math.imul keeps the low 32 bits.
        expect((await values(() => tf.prod(tf.tensor([123456789, 987654321], [2], "int32")))).value).toBe(Math.imul(123456789, 987654321));
        await matchesTfjs(
          () => tf.sum(tf.tensor([big, 1, big], [3], "int32")),
          () => tfjs.sum(tfjs.tensor([big, 1, big], [3], "int32")),
        );
      });

      it("int32 mean does not wrap: its float32 result is the mean of the exact sum, on every loop layout", async () => {
        const big = 2147483647;
        // A wrapping int32 sum would give (2^31 - 1 + 2^31 - 1 + 2) / 3 = 0.
        expectClose([(await values(() => tf.mean(tf.tensor([big, big, 2], [3], "int32")))).value as number], [(2 * big + 2) / 3], 0, 2 ** -22);
        const data = [big, -5, big, 7, big - 1, -2147483648, -2147483648, 9, big, big, 3, -1];
        for (const [shape, axis] of [
          [[12], null], // one row
          [[3, 4], 0], // columns (inner > 1)
          [[3, 4], 1], // rows
          [[2, 3, 2], [0, 2]], // two passes: the kept middle axis splits the run
          [[1, 4, 3], [1, 0]],
        ] as [number[], AxisArg][]) {
          // Within two float32 ulps (a backend without doubles divides a rounded sum); a
          // wrapped sum would be off by 2^32 / count.
          const got = (await flat(() => tf.mean(tf.tensor(data, shape, "int32"), axis))).data;
          expectClose(got, exactMeans(data, shape, axis), 1e-6, 2 ** -22, `shape ${JSON.stringify(shape)}, axis ${JSON.stringify(axis)}`);
        }
        // (tfjs casts to float32 before summing, so its means of these values are off by up to 2^7.)
        // Long rows, where a backend may reduce in a tree or in chunks: columns of 300 and 5000.
        for (const [rows, length] of [
          [3, 300],
          [2, 5000],
        ] as const) {
          const long = Array.from({ length: rows * length }, (_, i) => (i % 3 === 0 ? big : i % 3 === 1 ? -2147483648 : big - i));
          const got = (await flat(() => tf.mean(tf.tensor(long, [rows, length], "int32"), 1))).data;
          expectClose(got, exactMeans(long, [rows, length], 1), 1e-6, 2 ** -22, `[${rows}, ${length}] over axis 1`);
        }
      });

      it("accumulate float32 sums in double precision", async () => {
        // Adding 0.1f a million times in float32 drifts to ~100958; in double it stays at 1e6 * 0.1f.
        const expected = Math.fround(1e6 * Math.fround(0.1));
        expect((await values(() => tf.sum(tf.fill([1000000], 0.1)))).value).toBe(expected);
        expect((await values(() => tf.sum(tf.fill([1000, 1000], 0.1), [0, 1]))).value).toBe(expected);
        expect((await values(() => tf.mean(tf.fill([1000000], 0.1)))).value).toBe(Math.fround(0.1));
        const columns = (await flat(() => tf.sum(tf.fill([100000, 2], 0.1), 0))).data;
        expect(columns).toEqual([Math.fround(1e5 * Math.fround(0.1)), Math.fround(1e5 * Math.fround(0.1))]);
      });

      it("propagate NaN through max and min (TF), and Infinity through sums", async () => {
        const nan = Number.NaN;
        expectClose((await flat(() => tf.max([1, nan, 3]))).data, [nan]);
        expectClose((await flat(() => tf.max([nan, 1, 3]))).data, [nan]);
        expectClose((await flat(() => tf.min([1, 3, nan]))).data, [nan]);
        expectClose(
          (
            await flat(() =>
              tf.min(
                [
                  [nan, 1],
                  [2, nan],
                ],
                1,
              ),
            )
          ).data,
          [nan, nan],
        );
        // Along an outer axis (the column loop), NaN in any row wins for that column only.
        expectClose(
          (
            await flat(() =>
              tf.max(
                [
                  [1, nan, 0],
                  [nan, 2, 0],
                  [3, 4, 5],
                ],
                0,
              ),
            )
          ).data,
          [nan, nan, 5],
        );
        expectClose(
          (
            await flat(() =>
              tf.min(
                [
                  [1, nan, 0],
                  [nan, 2, 0],
                  [3, 4, 0],
                ],
                0,
              ),
            )
          ).data,
          [nan, nan, 0],
        );
        expectClose((await flat(() => tf.sum([1, nan]))).data, [nan]);
        expectClose((await flat(() => tf.sum([Infinity, -Infinity]))).data, [nan]);
        expect((await flat(() => tf.sum([Infinity, 1]))).data).toEqual([Infinity]);
        expect((await flat(() => tf.max([-Infinity, -Infinity]))).data).toEqual([-Infinity]);
        expect((await flat(() => tf.prod([Infinity, 0]))).data.map(Number.isNaN)).toEqual([true]);
        expectClose((await flat(() => tf.mean([1, nan, 3]))).data, [nan]);
        await matchesTfjs(
          () => tf.max(tf.tensor([1, nan, 3])),
          () => tfjs.max(tfjs.tensor([1, nan, 3])),
        );
        await matchesTfjs(
          () =>
            tf.min(
              tf.tensor([
                [nan, 1],
                [2, 3],
              ]),
              1,
            ),
          () =>
            tfjs.min(
              tfjs.tensor([
                [nan, 1],
                [2, 3],
              ]),
              1,
            ),
        );
      });

      it("rank-0 input reduces to itself (all axes, or none)", async () => {
        expect(await values(() => tf.sum(tf.scalar(3)))).toEqual({ shape: [], dtype: "float32", value: 3 });
        expect(await values(() => tf.max(tf.scalar(3), [], true))).toEqual({ shape: [], dtype: "float32", value: 3 });
        expect(await values(() => tf.prod(tf.scalar(-2, "int32")))).toEqual({ shape: [], dtype: "int32", value: -2 });
        expect(await values(() => tf.mean(tf.scalar(4, "int32")))).toEqual({ shape: [], dtype: "float32", value: 4 });
        expect(await values(() => tf.all(tf.scalar(true)))).toEqual({ shape: [], dtype: "bool", value: true });
        await matchesTfjs(
          () => tf.sum(tf.scalar(3), null, true),
          () => tfjs.sum(tfjs.scalar(3), undefined, true),
        );
      });

      it("empty reductions give TF's identities: sum 0, prod 1, max -Infinity, min +Infinity, mean NaN", async () => {
        expect(await values(() => tf.sum(tf.zeros([0])))).toEqual({ shape: [], dtype: "float32", value: 0 });
        expect(await values(() => tf.sum(tf.zeros([2, 0]), 1))).toEqual({ shape: [2], dtype: "float32", value: [0, 0] });
        expect(await values(() => tf.sum(tf.zeros([2, 0]), 1, true))).toEqual({ shape: [2, 1], dtype: "float32", value: [[0], [0]] });
        expect(await values(() => tf.sum(tf.zeros([2, 0]), 0))).toEqual({ shape: [0], dtype: "float32", value: [] });
        expect((await values(() => tf.prod(tf.zeros([3, 0]), 1))).value).toEqual([1, 1, 1]);
        expect(await values(() => tf.prod(tf.zeros([0], "int32")))).toEqual({ shape: [], dtype: "int32", value: 1 });
        expect((await values(() => tf.max(tf.zeros([0])))).value).toBe(-Infinity);
        expect((await values(() => tf.min(tf.zeros([2, 0]), 1))).value).toEqual([Infinity, Infinity]);
        expect(await values(() => tf.max(tf.zeros([0], "int32")))).toEqual({ shape: [], dtype: "int32", value: -2147483648 });
        expect((await values(() => tf.min(tf.zeros([0], "int32")))).value).toBe(2147483647);
        expect(await values(() => tf.sum(tf.zeros([0], "bool")))).toEqual({ shape: [], dtype: "int32", value: 0 });
        expectClose((await flat(() => tf.mean(tf.zeros([0])))).data, [Number.NaN]);
        expectClose((await flat(() => tf.mean(tf.zeros([0, 2]), 0))).data, [Number.NaN, Number.NaN]);
        await matchesTfjs(
          () => tf.sum(tf.zeros([0, 3]), 0),
          () => tfjs.sum(tfjs.zeros([0, 3]), 0),
        );
      });

      it("reject bad axes with an AxisError naming the function, the axis and the rank", () => {
        const x = tf.ones([2, 3]);
        try {
          expect(inTidy(() => tf.sum(x, 2))).toThrow(tf.AxisError);
          expect(inTidy(() => tf.sum(x, 2))).toThrow(/sum: axis 2 is out of range for a tensor of rank 2; valid axes are -2..1/);
          expect(inTidy(() => tf.mean(x, -3))).toThrow(/mean: axis -3 is out of range/);
          expect(inTidy(() => tf.max(x, [1, -1]))).toThrow(tf.AxisError);
          expect(inTidy(() => tf.max(x, [1, -1]))).toThrow(/max: axes \[1,-1\] contain a duplicate/);
          expect(inTidy(() => tf.min(x, 0.5))).toThrow(/min: axis 0.5 is out of range/);
          expect(inTidy(() => tf.prod(tf.scalar(1), 0))).toThrow(/prod: axis 0 is out of range for a tensor of rank 0/);
          expect(inTidy(() => tf.sum(x, "1" as unknown as number))).toThrow(tf.AxisError);
          expect(inTidy(() => tf.sum(x, 0, "yes" as unknown as boolean))).toThrow(tf.ArgumentError);
          expect(inTidy(() => tf.sum(x, 0, "yes" as unknown as boolean))).toThrow(/sum: 'keepDims' must be a boolean/);
        } finally {
          x.dispose();
        }
      });
    });

    describe("all, any", () => {
      it("match hand-computed values and tfjs", async () => {
        const b = [
          [true, false, true],
          [true, true, true],
        ];
        expect(await values(() => tf.all(b))).toEqual({ shape: [], dtype: "bool", value: false });
        expect((await values(() => tf.all(b, 1))).value).toEqual([false, true]);
        expect((await values(() => tf.any(b, 0, true))).value).toEqual([[true, true, true]]);
        expect(
          (
            await values(() =>
              tf.any(
                [
                  [false, false],
                  [false, true],
                ],
                -1,
              ),
            )
          ).value,
        ).toEqual([false, true]);
        const data = randomValues(60, 21).map((v) => v > 0.3);
        for (const axis of [null, 0, 1, 2, [0, 2], -1]) {
          await matchesTfjs(
            () => tf.all(tf.tensor(data, [3, 4, 5], "bool"), axis),
            () => tfjs.all(tfjs.tensor(data, [3, 4, 5], "bool"), axis ?? undefined),
          );
          await matchesTfjs(
            () => tf.any(tf.tensor(data, [3, 4, 5], "bool"), axis, true),
            () => tfjs.any(tfjs.tensor(data, [3, 4, 5], "bool"), axis ?? undefined, true),
          );
        }
      });

      it("over no elements: all is true and any is false (TF; tfjs gives false for both)", async () => {
        expect((await values(() => tf.all(tf.zeros([0], "bool")))).value).toBe(true);
        expect((await values(() => tf.any(tf.zeros([0], "bool")))).value).toBe(false);
        expect((await values(() => tf.all(tf.zeros([2, 0], "bool"), 1))).value).toEqual([true, true]);
      });

      it("accept only bool, with a DTypeError", () => {
        expect(inTidy(() => tf.all([1, 0]))).toThrow(tf.DTypeError);
        expect(inTidy(() => tf.any(tf.tensor([1], [1], "int32")))).toThrow(/any: argument 'x' has dtype int32, but any accepts bool/);
      });
    });

    describe("argMax, argMin", () => {
      it("match hand-computed values: int32 output, default axis 0, ties give the lowest index", async () => {
        expect(
          await values(() =>
            tf.argMax([
              [1, 5],
              [7, 2],
            ]),
          ),
        ).toEqual({ shape: [2], dtype: "int32", value: [1, 0] });
        expect(
          (
            await values(() =>
              tf.argMax(
                [
                  [1, 5],
                  [7, 2],
                ],
                1,
              ),
            )
          ).value,
        ).toEqual([1, 0]);
        expect(
          (
            await values(() =>
              tf.argMin(
                [
                  [1, 5],
                  [7, 2],
                ],
                -1,
              ),
            )
          ).value,
        ).toEqual([0, 1]);
        expect((await values(() => tf.argMax([3, 1, 3]))).value).toBe(0);
        expect((await values(() => tf.argMin([2, 1, 1, 2]))).value).toBe(1);
        expect(
          (
            await values(() =>
              tf.argMax(
                [
                  [4, 4],
                  [4, 4],
                ],
                0,
              ),
            )
          ).value,
        ).toEqual([0, 0]);
        expect((await values(() => tf.argMax(tf.tensor([-5, -2, -9], [3], "int32")))).value).toBe(1);
        expect((await values(() => tf.argMin(tf.tensor([true, false, false])))).value).toBe(1);
        expect((await values(() => tf.argMax([-Infinity, -Infinity]))).value).toBe(0);
      });

      it("match tfjs along every axis and dtype", async () => {
        const data = randomValues(60, 31);
        const ints = data.map((v) => Math.round(v * 1000));
        for (const axis of [0, 1, 2, -1, -2]) {
          await matchesTfjs(
            () => tf.argMax(tf.tensor(data, [3, 4, 5]), axis),
            () => tfjs.argMax(tfjs.tensor(data, [3, 4, 5]), axis),
          );
          await matchesTfjs(
            () => tf.argMin(tf.tensor(data, [3, 4, 5]), axis),
            () => tfjs.argMin(tfjs.tensor(data, [3, 4, 5]), axis),
          );
          await matchesTfjs(
            () => tf.argMax(tf.tensor(ints, [3, 4, 5], "int32"), axis),
            () => tfjs.argMax(tfjs.tensor(ints, [3, 4, 5], "int32"), axis),
          );
        }
        const b = data.map((v) => v > 0);
        await matchesTfjs(
          () => tf.argMax(tf.tensor(b, [6, 10], "bool"), 1),
          () => tfjs.argMax(tfjs.tensor(b, [6, 10], "bool"), 1),
        );
      });

      it("point at the first NaN, consistent with max (NumPy/PyTorch; tfjs skips NaN)", async () => {
        const nan = Number.NaN;
        expect((await values(() => tf.argMax([1, nan, 3, nan]))).value).toBe(1);
        expect((await values(() => tf.argMax([nan, 5]))).value).toBe(0);
        expect((await values(() => tf.argMin([nan, -5]))).value).toBe(0);
        expect((await values(() => tf.argMin([1, nan, 0]))).value).toBe(1);
        expect(
          (
            await values(() =>
              tf.argMax(
                [
                  [1, 2],
                  [nan, 0],
                  [5, nan],
                ],
                0,
              ),
            )
          ).value,
        ).toEqual([1, 2]);
        expect(
          (
            await values(() =>
              tf.argMin(
                [
                  [nan, 2],
                  [nan, 0],
                ],
                0,
              ),
            )
          ).value,
        ).toEqual([0, 1]);
      });

      it("handle empty tensors whose reduced axis is not empty", async () => {
        expect(await values(() => tf.argMax(tf.zeros([0, 3]), 1))).toEqual({ shape: [0], dtype: "int32", value: [] });
      });

      it("reject an empty axis (ArgumentError), a scalar or bad axis (AxisError)", () => {
        expect(inTidy(() => tf.argMax(tf.zeros([0])))).toThrow(tf.ArgumentError);
        expect(inTidy(() => tf.argMax(tf.zeros([2, 0]), 1))).toThrow(/argMax: axis 1 of x \(shape \[2,0\]\) is empty/);
        expect(inTidy(() => tf.argMin(tf.zeros([0, 2])))).toThrow(/argMin: axis 0 .* no smallest element/);
        expect(inTidy(() => tf.argMax(tf.scalar(3)))).toThrow(tf.AxisError);
        expect(inTidy(() => tf.argMax(tf.scalar(3)))).toThrow(/argMax: x is a scalar/);
        expect(inTidy(() => tf.argMax([1, 2], 1))).toThrow(/argMax: axis 1 is out of range for a tensor of rank 1/);
        expect(inTidy(() => tf.argMin([1, 2], [0] as unknown as number))).toThrow(/argMin: axis must be a single integer, received \[0\]/);
      });
    });

    describe("logSumExp", () => {
      it("matches hand-computed values and tfjs", async () => {
        expectClose((await flat(() => tf.logSumExp([1, 2, 3]))).data, [Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3))]);
        expectClose(
          (
            await flat(() =>
              tf.logSumExp(
                [
                  [0, 0],
                  [1, 1],
                ],
                1,
              ),
            )
          ).data,
          [Math.log(2), 1 + Math.log(2)],
        );
        const data = randomValues(24, 41, -3, 3);
        for (const axis of [null, 0, 1, -1, [0, 2], []]) {
          for (const keepDims of [false, true]) {
            await matchesTfjs(
              () => tf.logSumExp(tf.tensor(data, [2, 3, 4]), axis, keepDims),
              () => tfjs.logSumExp(tfjs.tensor(data, [2, 3, 4]), axis ?? undefined, keepDims),
            );
          }
        }
      });

      it("is numerically stable, and handles infinities as TF (tfjs gives NaN)", async () => {
        expectClose((await flat(() => tf.logSumExp([1000, 1000]))).data, [1000 + Math.log(2)], 1e-3);
        expectClose((await flat(() => tf.logSumExp([-1000, -1000]))).data, [-1000 + Math.log(2)], 1e-3);
        expect((await flat(() => tf.logSumExp([-Infinity, -Infinity]))).data).toEqual([-Infinity]);
        expect((await flat(() => tf.logSumExp([Infinity, 1]))).data).toEqual([Infinity]);
        expectClose((await flat(() => tf.logSumExp([-Infinity, 0]))).data, [0]);
        expectClose(
          (
            await flat(() =>
              tf.logSumExp(
                [
                  [-Infinity, -Infinity],
                  [0, 0],
                ],
                1,
              ),
            )
          ).data,
          [-Infinity, Math.log(2)],
        );
        expectClose((await flat(() => tf.logSumExp([1, Number.NaN]))).data, [Number.NaN]);
        expect((await flat(() => tf.logSumExp(tf.zeros([0])))).data).toEqual([-Infinity]);
      });

      it("rejects non-float input and bad axes, naming logSumExp", () => {
        expect(inTidy(() => tf.logSumExp(tf.tensor([1], [1], "int32")))).toThrow(tf.DTypeError);
        expect(inTidy(() => tf.logSumExp(tf.tensor([1], [1], "int32")))).toThrow(/logSumExp: argument 'x' has dtype int32/);
        expect(inTidy(() => tf.logSumExp([1, 2], 1))).toThrow(/logSumExp: axis 1 is out of range/);
      });
    });

    describe("cumsum", () => {
      it("matches hand-computed values for every exclusive/reverse combination", async () => {
        expect((await values(() => tf.cumsum([1, 2, 3]))).value).toEqual([1, 3, 6]);
        expect((await values(() => tf.cumsum([1, 2, 3], 0, true))).value).toEqual([0, 1, 3]);
        expect((await values(() => tf.cumsum([1, 2, 3], 0, false, true))).value).toEqual([6, 5, 3]);
        expect((await values(() => tf.cumsum([1, 2, 3], 0, true, true))).value).toEqual([5, 3, 0]);
        expect(
          (
            await values(() =>
              tf.cumsum(
                [
                  [1, 2],
                  [3, 4],
                ],
                1,
              ),
            )
          ).value,
        ).toEqual([
          [1, 3],
          [3, 7],
        ]);
        expect(
          (
            await values(() =>
              tf.cumsum(
                [
                  [1, 2],
                  [3, 4],
                ],
                -1,
                true,
              ),
            )
          ).value,
        ).toEqual([
          [0, 1],
          [0, 3],
        ]);
        expect(
          (
            await values(() =>
              tf.cumsum(
                [
                  [1, 2],
                  [3, 4],
                ],
                0,
                false,
                true,
              ),
            )
          ).value,
        ).toEqual([
          [4, 6],
          [3, 4],
        ]);
        expect(
          (
            await values(() =>
              tf.cumsum(
                [
                  [1, 2],
                  [3, 4],
                ],
                0,
                true,
                true,
              ),
            )
          ).value,
        ).toEqual([
          [3, 4],
          [0, 0],
        ]);
      });

      it("matches tfjs on every axis and flag (float32 and int32)", async () => {
        const data = randomValues(60, 51);
        const ints = data.map((v) => Math.round(v * 100));
        for (const axis of [0, 1, 2]) {
          for (const [exclusive, reverse] of [
            [false, false],
            [true, false],
            [false, true],
            [true, true],
          ] as const) {
            await matchesTfjs(
              () => tf.cumsum(tf.tensor(data, [3, 4, 5]), axis, exclusive, reverse),
              () => tfjs.cumsum(tfjs.tensor(data, [3, 4, 5]), axis, exclusive, reverse),
            );
            await matchesTfjs(
              () => tf.cumsum(tf.tensor(ints, [3, 4, 5], "int32"), axis, exclusive, reverse),
              () => tfjs.cumsum(tfjs.tensor(ints, [3, 4, 5], "int32"), axis, exclusive, reverse),
            );
          }
        }
      });

      it("wraps int32, counts bool in int32, and propagates NaN", async () => {
        expect(await values(() => tf.cumsum(tf.tensor([2147483647, 1, 1], [3], "int32")))).toEqual({
          shape: [3],
          dtype: "int32",
          value: [2147483647, -2147483648, -2147483647],
        });
        expect(
          (
            await values(() =>
              tf.cumsum(
                tf.tensor(
                  [
                    [2147483647, 0],
                    [1, 0],
                  ],
                  [2, 2],
                  "int32",
                ),
                0,
              ),
            )
          ).value,
        ).toEqual([
          [2147483647, 0],
          [-2147483648, 0],
        ]);
        expect(await values(() => tf.cumsum([true, false, true]))).toEqual({ shape: [3], dtype: "int32", value: [1, 1, 2] });
        await matchesTfjs(
          () => tf.cumsum(tf.tensor([true, true, false])),
          () => tfjs.cumsum(tfjs.tensor([true, true, false])),
        );
        expectClose((await flat(() => tf.cumsum([1, Number.NaN, 2]))).data, [1, Number.NaN, Number.NaN]);
        expectClose((await flat(() => tf.cumsum([1, Infinity, -Infinity]))).data, [1, Infinity, Number.NaN]);
      });

      it("keeps empty shapes and rejects scalars and bad axes", async () => {
        expect(await values(() => tf.cumsum(tf.zeros([0, 3]), 0))).toEqual({ shape: [0, 3], dtype: "float32", value: [] });
        expect(await values(() => tf.cumsum(tf.zeros([2, 0]), 1))).toEqual({ shape: [2, 0], dtype: "float32", value: [[], []] });
        expect(inTidy(() => tf.cumsum(tf.scalar(1)))).toThrow(tf.AxisError);
        expect(inTidy(() => tf.cumsum(tf.scalar(1)))).toThrow(/cumsum: x is a scalar/);
        expect(inTidy(() => tf.cumsum([1, 2], 1))).toThrow(/cumsum: axis 1 is out of range for a tensor of rank 1/);
        expect(inTidy(() => tf.cumsum([1, 2], 0, 1 as unknown as boolean))).toThrow(/cumsum: 'exclusive' must be a boolean/);
      });
    });

    describe("methods and op table", () => {
      it("chainable methods match the functions", async () => {
        const x = tf.tensor([
          [1, 5],
          [7, 2],
        ]);
        try {
          expect((await flat(() => x.sum())).data).toEqual([15]);
          expect((await values(() => x.mean(1, true))).value).toEqual([[3], [4.5]]);
          expect((await values(() => x.max(-1))).value).toEqual([5, 7]);
          expect((await values(() => x.min())).value).toBe(1);
          expect((await values(() => x.prod(0))).value).toEqual([7, 10]);
          expect((await values(() => x.argMax(1))).value).toEqual([1, 0]);
          expect((await values(() => x.argMin())).value).toEqual([0, 1]);
          expect((await values(() => x.cumsum(1))).value).toEqual([
            [1, 6],
            [7, 9],
          ]);
          expectClose((await flat(() => x.logSumExp(1))).data, [5 + Math.log(1 + Math.exp(-4)), 7 + Math.log(1 + Math.exp(-5))]);
          expect((await values(() => x.greater(3).all(1))).value).toEqual([false, false]);
          expect((await values(() => x.greater(3).any(0))).value).toEqual([true, true]);
        } finally {
          x.dispose();
        }
      });

      it("trace inside tf.function with unknown dims; kernels reject what inference could not see", async () => {
        const f = tf.function((x: tf.Tensor) => [tf.sum(x, -1, true), tf.mean(x, 0), tf.argMin(x, 1), tf.cumsum(x, 1, true)], {
          inputSignature: [new tf.TensorSpec([null, 3], "float32")],
        });
        const x = [
          [1, 2, 3],
          [6, 5, 4],
        ];
        expect((await valuesList(() => f(tf.tensor(x)) as tf.Tensor[])).map((r) => r.value)).toEqual(
          (await valuesList(() => [tf.sum(x, -1, true), tf.mean(x, 0), tf.argMin(x, 1), tf.cumsum(x, 1, true)])).map((r) => r.value),
        );
        const g = tf.function((t: tf.Tensor) => tf.argMax(t, 0), { inputSignature: [new tf.TensorSpec([null, 3], "float32")] });
        expect(inTidy(() => g(tf.zeros([0, 3])))).toThrow(tf.ArgumentError);
        expect(inTidy(() => g(tf.zeros([0, 3])))).toThrow(/argMax: axis 0 of x \(shape \[0,3\]\) is empty/);
      });

      it("ops carry TF raw names, and infer handles unknown dims (traced shapes)", () => {
        expect([tf.Sum, tf.Mean, tf.Max, tf.Min, tf.Prod, tf.All, tf.Any, tf.ArgMax, tf.ArgMin, tf.Cumsum].map((op) => op.name)).toEqual([
          "Sum",
          "Mean",
          "Max",
          "Min",
          "Prod",
          "All",
          "Any",
          "ArgMax",
          "ArgMin",
          "Cumsum",
        ]);
        expect(tf.Sum.infer([{ shape: [null, 3, 4], dtype: "float32" }], { axis: [1], keepDims: false })).toEqual([
          { shape: [null, 4], dtype: "float32" },
        ]);
        expect(tf.Max.infer([{ shape: [null, 3], dtype: "int32" }], { axis: [0], keepDims: true })).toEqual([
          { shape: [1, 3], dtype: "int32" },
        ]);
        expect(tf.Mean.infer([{ shape: [2, null], dtype: "int32" }], { axis: [-1], keepDims: true })).toEqual([
          { shape: [2, 1], dtype: "float32" },
        ]);
        expect(tf.Sum.infer([{ shape: [null], dtype: "bool" }], { axis: [0], keepDims: false })).toEqual([{ shape: [], dtype: "int32" }]);
        expect(tf.ArgMax.infer([{ shape: [null, 5], dtype: "float32" }], { axis: 0 })).toEqual([{ shape: [5], dtype: "int32" }]);
        expect(tf.Cumsum.infer([{ shape: [null, 2], dtype: "bool" }], { axis: 1, exclusive: false, reverse: true })).toEqual([
          { shape: [null, 2], dtype: "int32" },
        ]);
        expect(inTidy(() => tf.Sum.infer([{ shape: [null], dtype: "float32" }], { axis: [1], keepDims: false }))).toThrow(tf.AxisError);
      });
    });
  });
}
