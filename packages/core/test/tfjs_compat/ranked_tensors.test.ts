import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

const read = (t: tf.Tensor) => {
  const out = { shape: t.shape, dtype: t.dtype, value: t.arraySync() };
  t.dispose();
  return out;
};

describe("tensor1d ... tensor6d: tf.tensor with the rank checked, as in tfjs", () => {
  it("build tensors of their rank from nested arrays", () => {
    expect(read(tf.tensor1d([1, 2, 3]))).toEqual({ shape: [3], dtype: "float32", value: [1, 2, 3] });
    expect(read(tf.tensor1d([1, 2], "int32"))).toEqual({ shape: [2], dtype: "int32", value: [1, 2] });
    expect(read(tf.tensor1d([true, false]))).toEqual({ shape: [2], dtype: "bool", value: [true, false] });
    expect(read(tf.tensor2d([[1, 2], [3, 4]]))).toEqual({ shape: [2, 2], dtype: "float32", value: [[1, 2], [3, 4]] });
    expect(read(tf.tensor3d([[[1], [2]]])).shape).toEqual([1, 2, 1]);
  });

  it("build tensors from flat values and a shape of their rank", () => {
    expect(read(tf.tensor2d([1, 2, 3, 4], [2, 2], "int32"))).toEqual({ shape: [2, 2], dtype: "int32", value: [[1, 2], [3, 4]] });
    expect(read(tf.tensor3d([1, 2, 3, 4], [2, 2, 1])).shape).toEqual([2, 2, 1]);
    expect(read(tf.tensor4d(new Float32Array(4), [1, 2, 2, 1])).shape).toEqual([1, 2, 2, 1]);
    expect(read(tf.tensor5d([1, 2, 3, 4], [1, 1, 2, 2, 1])).shape).toEqual([1, 1, 2, 2, 1]);
    expect(read(tf.tensor6d([1, 2, 3, 4], [1, 1, 1, 2, 2, 1])).shape).toEqual([1, 1, 1, 2, 2, 1]);
    expect(read(tf.tensor2d([], [0, 3])).shape).toEqual([0, 3]);
  });

  it("values of another rank are a ShapeError that says how to give a shape", () => {
    expect(() => tf.tensor2d([1, 2, 3, 4])).toThrow(tf.ShapeError);
    expect(() => tf.tensor2d([1, 2, 3, 4])).toThrow("tensor2d: values must be nested 2 deep (rank 2), received rank 1 (shape [4]); give flat values a shape, e.g. tensor2d(values, [rows, cols])");
    expect(() => tf.tensor1d(5 as never)).toThrow(/tensor1d: values must be nested 1 deep \(rank 1\), received rank 0/);
    expect(() => tf.tensor3d([[1, 2]])).toThrow(/tensor3d: .*received rank 2/);
  });

  it("a shape of another rank, or one that does not fit the values, is a ShapeError", () => {
    expect(() => tf.tensor2d([1, 2, 3, 4], [4] as never)).toThrow("tensor2d: shape must have 2 dimensions, received [4]");
    expect(() => tf.tensor2d([1, 2, 3], [2, 2])).toThrow(/tensor: shape \[2,2\] needs 4 values, but 3 were given/);
  });

  it("a tensor is not values: the error points at reshape", () => {
    const t = tf.tensor([1, 2]);
    expect(() => tf.tensor2d(t as never)).toThrow(tf.ArgumentError);
    expect(() => tf.tensor2d(t as never)).toThrow(/tensor2d: values must be .*received a tensor; use tf.reshape/);
    t.dispose();
  });

  it("leak nothing when they reject their arguments", () => {
    const before = tf.memory().numTensors;
    for (const bad of [() => tf.tensor2d([1, 2]), () => tf.tensor2d([1, 2], [3, 1]), () => tf.tensor1d([[1]])]) expect(bad).toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("tfjs's shorthand tensor methods", () => {
  it("flatten, asScalar, as1D ... as5D and reshapeAs reshape", () => {
    const m = tf.tensor2d([[1, 2], [3, 4]]);
    expect(read(m.flatten()).value).toEqual([1, 2, 3, 4]);
    expect(read(m.as1D()).shape).toEqual([4]);
    expect(read(m.as2D(4, 1)).shape).toEqual([4, 1]);
    expect(read(m.as3D(1, 2, 2)).shape).toEqual([1, 2, 2]);
    expect(read(m.as4D(1, 1, 2, 2)).shape).toEqual([1, 1, 2, 2]);
    expect(read(m.as5D(1, 1, 1, 2, 2)).shape).toEqual([1, 1, 1, 2, 2]);
    const row = tf.zeros([1, 4]);
    expect(read(m.reshapeAs(row)).shape).toEqual([1, 4]);
    const one = tf.tensor1d([7]);
    expect(read(one.asScalar())).toEqual({ shape: [], dtype: "float32", value: 7 });
    expect(() => m.asScalar()).toThrow("asScalar: the tensor must have exactly one element, received shape [2,2]");
    for (const t of [m, row, one]) t.dispose();
  });

  it("asType, toFloat, toInt and toBool cast", () => {
    const x = tf.tensor1d([1.5, 0, -2]);
    expect(read(x.asType("int32"))).toEqual({ shape: [3], dtype: "int32", value: [1, 0, -2] });
    expect(read(x.toInt()).dtype).toBe("int32");
    expect(read(x.toBool()).value).toEqual([true, false, true]);
    expect(read(x.toInt().toFloat()).dtype).toBe("float32");
    x.dispose();
  });

  it("record Reshape and Cast in traced graphs (no new op types)", () => {
    const f = tf.function((x: tf.Tensor) => x.flatten().toInt());
    const types = f.getConcreteFunction(new tf.TensorSpec([2, 2])).graph.getOperations().map((op) => op.type);
    expect(types).toEqual(["Placeholder", "Reshape", "Cast", "Identity"]);
  });
});
