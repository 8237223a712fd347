import * as tf from "@kiln/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { live, useCpu } from "../setup.js";
import { timesTwoGradTen } from "./check.js";

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();

describe("functional gradients and customGradient keep only their results", () => {
  let before: number;
  beforeEach(() => {
    before = live();
  });
  afterEach(() => {
    expect(live()).toBe(before);
  });

  it("tf.grad frees the forward pass's intermediates", () => {
    const x = tf.tensor([1, 2, 3]);
    const dx = tf.grad((t) => t.mul(t).sum())(x);
    expect(value(dx)).toEqual([2, 4, 6]);
    expect(live()).toBe(before + 2);
    tf.dispose([x, dx]);
  });

  it("tf.grads, tf.valueAndGrad, tf.valueAndGrads and tf.variableGrads keep only their results", () => {
    const x = tf.tensor([1, 2]);
    const y = tf.tensor([3, 4]);
    const gs = tf.grads((a, b) => a.mul(b).exp().sum())([x, y]);
    expect(live()).toBe(before + 4);
    tf.dispose(gs);
    const vg = tf.valueAndGrad((a) => a.square().sum())(x);
    expect(value(vg.value)).toBe(5);
    expect(live()).toBe(before + 4);
    tf.dispose([vg.value, vg.grad]);
    const vgs = tf.valueAndGrads((a, b) => a.mul(b).sum())([x, y]);
    expect(live()).toBe(before + 5);
    tf.dispose([vgs.value, vgs.grads]);
    const w = new tf.Variable([1, 2]);
    const beforeVar = live();
    const vr = tf.variableGrads(() => w.read().square().mul(3).sum());
    expect(live()).toBe(beforeVar + 2);
    expect(value(vr.grads[w.name])).toEqual([6, 12]);
    tf.dispose([vr.value, vr.grads]);
    w.dispose();
    tf.dispose([x, y]);
  });

  it("a JS dy may be used by several gradient ops", () => {
    const x = tf.tensor([1, 2]);
    const y = tf.tensor([3, 4]);
    const [dx, dy] = tf.grads((a, b) => a.mul(b))([x, y], [1, 2]);
    expect([value(dx), value(dy)]).toEqual([
      [3, 8],
      [1, 4],
    ]);
    tf.dispose([x, y, dx, dy]);
  });

  it("tf.grad with a non-scalar result and an explicit dy keeps only the gradient", () => {
    const x = tf.tensor([1, 2]);
    const dx = tf.grad((t) => t.square())(x, [1, 3]);
    expect(value(dx)).toEqual([2, 12]);
    const dx2 = tf.grad((t) => t.square())(x);
    expect(value(dx2)).toEqual([2, 4]);
    expect(live()).toBe(before + 3);
    tf.dispose([x, dx, dx2]);
  });

  it("JS-number arguments of the functional gradients are freed, even when f uses them in several ops", () => {
    const dx = tf.grad((t) => t.mul(t).add(t).sum())(3);
    expect(value(dx)).toBe(7);
    const gs = tf.grads((a, b) => a.mul(b))([2, 5]);
    expect(gs.map(value)).toEqual([5, 2]);
    expect(live()).toBe(before + 3);
    tf.dispose([dx, gs]);
  });

  it("a gradient of zero for an unused input does not depend on the freed argument", () => {
    const gs = tf.grads((a, _b) => a.square())([2, 5]);
    expect(gs.map(value)).toEqual([4, 0]);
    tf.dispose(gs);
  });

  it("a throwing f leaks nothing", () => {
    const x = tf.tensor([1, 2]);
    expect(() =>
      tf.grad((t) => {
        t.square();
        throw new Error("boom");
      })(x),
    ).toThrow("boom");
    x.dispose();
  });

  it("customGradient frees the tensors it made from JS arguments, also ones the body never used", () => {
    const cg = timesTwoGradTen();
    const y = cg(4);
    expect(value(y)).toBe(8);
    expect(live()).toBe(before + 1);
    y.dispose();
    const ignoring = tf.customGradient((_x: tf.Tensor) => ({ value: tf.scalar(7), gradFunc: (dy: tf.Tensor) => dy }));
    const z = ignoring(4);
    expect(value(z)).toBe(7);
    expect(live()).toBe(before + 1);
    z.dispose();
  });

  it("a customGradient body may use a JS-number argument in several ops", () => {
    const cg = tf.customGradient((x: tf.Tensor) => ({ value: x.mul(2).add(x), gradFunc: (dy: tf.Tensor) => dy.mul(3) }));
    // The body's own intermediates are the caller's (as in tfjs), hence the tidy.
    expect(tf.tidy(() => value(cg(4)))).toBe(12);
  });

  it("the gradient through a customGradient called with a JS number leaks nothing", () => {
    const cg = timesTwoGradTen();
    const x = tf.tensor([1, 2]);
    const dx = tf.grad((t) => cg(t).add(cg(1)).sum())(x);
    expect(value(dx)).toEqual([10, 10]);
    expect(live()).toBe(before + 2);
    tf.dispose([x, dx]);
  });
});
