import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { live, loosely, take, useCpu } from "../setup.js";

useCpu();

// SPEC B8 and B12: a concrete function never retraces. Its JS-valued parameters are pinned
// to the values it was traced with, so (as in TF, where they are baked into its
// FunctionType) it can be called with its tensor arguments alone, or with every argument
// when the pinned ones are equal to the traced values.

const pow = () =>
  tf.function(function pow(x: tf.Tensor, k: number) {
    return tf.pow(x, k);
  });

describe("SPEC B12: calling a concrete function with pinned JS arguments", () => {
  it("B12: a concrete function traced with a pinned JS argument can be called without it, or with the same value", () => {
    const f = pow();
    const square = loosely(f.getConcreteFunction(new tf.TensorSpec([null]), 2));
    expect(take(square(tf.tensor([1, 2, 3])))).toEqual([1, 4, 9]);
    expect(take(square(tf.tensor([4]), 2))).toEqual([16]);
    // An explicit undefined means the same as leaving the argument out, as in JS.
    expect(take(square(tf.tensor([5]), undefined))).toEqual([25]);
    expect(f.tracingCount).toBe(1);
  });

  it("B12: another value for a pinned argument is a TypeError showing what the concrete function was traced for", () => {
    const f = pow();
    const square = loosely(f.getConcreteFunction(new tf.TensorSpec([null]), 2));
    const x = tf.tensor([1, 2]);
    expect(() => square(x, 3)).toThrow(TypeError);
    expect(() => square(x, 3)).toThrow(
      "pow: this concrete function was traced for pow(x: TensorSpec(shape=(None,), dtype=float32, name='x'), k: Literal[2]) " +
        "and cannot be called with k = 3: JS arguments are pinned to the values they were traced with (leave 'k' out, or pass 2). " +
        "Call the tf.function itself to trace a new signature",
    );
    expect(() => square(x, "2")).toThrow(/cannot be called with k = "2"/);
    expect(f.tracingCount).toBe(1);
    x.dispose();
  });

  it("B12: a concrete function traced with only JS arguments can be called with none", () => {
    const f = tf.function(function fill3(n: number) {
      return tf.fill([n], n);
    });
    const c = loosely(f.getConcreteFunction(3));
    expect(take(c())).toEqual([3, 3, 3]);
    expect(take(c(3))).toEqual([3, 3, 3]);
    expect(() => c(4)).toThrow(/traced for fill3\(n: Literal\[3\]\) and cannot be called with n = 4/);
    expect(f.tracingCount).toBe(1);
  });

  it("B12: pinned arguments before or between tensors: call with the tensor arguments only, or with every argument", () => {
    const f = tf.function(function scaleShift(k: number, x: tf.Tensor, mode: string, b: tf.Tensor) {
      return mode === "add" ? x.mul(k).add(b) : x.mul(k).sub(b);
    });
    const cf = loosely(f.getConcreteFunction(10, new tf.TensorSpec([2]), "add", new tf.TensorSpec([])));
    const x = tf.tensor([1, 2]);
    const b = tf.scalar(1);
    expect(take(cf(x, b))).toEqual([11, 21]);
    expect(take(cf(10, x, "add", b))).toEqual([11, 21]);
    // Trailing pinned arguments may be left out of the full form too.
    expect(take(cf(10, x, "add", b, undefined))).toEqual([11, 21]);
    expect(() => cf(x)).toThrow(/cannot be called with 1 argument; pass its tensor arguments \(x, b\) or every argument \(k, x, mode, b\)/);
    expect(() => cf(10, x, "sub", b)).toThrow(/cannot be called with mode = "sub": .*leave 'mode' out, or pass "add"/);
    expect(() => cf(x, b, 3)).toThrow(/cannot be called with 3 arguments/);
    expect(f.tracingCount).toBe(1);
    tf.dispose([x, b]);
  });

  it("B12 + C6: a pinned parameter keeps its traced value, not the JS default, when left out", () => {
    const f = tf.function(function maybeDouble(x: tf.Tensor, double = false) {
      return double ? x.mul(2) : x;
    });
    const doubled = loosely(f.getConcreteFunction(new tf.TensorSpec([1]), true));
    expect(take(doubled(tf.tensor([4])))).toEqual([8]);
    expect(() => doubled(tf.tensor([4]), false)).toThrow(/cannot be called with double = false/);
    // Traced through the default: `double` is pinned to false.
    const plain = loosely(f.getConcreteFunction(new tf.TensorSpec([1])));
    expect(take(plain(tf.tensor([4])))).toEqual([4]);
    expect(take(plain(tf.tensor([4]), false))).toEqual([4]);
  });

  it("B12 + C4: an object argument is pinned by identity", () => {
    class Config {
      readonly scale = 3;
    }
    const config = new Config();
    const f = tf.function(function scaled(x: tf.Tensor, c: Config) {
      return x.mul(c.scale);
    });
    const cf = loosely(f.getConcreteFunction(new tf.TensorSpec([]), config));
    expect(take(cf(tf.scalar(2)))).toBe(6);
    expect(take(cf(tf.scalar(2), config))).toBe(6);
    expect(() => cf(tf.scalar(2), new Config())).toThrow(/cannot be called with c = a Config object: JS arguments are pinned/);
  });
});

describe("SPEC B12: tensors, variables and structures still have to match the trace", () => {
  it("B12: a tensor of another shape or dtype is a TypeError naming the spec it must match", () => {
    const square = loosely(pow().getConcreteFunction(new tf.TensorSpec([null]), 2));
    expect(() => square(tf.ones([1, 1]))).toThrow(
      /cannot be called with x = a tensor of shape \(1, 1\) and dtype float32: it must match TensorSpec\(shape=\(None,\), dtype=float32, name='x'\)/,
    );
    expect(() => square(tf.ones([2], "int32"))).toThrow(/x = a tensor of shape \(2,\) and dtype int32/);
    // A JS value is not converted where the trace had a tensor.
    expect(() => square([1, 2])).toThrow(/cannot be called with x = \[1, 2\]/);
    expect(() => square(new tf.TensorSpec([2]))).toThrow(/argument 'x' is a TensorSpec/);
  });

  it("B12 + C3: a nested argument must have the traced structure, with its JS leaves pinned", () => {
    const f = tf.function(function affine(x: tf.Tensor, p: { w: tf.Tensor; op: string }) {
      return p.op === "mul" ? x.mul(p.w) : x.add(p.w);
    });
    const cf = loosely(f.getConcreteFunction(new tf.TensorSpec([2]), { op: "mul", w: new tf.TensorSpec([2]) }));
    const x = tf.tensor([1, 2]);
    const w = tf.tensor([3, 4]);
    expect(take(cf(x, { w, op: "mul" }))).toEqual([3, 8]);
    expect(() => cf(x, { w, op: "add" })).toThrow(
      /cannot be called with p = \{w: a tensor of shape \(2,\) and dtype float32, op: "add"\}: its tensors must match the traced shapes and dtypes, and JS values inside it are pinned/,
    );
    expect(() => cf(x, { w })).toThrow(TypeError);
    tf.dispose([x, w]);
  });

  it("B12 + C5: a variable argument matches by dtype, shape and trainability, not identity", () => {
    const f = tf.function(function scaleBy(v: tf.Variable, x: tf.Tensor) {
      return x.mul(v);
    });
    const a = new tf.Variable(tf.tensor([2, 2]));
    const b = new tf.Variable(tf.tensor([5, 5]));
    const cf = loosely(f.getConcreteFunction(a, new tf.TensorSpec([2])));
    const x = tf.tensor([1, 2]);
    expect(take(cf(a, x))).toEqual([2, 4]);
    expect(take(cf(b, x))).toEqual([5, 10]);
    const c = new tf.Variable(tf.tensor([1, 1, 1]));
    expect(() => cf(c, x)).toThrow(/cannot be called with v = a Variable of shape \(3,\) and dtype float32: it must match VariableSpec/);
    tf.dispose([a, b, c, x]);
  });

  it("B12: calls that fail keep no tensors alive", () => {
    const square = loosely(pow().getConcreteFunction(new tf.TensorSpec([null]), 2));
    const x = tf.tensor([1, 2]);
    const before = live();
    expect(() => square(x, 3)).toThrow(TypeError);
    expect(() => square(x, 2, 1)).toThrow(TypeError);
    expect(live()).toBe(before);
    x.dispose();
  });
});
