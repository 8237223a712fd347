import { describe, expect, it } from "vitest";
import { expectClose, flat, matchesTfjs, tf, tfjs, values } from "../context.js";

const DTYPES = ["float32", "int32", "bool"] as const;

/** Creation ops: Fill (zeros/ones/fill), ZerosLike, OnesLike, Range, LinSpace, Eye. */
export function creationSuite(): void {
  describe("creation", () => {
    describe("zeros, ones, fill", () => {
      it("zeros and ones default to float32 and match tfjs", async () => {
        expect(await values(() => tf.zeros([2, 3]))).toEqual({ shape: [2, 3], dtype: "float32", value: [[0, 0, 0], [0, 0, 0]] });
        expect(await values(() => tf.ones([3]))).toEqual({ shape: [3], dtype: "float32", value: [1, 1, 1] });
        await matchesTfjs(() => tf.zeros([2, 3, 4]), () => tfjs.zeros([2, 3, 4]));
        await matchesTfjs(() => tf.ones([4, 1]), () => tfjs.ones([4, 1]));
      });

      it("zeros and ones honour every dtype (bool stores false/true)", async () => {
        for (const dtype of DTYPES) {
          await matchesTfjs(() => tf.zeros([2, 2], dtype), () => tfjs.zeros([2, 2], dtype));
          await matchesTfjs(() => tf.ones([2, 2], dtype), () => tfjs.ones([2, 2], dtype));
        }
        expect((await values(() => tf.ones([2], "bool"))).value).toEqual([true, true]);
        expect((await values(() => tf.zeros([2], "bool"))).value).toEqual([false, false]);
        expect((await values(() => tf.ones([2], "int32"))).value).toEqual([1, 1]);
      });

      it("rank-0 and empty shapes", async () => {
        expect(await values(() => tf.zeros([]))).toEqual({ shape: [], dtype: "float32", value: 0 });
        expect(await values(() => tf.fill([], 5, "int32"))).toEqual({ shape: [], dtype: "int32", value: 5 });
        expect(await values(() => tf.ones([0, 3]))).toEqual({ shape: [0, 3], dtype: "float32", value: [] });
        expect((await flat(() => tf.fill([2, 0, 4], 1))).data).toEqual([]);
        await matchesTfjs(() => tf.ones([3, 0]), () => tfjs.ones([3, 0]));
      });

      it("fill infers bool from a boolean and float32 from a number; matches tfjs", async () => {
        expect(await values(() => tf.fill([2], true))).toEqual({ shape: [2], dtype: "bool", value: [true, true] });
        expect(await values(() => tf.fill([2], 2.5))).toEqual({ shape: [2], dtype: "float32", value: [2.5, 2.5] });
        expect(await values(() => tf.fill([2], 7, "int32"))).toEqual({ shape: [2], dtype: "int32", value: [7, 7] });
        expect((await values(() => tf.fill([1], true, "float32"))).value).toEqual([1]);
        expect((await values(() => tf.fill([1], 3, "bool"))).value).toEqual([true]);
        await matchesTfjs(() => tf.fill([2, 3], -1.25), () => tfjs.fill([2, 3], -1.25));
        await matchesTfjs(() => tf.fill([3], -7, "int32"), () => tfjs.fill([3], -7, "int32"));
        await matchesTfjs(() => tf.fill([2, 2], 0, "bool"), () => tfjs.fill([2, 2], 0, "bool"));
      });

      it("fill keeps NaN and infinities, and int32 extremes", async () => {
        expectClose((await flat(() => tf.fill([3], Number.NaN))).data, [Number.NaN, Number.NaN, Number.NaN]);
        expect((await flat(() => tf.fill([2], -Infinity))).data).toEqual([-Infinity, -Infinity]);
        expect((await flat(() => tf.fill([2], 2147483647, "int32"))).data).toEqual([2147483647, 2147483647]);
        expect((await flat(() => tf.fill([1], -2147483648, "int32"))).data).toEqual([-2147483648]);
        // float32 rounding of the fill value, like a float32 constant.
        expect((await flat(() => tf.fill([1], 0.1))).data).toEqual([Math.fround(0.1)]);
      });

      it("rejects bad shapes with a ShapeError naming the function", () => {
        expect(() => tf.zeros([-1])).toThrow(tf.ShapeError);
        expect(() => tf.zeros([-1])).toThrow(/zeros: .*\[-1\]/);
        expect(() => tf.ones([2, 1.5])).toThrow(/ones: .*non-negative integers.*\[2,1\.5\]/);
        expect(() => tf.fill([Number.NaN], 1)).toThrow(tf.ShapeError);
        expect(() => tf.zeros(3 as unknown as number[])).toThrow(tf.ShapeError);
        expect(() => tf.fill(null as unknown as number[], 1)).toThrow(/fill: expected a shape/);
      });

      it("rejects bad dtypes and values with a DTypeError", () => {
        expect(() => tf.zeros([2], "float64" as tf.DType)).toThrow(tf.DTypeError);
        expect(() => tf.zeros([2], "float64" as tf.DType)).toThrow(/zeros: unknown dtype "float64"; valid dtypes are float32, int32, bool/);
        expect(() => tf.fill([2], 1.5, "int32")).toThrow(tf.DTypeError);
        expect(() => tf.fill([2], 1.5, "int32")).toThrow(/fill: value 1.5 cannot be stored as int32/);
        expect(() => tf.fill([2], 2 ** 31, "int32")).toThrow(/2147483648 cannot be stored as int32/);
        expect(() => tf.fill([2], "a" as unknown as number)).toThrow(/fill: value must be a number or a boolean, received string/);
      });

      it("records Fill with plain, copied attrs (so graphs serialize and callers may mutate their shape array)", () => {
        const shape = [2, 3];
        const t = tf.zeros(shape);
        shape[0] = 9;
        expect(t.shape).toEqual([2, 3]);
        t.dispose();
        expect(tf.Fill.name).toBe("Fill");
        expect(tf.Fill.infer([], { shape: [4], value: 1, dtype: "int32" })).toEqual([{ shape: [4], dtype: "int32" }]);
        expect(() => tf.Fill.infer([], { shape: [-4], value: 1, dtype: "int32" })).toThrow(tf.ShapeError);
      });
    });

    describe("zerosLike, onesLike", () => {
      it("copy shape and dtype for every dtype, matching tfjs", async () => {
        for (const dtype of DTYPES) {
          const data = dtype === "bool" ? [true, false, true, false, true, false] : [1, -2, 3, -4, 5, -6];
          await matchesTfjs(() => tf.zerosLike(tf.tensor(data, [2, 3], dtype)), () => tfjs.zerosLike(tfjs.tensor(data, [2, 3], dtype)));
          await matchesTfjs(() => tf.onesLike(tf.tensor(data, [3, 2], dtype)), () => tfjs.onesLike(tfjs.tensor(data, [3, 2], dtype)));
        }
        expect(await values(() => tf.onesLike(tf.tensor([true, false])))).toEqual({ shape: [2], dtype: "bool", value: [true, true] });
        expect(await values(() => tf.zerosLike(tf.tensor([[1, 2]], undefined, "int32")))).toEqual({ shape: [1, 2], dtype: "int32", value: [[0, 0]] });
      });

      it("handle rank 0, empty tensors and NaN inputs, and accept JS arrays", async () => {
        expect(await values(() => tf.zerosLike(tf.scalar(Number.NaN)))).toEqual({ shape: [], dtype: "float32", value: 0 });
        expect(await values(() => tf.onesLike(tf.zeros([0, 2])))).toEqual({ shape: [0, 2], dtype: "float32", value: [] });
        expect((await values(() => tf.onesLike([[1, 2, 3]]))).value).toEqual([[1, 1, 1]]);
      });

      it("are chainable methods", async () => {
        expect(await values(() => tf.tensor([1, 2], undefined, "int32").zerosLike())).toEqual({
          shape: [2],
          dtype: "int32",
          value: [0, 0],
        });
        expect((await values(() => tf.tensor([1, 2]).onesLike())).value).toEqual([1, 1]);
      });

      it("reject a disposed input and a non-tensor", () => {
        const t = tf.ones([2]);
        t.dispose();
        expect(() => tf.zerosLike(t)).toThrow(tf.DisposedError);
        expect(() => tf.onesLike("x" as unknown as number)).toThrow(/onesLike: argument 'x' must be a Tensor/);
      });
    });

    describe("range", () => {
      it("matches hand-computed values and tfjs", async () => {
        expect(await values(() => tf.range(0, 5))).toEqual({ shape: [5], dtype: "float32", value: [0, 1, 2, 3, 4] });
        expect(await values(() => tf.range(5, 0, -2, "int32"))).toEqual({ shape: [3], dtype: "int32", value: [5, 3, 1] });
        expect((await values(() => tf.range(1, 2, 0.25))).value).toEqual([1, 1.25, 1.5, 1.75]);
        await matchesTfjs(() => tf.range(0, 10, 3), () => tfjs.range(0, 10, 3));
        await matchesTfjs(() => tf.range(-3, 4, 1, "int32"), () => tfjs.range(-3, 4, 1, "int32"));
        await matchesTfjs(() => tf.range(10, -10, -3.5), () => tfjs.range(10, -10, -3.5));
        await matchesTfjs(() => tf.range(0, 1, 0.1), () => tfjs.range(0, 1, 0.1));
        await matchesTfjs(() => tf.range(0.5, 100.5, 0.7), () => tfjs.range(0.5, 100.5, 0.7), 1e-4);
      });

      it("counts from 0 with a single argument, like TF's tf.range(limit)", async () => {
        expect((await values(() => tf.range(3))).value).toEqual([0, 1, 2]);
        expect(await values(() => tf.range(4, undefined, 2, "int32"))).toEqual({ shape: [2], dtype: "int32", value: [0, 2] });
      });

      it("is empty when start equals stop or the step points away from stop", async () => {
        expect(await values(() => tf.range(3, 3))).toEqual({ shape: [0], dtype: "float32", value: [] });
        expect((await values(() => tf.range(0, 5, -1))).shape).toEqual([0]);
        // tfjs flips a default step of 1 when stop < start ([5, 4, 3, 2, 1]); Kiln follows
        // NumPy/the direction of the step and returns an empty range.
        expect((await values(() => tf.range(5, 0))).shape).toEqual([0]);
        await matchesTfjs(() => tf.range(0, 5, -1), () => tfjs.range(0, 5, -1));
      });

      it("stops before stop for fractional steps (ceil of the count)", async () => {
        expect((await flat(() => tf.range(0, 1, 0.3))).data).toEqual([0, 0.3, 0.6, 0.9].map(Math.fround));
        expect((await flat(() => tf.range(0, 0.9, 0.3))).shape).toEqual([3]);
      });

      it("rejects a zero step, non-finite bounds and bad dtypes", () => {
        expect(() => tf.range(0, 5, 0)).toThrow(tf.ArgumentError);
        expect(() => tf.range(0, 5, 0)).toThrow(/range: step must not be 0 \(received start 0, stop 5, step 0\)/);
        expect(() => tf.range(0, Infinity)).toThrow(/range: stop must be a finite number, received Infinity/);
        expect(() => tf.range(Number.NaN, 3)).toThrow(tf.ArgumentError);
        expect(() => tf.range(0, 5, 1, "bool")).toThrow(tf.DTypeError);
        expect(() => tf.range(0, 5, 1.5, "int32")).toThrow(/range: step 1.5 is not an integer, but dtype is int32/);
        expect(() => tf.range(0, 5, 1, "int64" as tf.DType)).toThrow(tf.DTypeError);
      });
    });

    describe("linspace", () => {
      it("matches hand-computed values and tfjs", async () => {
        expect(await values(() => tf.linspace(0, 1, 5))).toEqual({ shape: [5], dtype: "float32", value: [0, 0.25, 0.5, 0.75, 1] });
        expect((await values(() => tf.linspace(10, 0, 3))).value).toEqual([10, 5, 0]);
        await matchesTfjs(() => tf.linspace(-1, 7, 11), () => tfjs.linspace(-1, 7, 11));
        await matchesTfjs(() => tf.linspace(3, 3, 4), () => tfjs.linspace(3, 3, 4));
        await matchesTfjs(() => tf.linspace(0, 0.3, 7), () => tfjs.linspace(0, 0.3, 7));
      });

      it("gives [start] for num 1 and ends exactly at stop", async () => {
        expect((await values(() => tf.linspace(2, 9, 1))).value).toEqual([2]);
        expect((await flat(() => tf.linspace(0, 0.3, 4))).data[3]).toBe(Math.fround(0.3));
      });

      it("rejects a num that is not a positive integer", () => {
        expect(() => tf.linspace(0, 1, 0)).toThrow(tf.ArgumentError);
        expect(() => tf.linspace(0, 1, 0)).toThrow(/linspace: num must be a positive integer, received 0/);
        expect(() => tf.linspace(0, 1, 2.5)).toThrow(/received 2.5/);
        expect(() => tf.linspace(0, 1, -3)).toThrow(tf.ArgumentError);
      });
    });

    describe("eye", () => {
      it("matches hand-computed values and tfjs, square, rectangular and batched", async () => {
        expect(await values(() => tf.eye(2))).toEqual({ shape: [2, 2], dtype: "float32", value: [[1, 0], [0, 1]] });
        expect((await values(() => tf.eye(2, 3))).value).toEqual([[1, 0, 0], [0, 1, 0]]);
        expect((await values(() => tf.eye(3, 2))).value).toEqual([[1, 0], [0, 1], [0, 0]]);
        await matchesTfjs(() => tf.eye(4), () => tfjs.eye(4));
        await matchesTfjs(() => tf.eye(3, 5, [2]), () => tfjs.eye(3, 5, [2]));
        await matchesTfjs(() => tf.eye(2, 2, [2, 3]), () => tfjs.eye(2, 2, [2, 3]));
      });

      it("supports every dtype and empty sizes", async () => {
        expect(await values(() => tf.eye(2, undefined, undefined, "int32"))).toEqual({
          shape: [2, 2],
          dtype: "int32",
          value: [[1, 0], [0, 1]],
        });
        expect((await values(() => tf.eye(2, 2, [], "bool"))).value).toEqual([[true, false], [false, true]]);
        await matchesTfjs(() => tf.eye(3, 3, [2], "int32"), () => tfjs.eye(3, 3, [2], "int32"));
        expect(await values(() => tf.eye(0))).toEqual({ shape: [0, 0], dtype: "float32", value: [] });
        expect((await values(() => tf.eye(2, 0))).shape).toEqual([2, 0]);
        expect((await values(() => tf.eye(2, 2, [0]))).shape).toEqual([0, 2, 2]);
      });

      it("rejects bad sizes and dtypes", () => {
        expect(() => tf.eye(-1)).toThrow(tf.ShapeError);
        expect(() => tf.eye(-1)).toThrow(/eye: numRows must be a non-negative integer, received -1/);
        expect(() => tf.eye(2, 1.5)).toThrow(/eye: numColumns must be a non-negative integer/);
        expect(() => tf.eye(2, 2, [-2])).toThrow(tf.ShapeError);
        expect(() => tf.eye(2, 2, [], "complex64" as tf.DType)).toThrow(tf.DTypeError);
      });
    });
  });
}
