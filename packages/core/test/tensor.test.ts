import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "./setup.js";

useCpu();

/** A tensor of `values` reshaped to `shape` (tf.tensor checks the element count). */
const t = (values: number[] | boolean[], shape: number[], dtype?: tf.DType) => tf.tensor(values, shape, dtype);

describe("Tensor basics", () => {
  describe("toString prints TF's eager repr (numpy's str of the values)", () => {
    // Each row: the tensor, and what `print(t)` shows in TensorFlow 2.x.
    const cases: [string, () => tf.Tensor, string][] = [
      ["float32 scalar", () => tf.scalar(8), "tf.Tensor(8.0, shape=(), dtype=float32)"],
      ["float32 fractional scalar", () => tf.scalar(0.1), "tf.Tensor(0.1, shape=(), dtype=float32)"],
      ["float32 scalar at float32 precision", () => tf.scalar(1 / 3), "tf.Tensor(0.33333334, shape=(), dtype=float32)"],
      ["int32 scalar", () => tf.constant(10, "int32"), "tf.Tensor(10, shape=(), dtype=int32)"],
      ["bool scalar", () => tf.scalar(true), "tf.Tensor(True, shape=(), dtype=bool)"],
      ["float32 vector", () => tf.tensor([1, 2, 3]), "tf.Tensor([1. 2. 3.], shape=(3,), dtype=float32)"],
      ["float32 vector with fractions", () => tf.tensor([0.1, 0.2]), "tf.Tensor([0.1 0.2], shape=(2,), dtype=float32)"],
      ["float32 vector aligns decimal points", () => tf.tensor([1.5, 2.25]), "tf.Tensor([1.5  2.25], shape=(2,), dtype=float32)"],
      // Verbatim from TF's docs for tf.math.sigmoid: numpy pads fractional parts on the right.
      ["float32 vector, mixed precision", () => tf.tensor([0.5, 0.7310586, 1, 1]), "tf.Tensor([0.5       0.7310586 1.        1.       ], shape=(4,), dtype=float32)"],
      ["float32 vector with signs", () => tf.tensor([1, -2]), "tf.Tensor([ 1. -2.], shape=(2,), dtype=float32)"],
      ["float32 non-finite", () => tf.tensor([1, Number.NaN, Infinity, -Infinity]), "tf.Tensor([  1.  nan  inf -inf], shape=(4,), dtype=float32)"],
      ["int32 vector right-aligned", () => tf.tensor([1, -20, 300], undefined, "int32"), "tf.Tensor([  1 -20 300], shape=(3,), dtype=int32)"],
      ["bool vector", () => tf.tensor([true, false]), "tf.Tensor([ True False], shape=(2,), dtype=bool)"],
      ["float32 matrix", () => tf.tensor([[1, 2], [3, 4]]), "tf.Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)"],
      ["int32 matrix", () => t([1, 2, 3, 4, 5, 6], [2, 3], "int32"), "tf.Tensor(\n[[1 2 3]\n [4 5 6]], shape=(2, 3), dtype=int32)"],
      ["bool matrix", () => tf.tensor([[true, false], [false, true]]), "tf.Tensor(\n[[ True False]\n [False  True]], shape=(2, 2), dtype=bool)"],
      ["int32 rank 3", () => t([0, 1, 2, 3, 4, 5, 6, 7], [2, 2, 2], "int32"), "tf.Tensor(\n[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]], shape=(2, 2, 2), dtype=int32)"],
      ["one-row matrix stays on one line", () => tf.tensor([[1, 2]]), "tf.Tensor([[1. 2.]], shape=(1, 2), dtype=float32)"],
      ["empty vector", () => tf.tensor([]), "tf.Tensor([], shape=(0,), dtype=float32)"],
      ["empty matrix", () => tf.zeros([2, 0]), "tf.Tensor([], shape=(2, 0), dtype=float32)"],
      ["float32 small scalar uses scientific notation", () => tf.scalar(1e-5), "tf.Tensor(1e-05, shape=(), dtype=float32)"],
      [
        "more than 1000 elements are summarised with edge items",
        () => tf.range(0, 2000, 1, "int32"),
        "tf.Tensor([   0    1    2 ... 1997 1998 1999], shape=(2000,), dtype=int32)",
      ],
    ];
    for (const [name, make, expected] of cases) {
      it(name, () => {
        const tensor = make();
        expect(tensor.toString()).toBe(expected);
        expect(String(tensor)).toBe(expected);
        expect(`${tensor}`).toBe(expected);
        tensor.dispose();
      });
    }

    it("a disposed tensor prints without touching its data", () => {
      const x = tf.tensor([1, 2]);
      x.dispose();
      expect(x.toString()).toBe("tf.Tensor(<disposed>, shape=(2,), dtype=float32)");
    });
  });

  describe("reading values", () => {
    it("data, dataSync, array and arraySync agree for every dtype", async () => {
      const rows: [tf.Tensor, ArrayLike<number>, unknown][] = [
        [tf.tensor([[1.5, 2], [3, 4]]), new Float32Array([1.5, 2, 3, 4]), [[1.5, 2], [3, 4]]],
        [tf.tensor([[1, -2, 3]], undefined, "int32"), new Int32Array([1, -2, 3]), [[1, -2, 3]]],
        [tf.tensor([true, false, true]), new Uint8Array([1, 0, 1]), [true, false, true]],
        [tf.scalar(7, "int32"), new Int32Array([7]), 7],
        [tf.scalar(false), new Uint8Array([0]), false],
        [tf.zeros([0, 2]), new Float32Array([]), []],
      ];
      for (const [tensor, flat, nested] of rows) {
        expect(tensor.dataSync()).toEqual(flat);
        expect(await tensor.data()).toEqual(flat);
        expect(tensor.arraySync()).toEqual(nested);
        expect(await tensor.array()).toEqual(nested);
        tensor.dispose();
      }
    });

    it("returned arrays are copies: mutating them does not change the tensor", async () => {
      const x = tf.tensor([1, 2, 3]);
      x.dataSync()[0] = 100;
      (await x.data())[1] = 100;
      expect(x.arraySync()).toEqual([1, 2, 3]);
      x.dispose();
    });

    it("float32 stores float32 precision; int32 keeps its exact values", () => {
      const x = tf.tensor([0.1, 16777217]);
      expect(Array.from(x.dataSync())).toEqual([Math.fround(0.1), 16777216]);
      const y = tf.tensor([2147483647, -2147483648], undefined, "int32");
      expect(Array.from(y.dataSync())).toEqual([2147483647, -2147483648]);
      tf.dispose([x, y]);
    });

    it("shape, dtype, rank and size", () => {
      const x = tf.zeros([2, 3, 4], "int32");
      expect([x.shape, x.dtype, x.rank, x.size]).toEqual([[2, 3, 4], "int32", 3, 24]);
      expect(Object.isFrozen(x.shape)).toBe(true);
      x.dispose();
      const s = tf.scalar(1);
      expect([s.shape, s.rank, s.size]).toEqual([[], 0, 1]);
      s.dispose();
    });
  });

  describe("conversion to JS values", () => {
    it("an eager scalar converts with unary plus and comparisons, like TF's float(t)", () => {
      const x = tf.scalar(3.5);
      expect(+x).toBe(3.5);
      expect((x as unknown as number) > 3).toBe(true);
      expect(Number(x) * 2).toBe(7);
      const i = tf.scalar(-4, "int32");
      expect(+i).toBe(-4);
      const b = tf.scalar(true);
      expect(+b).toBe(1);
      tf.dispose([x, i, b]);
    });

    it("a non-scalar does not convert to a number", () => {
      const x = tf.tensor([1, 2]);
      expect(() => +x).toThrow(tf.KilnError);
      expect(() => +x).toThrow(/Cannot convert a tensor of shape \(2,\) to a JS number; only scalars convert/);
      const one = tf.tensor([5]);
      expect(() => +one).toThrow(/shape \(1,\)/);
      tf.dispose([x, one]);
    });
  });

  describe("creating tensors from JS values", () => {
    it("ragged nested arrays are a ShapeError", () => {
      expect(() => tf.tensor([[1, 2], [3]])).toThrow(tf.ShapeError);
      expect(() => tf.tensor([[1, 2], [3]])).toThrow(/tensor: ragged nested array/);
      expect(() => tf.constant([[1], 2] as unknown as number[][])).toThrow(tf.ShapeError);
      // An array where a number belongs (at the innermost level) is ragged too.
      expect(() => tf.constant([1, [2]] as unknown as number[])).toThrow(/constant: ragged nested array/);
      expect(() => tf.tensor([[1, 2], [3, [4]]] as unknown as number[][])).toThrow(tf.ShapeError);
    });

    it("an int32 constant from a fraction is a DTypeError", () => {
      expect(() => tf.constant(1.5, "int32")).toThrow(tf.DTypeError);
      expect(() => tf.constant(1.5, "int32")).toThrow(/constant: 1.5 cannot be converted to int32 without losing its fraction/);
      expect(() => tf.tensor([1, 2.5], undefined, "int32")).toThrow(tf.DTypeError);
    });

    it("numbers become float32 and booleans bool unless a dtype is given", () => {
      const cases: [tf.Tensor, tf.DType][] = [
        [tf.constant(10), "float32"],
        [tf.constant(10, "int32"), "int32"],
        [tf.constant([true]), "bool"],
        [tf.constant(new Int32Array([1, 2])), "int32"],
        [tf.constant(new Uint8Array([1, 0])), "bool"],
      ];
      for (const [tensor, dtype] of cases) expect(tensor.dtype).toBe(dtype);
      tf.dispose(cases.map(([tensor]) => tensor));
    });

    it("tf.tensor checks the shape against the number of values", () => {
      expect(() => tf.tensor([1, 2, 3], [2, 2])).toThrow(tf.ShapeError);
      expect(() => tf.tensor([1, 2, 3], [2, 2])).toThrow(/tensor: shape \[2,2\] needs 4 values, but 3 were given/);
      expect(() => tf.tensor([1, 2], [-2])).toThrow(tf.ShapeError);
    });

    it("rejects values that are not numbers or booleans", () => {
      expect(() => tf.constant("x" as unknown as number)).toThrow(tf.ArgumentError);
      expect(() => tf.tensor([1, "x"] as unknown as number[])).toThrow(tf.DTypeError);
      expect(() => tf.constant(1, "float64" as tf.DType)).toThrow(tf.DTypeError);
    });
  });

  describe("disposal", () => {
    it("Symbol.dispose frees a tensor declared with `using`", () => {
      const before = tf.memory().numTensors;
      let escaped: tf.Tensor;
      {
        using x = tf.ones([4]);
        escaped = x;
        expect(tf.memory().numTensors).toBe(before + 1);
      }
      expect(escaped.isDisposed).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    });

    it("reading a disposed tensor is a DisposedError; disposing twice is harmless", async () => {
      const x = tf.tensor([1, 2]);
      x.dispose();
      x.dispose();
      expect(x.isDisposed).toBe(true);
      expect(() => x.dataSync()).toThrow(tf.DisposedError);
      expect(() => x.arraySync()).toThrow(/tensor \(shape \(2,\), dtype float32\) was already disposed/);
      await expect(x.data()).rejects.toThrow(tf.DisposedError);
      await expect(x.array()).rejects.toThrow(tf.DisposedError);
    });

    it("passing a disposed tensor to an op is a DisposedError naming the op and argument", () => {
      const x = tf.tensor([1, 2]);
      const y = tf.tensor([3, 4]);
      y.dispose();
      expect(() => tf.add(x, y)).toThrow(tf.DisposedError);
      expect(() => tf.add(x, y)).toThrow(/add: argument 'y' \(shape \(2,\), dtype float32\) was already disposed/);
      x.dispose();
    });
  });
});
