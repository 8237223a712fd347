import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { live, take, useCpu } from "../setup.js";

useCpu();

describe("misuse gets typed errors that say what was received", () => {
  it("a disposed tensor passed to or captured by a tf.function is a DisposedError", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1));
    const gone = tf.ones([2]);
    gone.dispose();
    expect(() => f(gone)).toThrow(tf.DisposedError);
    const captured = tf.ones([2]);
    const g = tf.function((x: tf.Tensor) => x.add(captured));
    const x = tf.ones([2]);
    expect(take(g(x))).toEqual([2, 2]);
    captured.dispose();
    expect(() => g(x)).toThrow(tf.DisposedError);
    expect(() => g(x)).toThrow(/a tensor captured by the function was disposed/);
    // Disposed before the first trace: the error names the op and the trace.
    const late = tf.ones([2]);
    const h = tf.function((y: tf.Tensor) => y.add(late));
    late.dispose();
    expect(() => h(x)).toThrow(tf.DisposedError);
    x.dispose();
  });

  it("reading a disposed tensor names the method that was called", () => {
    const t = tf.ones([2]);
    t.dispose();
    expect(() => t.arraySync()).toThrow(/^arraySync: tensor \(shape \(2,\), dtype float32\) was already disposed/);
    expect(() => t.dataSync()).toThrow(/^dataSync: /);
  });

  it("tf.tidy with something other than a function is a TypeError saying what it received", () => {
    expect(() => tf.tidy(3 as never)).toThrow(TypeError);
    expect(() => tf.tidy(3 as never)).toThrow("tidy: expected a function to run in the scope, received number 3");
    expect(() => tf.tidy("scope" as never)).toThrow(/received the string "scope"/);
  });

  it("GradientTape.gradient names a target or source that is not a tensor", () => {
    const x = tf.ones([2]);
    const tape = new tf.GradientTape({ persistent: true });
    tape.watch(x);
    const y = tape.record(() => tf.sum(x));
    expect(() => tape.gradient("loss" as never, x)).toThrow(tf.ArgumentError);
    expect(() => tape.gradient("loss" as never, x)).toThrow(/target 0 must be a tensor computed inside the tape, received the string "loss"/);
    expect(() => tape.gradient(y, [x, 3] as never)).toThrow(/source '\[1\]' must be a tensor or variable, received number 3/);
    tape.dispose();
    tf.dispose([x, y]);
  });

  it("a concrete function called with the wrong signature says what it was traced for and what it received", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1));
    const cf = f.getConcreteFunction(new tf.TensorSpec([2]));
    const three = tf.ones([3]);
    expect(() => cf(three)).toThrow(TypeError);
    expect(() => cf(three)).toThrow(/traced for .*TensorSpec\(shape=\(2,\), dtype=float32.* cannot be called with x = a tensor of shape \(3,\) and dtype float32/);
    expect(() => (cf as (...a: unknown[]) => unknown)("x")).toThrow(/cannot be called with x = "x"/);
    three.dispose();
  });

  it("a tf.function that calls itself with the same signature while tracing is a typed error, not a stack overflow", () => {
    const forever: tf.TfFunction<(x: tf.Tensor) => tf.Tensor> = tf.function((x: tf.Tensor): tf.Tensor => forever(x));
    const x = tf.ones([2]);
    const before = live();
    expect(() => forever(x)).toThrow(tf.KilnError);
    expect(() => forever(x)).toThrow(/calls itself with the same input signature while it is being traced/);
    expect(live()).toBe(before);
    expect(forever.tracingCount).toBe(0);
    // Recursion on a JS value that reaches a base case traces once per value.
    const power: tf.TfFunction<(x: tf.Tensor, n: number) => tf.Tensor> = tf.function((y: tf.Tensor, n: number): tf.Tensor => (n === 0 ? tf.onesLike(y) : tf.mul(y, power(y, n - 1))));
    expect(take(power(tf.fill([2], 3), 3))).toEqual([27, 27]);
    x.dispose();
  });

  it("a customGradient whose gradient function throws leaks nothing, on non-persistent and persistent tapes", () => {
    const broken = tf.customGradient((x: tf.Tensor) => ({
      value: x.mul(2),
      gradFunc: () => {
        throw new Error("boom");
      },
    }));
    const x = tf.ones([2]);
    for (const persistent of [false, true]) {
      const before = live();
      const tape = new tf.GradientTape({ persistent });
      tape.watch(x);
      const y = tape.record(() => tf.tidy(() => tf.sum(broken(x))));
      expect(() => tape.gradient(y, x)).toThrow("boom");
      tape.dispose();
      y.dispose();
      expect(live()).toBe(before);
    }
    x.dispose();
  });

  it("every error class Kiln exports is a KilnError subclass", () => {
    const classes = Object.entries(tf).filter(([name, value]) => typeof value === "function" && name.endsWith("Error"));
    expect(classes.length).toBeGreaterThan(10);
    for (const [name, cls] of classes) expect((cls as Function).prototype instanceof tf.KilnError || cls === tf.KilnError, name).toBe(true);
  });
});
