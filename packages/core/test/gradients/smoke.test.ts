import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();

describe("GradientTape mechanics (SPEC J)", () => {
  it("errors: non-scalar target, unwatched source, second call on a non-persistent tape", () => {
    const x = tf.tensor([1, 2]);
    const tape = new tf.GradientTape();
    const y = tape.record(() => {
      tape.watch(x);
      return x.add(x);
    });
    expect(() => tape.gradient(y, [x])).toThrow(/not a scalar/);
    const total = tape.record(() => tf.sum(y));
    expect(() => tape.gradient(total, [tf.tensor([3])])).toThrow(/was not watched/);
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
});

describe("GradientTape bad input (SPEC J)", () => {
  it("a target computed outside the tape is an error; a disconnected source gives null", () => {
    const x = tf.scalar(3);
    const outside = x.mul(2);
    const tape = new tf.GradientTape({ persistent: true });
    const y = tape.record(() => {
      tape.watch(x);
      return x.square();
    });
    expect(() => tape.gradient(outside, [x])).toThrow(/computed outside this tape/);
    const z = tf.scalar(5);
    const inside = tape.record(() => {
      tape.watch(z);
      return y.add(1);
    });
    const [dx, dz] = tape.gradient(inside, [x, z]);
    expect(dx!.arraySync()).toBe(6);
    expect(dz).toBeNull();
    tape.dispose();
  });

  it("calling gradient twice on a non-persistent tape is an error", () => {
    const x = tf.scalar(2);
    const tape = new tf.GradientTape();
    const y = tape.record(() => {
      tape.watch(x);
      return x.square();
    });
    tape.gradient(y, [x]);
    expect(() => tape.gradient(y, [x])).toThrow(/only once/);
  });
});
