import { describe, expect, it } from "vitest";
import { flat, matchesTfjs, randomValues, seededRandom, tf, tfjs, values } from "../context.js";

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Seeded booleans. */
function randomBools(n: number, seed: number): boolean[] {
  return randomValues(n, seed).map((v) => v > 0);
}

/** `where`, `cast` and `clipByValue`. */
export function selectionSuite(): void {
  describe("selection", () => {
    describe("where", () => {
      it("picks from a where the condition holds and from b elsewhere", async () => {
        expect(await values(() => tf.where([true, false], [1, 2], [10, 20]))).toEqual({ shape: [2], dtype: "float32", value: [1, 20] });
        expect((await values(() => tf.where(tf.tensor([[true], [false]]), tf.tensor([1, 2, 3]), 0))).value).toEqual([
          [1, 2, 3],
          [0, 0, 0],
        ]);
        expect(await values(() => tf.where(true, 5, 6))).toEqual({ shape: [], dtype: "float32", value: 5 });
        const x = [-1, 2, Number.NaN, -0.5];
        expect((await flat(() => tf.where(tf.greater(x, 0), x, 0))).data).toEqual([0, 2, 0, 0]);
      });

      it("broadcasts condition, a and b together, like tfjs", async () => {
        const cases: [number[], number[], number[]][] = [
          [
            [2, 3],
            [2, 3],
            [2, 3],
          ],
          [[2, 1], [3], []],
          [[], [2, 3], [2, 3]],
          [[3], [2, 1], [1, 3]],
          [[2, 1, 3], [4, 1], [1]],
        ];
        for (const [i, [sc, sa, sb]] of cases.entries()) {
          const c = randomBools(size(sc), i);
          const a = randomValues(size(sa), 10 + i);
          const b = randomValues(size(sb), 20 + i);
          await matchesTfjs(
            () => tf.where(tf.tensor(c, sc, "bool"), tf.tensor(a, sa), tf.tensor(b, sb)),
            () => tfjs.where(tfjs.tensor(c, sc, "bool"), tfjs.tensor(a, sa), tfjs.tensor(b, sb)),
          );
        }
      });

      it("matches tfjs on random three-way broadcasts", async () => {
        const next = seededRandom(3);
        const pick = (n: number) => Math.floor(next() * n);
        for (let k = 0; k < 30; k++) {
          const out = Array.from({ length: pick(5) }, () => 1 + pick(3));
          const derive = () => out.slice(pick(out.length + 1)).map((d) => (next() < 0.4 ? 1 : d));
          const [sc, sa, sb] = [derive(), derive(), derive()];
          const c = randomBools(size(sc), k);
          const a = randomValues(size(sa), 100 + k);
          const b = randomValues(size(sb), 200 + k);
          await matchesTfjs(
            () => tf.where(tf.tensor(c, sc, "bool"), tf.tensor(a, sa), tf.tensor(b, sb)),
            () => tfjs.where(tfjs.tensor(c, sc, "bool"), tfjs.tensor(a, sa), tfjs.tensor(b, sb)),
          );
        }
      });

      it("keeps the dtype of a and b: int32 and bool", async () => {
        expect(await values(() => tf.where([true, false], tf.tensor([1, 2], [2], "int32"), INT_MIN))).toEqual({
          shape: [2],
          dtype: "int32",
          value: [1, INT_MIN],
        });
        expect(await values(() => tf.where([true, false], tf.tensor([true, true]), tf.tensor([false, false])))).toEqual({
          shape: [2],
          dtype: "bool",
          value: [true, false],
        });
        expect((await flat(() => tf.where(tf.tensor([], [0], "bool"), tf.tensor([]), 1))).shape).toEqual([0]);
        // NumPy broadcasting keeps the 0 (tfjs 4.22 gets [1, 2] here).
        expect(await flat(() => tf.where(tf.tensor([], [0, 2], "bool"), tf.ones([2]), 0))).toEqual({
          shape: [0, 2],
          dtype: "float32",
          data: [],
        });
      });

      it("rejects a non-bool condition, mixed dtypes and incompatible shapes", () => {
        expect(() => tf.tidy(() => tf.where(tf.tensor([1, 0]), [1, 2], [3, 4]))).toThrow(tf.DTypeError);
        expect(() => tf.tidy(() => tf.where(tf.tensor([1, 0]), [1, 2], [3, 4]))).toThrow(
          "where: argument 'condition' has dtype float32, but where accepts bool; compare first, e.g. tf.greater(x, 0)",
        );
        expect(() => tf.tidy(() => tf.where([true], tf.tensor([1]), tf.tensor([1], [1], "int32")))).toThrow(tf.DTypeError);
        expect(() => tf.tidy(() => tf.where([true, false], tf.ones([3]), 0))).toThrow(tf.ShapeError);
        expect(() => tf.tidy(() => tf.where([true, false], tf.ones([3]), 0))).toThrow(
          "where: shapes 'condition' [2], 'a' [3], 'b' [] cannot be broadcast together",
        );
        expect(() => tf.where("yes" as unknown as boolean, 1, 2)).toThrow(tf.ArgumentError);
      });
    });

    describe("cast", () => {
      it("float32 -> int32 truncates toward zero, like TF and tfjs", async () => {
        const x = [1.7, -1.7, 0.5, -0.5, 2, -3, 1e6 + 0.5];
        expect(await values(() => tf.cast(x, "int32"))).toEqual({ shape: [7], dtype: "int32", value: [1, -1, 0, 0, 2, -3, 1e6] });
        await matchesTfjs(
          () => tf.cast(tf.tensor(x), "int32"),
          () => tfjs.cast(tfjs.tensor(x), "int32"),
        );
        expect(Object.is((await flat(() => tf.cast([-0.5], "int32"))).data[0], 0)).toBe(true);
      });

      it("float32 -> int32 maps NaN to 0 and saturates out-of-range values", async () => {
        // TF's result here depends on the platform and tfjs wraps modulo 2^32; Kiln saturates.
        const x = [Number.NaN, Infinity, -Infinity, 3e9, -3e9, 2147483648, -2147483904];
        expect((await values(() => tf.cast(x, "int32"))).value).toEqual([0, INT_MAX, INT_MIN, INT_MAX, INT_MIN, INT_MAX, INT_MIN]);
      });

      it("to and from bool, and int32 -> float32 rounding", async () => {
        expect(await values(() => tf.cast([0, -0, 0.5, -2, Number.NaN, Infinity], "bool"))).toEqual({
          shape: [6],
          dtype: "bool",
          value: [false, false, true, true, true, true],
        });
        expect((await values(() => tf.cast(tf.tensor([0, 7, INT_MIN], [3], "int32"), "bool"))).value).toEqual([false, true, true]);
        expect(await values(() => tf.cast([true, false], "float32"))).toEqual({ shape: [2], dtype: "float32", value: [1, 0] });
        expect(await values(() => tf.cast([true, false], "int32"))).toEqual({ shape: [2], dtype: "int32", value: [1, 0] });
        // 16777217 is the first integer float32 cannot hold: it rounds to the nearest even, 16777216.
        expect((await values(() => tf.cast(tf.tensor([16777217, INT_MAX, -5], [3], "int32"), "float32"))).value).toEqual([
          16777216, 2147483648, -5,
        ]);
        for (const [from, to] of [
          ["float32", "bool"],
          ["bool", "float32"],
          ["int32", "float32"],
          ["int32", "bool"],
        ] as const) {
          const x = from === "bool" ? [true, false, true] : [0, 3, -2];
          await matchesTfjs(
            () => tf.cast(tf.tensor(x, [3], from), to),
            () => tfjs.cast(tfjs.tensor(x, [3], from), to),
          );
        }
      });

      it("to the same dtype returns a new tensor with the same values", async () => {
        const { x, ...checks } = tf.tidy(() => {
          const x = tf.tensor([1.5, 2], [2]);
          const y = x.cast("float32");
          y.dispose();
          return { x, same: x === y, xAlive: !x.isDisposed };
        });
        let result: { same: boolean; xAlive: boolean; values: number[] };
        try {
          result = { ...checks, values: Array.from(await x.data()) };
        } finally {
          x.dispose();
        }
        expect(result).toEqual({ same: false, xAlive: true, values: [1.5, 2] });
        expect(await values(() => tf.cast(tf.tensor([true]), "bool"))).toEqual({ shape: [1], dtype: "bool", value: [true] });
      });

      it("keeps shape for rank-0 and empty tensors, and works as a method", async () => {
        expect(await values(() => tf.scalar(2.9).cast("int32"))).toEqual({ shape: [], dtype: "int32", value: 2 });
        expect(await flat(() => tf.zeros([3, 0]).cast("bool"))).toEqual({ shape: [3, 0], dtype: "bool", data: [] });
      });

      it("rejects unknown dtypes and non-tensors", () => {
        expect(() => tf.tidy(() => tf.cast(tf.tensor([1]), "float64" as tf.DType))).toThrow(tf.DTypeError);
        expect(() => tf.tidy(() => tf.cast(tf.tensor([1]), "float64" as tf.DType))).toThrow(/cast: unknown dtype "float64"/);
        expect(() => tf.cast({} as unknown as number, "int32")).toThrow(tf.ArgumentError);
      });
    });

    describe("clipByValue", () => {
      it("clamps into [min, max] and keeps NaN, like tfjs", async () => {
        expect(await values(() => tf.clipByValue([-2, 0.5, 3], 0, 1))).toEqual({ shape: [3], dtype: "float32", value: [0, 0.5, 1] });
        const x = [...randomValues(20, 4, -3, 3), Number.NaN, Infinity, -Infinity];
        await matchesTfjs(
          () => tf.clipByValue(tf.tensor(x), -1, 2),
          () => tfjs.clipByValue(tfjs.tensor(x), -1, 2),
        );
        await matchesTfjs(
          () => tf.tensor(x, [23, 1]).clipByValue(-Infinity, 0),
          () => tfjs.clipByValue(tfjs.tensor(x, [23, 1]), -Infinity, 0),
        );
        // min == max: every element becomes the bound, except NaN (tfjs fills, dropping NaN too).
        expect((await flat(() => tf.clipByValue([-1, 0.5, 2, Number.NaN], 0.5, 0.5))).data).toEqual([0.5, 0.5, 0.5, Number.NaN]);
      });

      it("accepts infinite bounds, also for int32", async () => {
        expect((await flat(() => tf.clipByValue([-5, 5, Infinity], 0, Infinity))).data).toEqual([0, 5, Infinity]);
        expect(await values(() => tf.clipByValue(tf.tensor([INT_MIN, -3, 3, INT_MAX], [4], "int32"), -Infinity, Infinity))).toEqual({
          shape: [4],
          dtype: "int32",
          value: [INT_MIN, -3, 3, INT_MAX],
        });
        expect((await values(() => tf.clipByValue(tf.tensor([-3, 3, 9], [3], "int32"), 0, 5))).value).toEqual([0, 3, 5]);
        expect((await values(() => tf.clipByValue(tf.tensor([-3, 3], [2], "int32"), -1e12, 1))).value).toEqual([-3, 1]);
      });

      it("keeps shape for rank-0 and empty tensors", async () => {
        expect(await values(() => tf.clipByValue(7, 0, 6))).toEqual({ shape: [], dtype: "float32", value: 6 });
        expect((await flat(() => tf.clipByValue(tf.zeros([0, 2]), 0, 1))).shape).toEqual([0, 2]);
      });

      it("rejects min > max, NaN or non-number bounds, and bool tensors", () => {
        expect(() => tf.tidy(() => tf.clipByValue(tf.tensor([1]), 2, 1))).toThrow(tf.ArgumentError);
        expect(() => tf.tidy(() => tf.clipByValue(tf.tensor([1]), 2, 1))).toThrow(
          "clipByValue: clipValueMin (2) must be less than or equal to clipValueMax (1)",
        );
        expect(() => tf.tidy(() => tf.clipByValue(tf.tensor([1]), Number.NaN, 1))).toThrow(
          /'clipValueMin' must be a number \(not NaN\), received NaN/,
        );
        expect(() => tf.tidy(() => tf.clipByValue(tf.tensor([1]), 0, "1" as unknown as number))).toThrow(
          /'clipValueMax' must be a number \(not NaN\), received string/,
        );
        expect(() => tf.tidy(() => tf.clipByValue(tf.tensor([true]), 0, 1))).toThrow(tf.DTypeError);
        expect(() => tf.tidy(() => tf.clipByValue(tf.tensor([1], [1], "int32"), 0.5, 2))).toThrow(tf.DTypeError);
        expect(() => tf.clipByValue(undefined as unknown as number, 0, 1)).toThrow(tf.ArgumentError);
      });
    });
  });
}
