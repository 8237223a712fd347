import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();

describe("review regressions: executor, variables, tapes", () => {
  it("H2: a read stays valid when the variable is assigned later in the same call or a nested one", () => {
    const v = new tf.Variable(0, { dtype: "int32" });
    expect((tf.function(() => [v.read(), v.assignAdd(1)])() as tf.Tensor[]).map(value)).toEqual([0, 1]);
    const w = new tf.Variable(tf.tensor([1, 2]));
    expect(value(tf.function(() => { const r = w.read(); w.assign(tf.tensor([5, 6])); return r; })())).toEqual([1, 2]);
    const inner = tf.function(() => { w.assign(tf.tensor([7, 8])); return tf.constant(0); });
    expect(value(tf.function(() => w.read().add(inner()))())).toEqual([5, 6]);
    expect(value(w.read())).toEqual([7, 8]);
  });

  it("H2: a traced assign rejects a value of another shape even when the trace relaxed the dims", () => {
    const v = new tf.Variable(tf.tensor([1, 2]));
    const f = tf.function((x: tf.Tensor) => { v.assign(x); return tf.constant(0); });
    f(tf.tensor([5, 6]));
    expect(() => f(tf.tensor([7, 8, 9]))).toThrow(tf.ShapeError);
    expect(value(v.read())).toEqual([5, 6]);
  });

  it("J: eager higher-order gradients through nested tapes and tf.grad", () => {
    const x = tf.scalar(2);
    const outer = new tf.GradientTape();
    outer.watch(x);
    const g = outer.record(() => {
      const inner = new tf.GradientTape();
      inner.watch(x);
      const y = inner.record(() => x.mul(x).mul(x));
      return inner.gradient(y, x)!;
    });
    expect(value(g)).toBe(12);
    expect(value(outer.gradient(g, x))).toBe(12);
    expect(value(tf.grad((t) => tf.grad((u) => u.mul(u).mul(u))(t))(tf.scalar(2)))).toBe(12);
  });

  it("J1: gradients through a tf.function that contains cond and whileLoop", () => {
    const f = tf.function((x: tf.Tensor) => tf.cond(tf.greater(x, 0), () => x.mul(x), () => x.mul(-3)));
    expect(value(tf.grad((x) => f(x) as tf.Tensor)(tf.scalar(2)))).toBe(4);
    expect(value(tf.grad((x) => f(x) as tf.Tensor)(tf.scalar(-2)))).toBe(-3);
    const g = tf.function((x: tf.Tensor) => tf.whileLoop((i) => tf.less(i, 3), (i, v) => [i!.add(1), v!.mul(2)], [tf.scalar(0, "int32"), x])[1]!);
    expect(value(tf.grad((x) => g(x) as tf.Tensor)(tf.scalar(5)))).toBe(8);
  });

  it("J2: explicitly watched variables get gradients inside a tf.function", () => {
    const w = new tf.Variable(3);
    const f = tf.function((x: tf.Tensor) => {
      const tape = new tf.GradientTape({ watchAccessedVariables: false });
      tape.watch(w);
      const y = tape.record(() => x.mul(w).sum());
      return tape.gradient(y, w)!;
    });
    expect(value(f(tf.tensor([1, 2])))).toBe(3);
  });

  it("B11/D1: a relaxed trace's structured signature shows the relaxed shape", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1));
    f(tf.ones([1, 2]));
    f(tf.ones([2, 2]));
    const relaxed = f.concreteFunctions()[1]!;
    expect(String(relaxed.structuredInputSignature[0])).toBe("TensorSpec(shape=(None, 2), dtype=float32, name='x')");
  });

  it("disposing a function frees its plans' constants, including branch sub-graphs", () => {
    const before = tf.memory().numBytes;
    const f = tf.function((x: tf.Tensor) => tf.cond(tf.greater(x, 0), () => x.add(100), () => x.sub(100)));
    for (const v of [1, -1]) {
      const x = tf.scalar(v);
      tf.dispose([f(x), x]);
    }
    expect(tf.memory().numBytes).toBeGreaterThan(before);
    for (const cf of f.concreteFunctions()) cf.dispose();
    expect(tf.memory().numBytes).toBe(before);
  });
});
