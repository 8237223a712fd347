import * as tf from "@kiln/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { live, useCpu } from "../setup.js";

useCpu();

// SPEC J4: a tape keeps its own handles on what its rules need, so a tidy scope or an eager
// loop may free the originals. Those handles stand for the originals on every tape: a
// backward pass run from them is still recorded by an outer tape as depending on what the
// originals were computed from, so higher-order gradients stay exact.

/** d2/dx2 of `f` at x with two eager tapes, and the first derivative on the way. */
function secondDerivative(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): [number, number] {
  return tf.tidy(() => {
    const outer = new tf.GradientTape();
    const dy = outer.record(() => {
      outer.watch(x);
      const inner = new tf.GradientTape();
      const y = inner.record(() => {
        inner.watch(x);
        return f(x);
      });
      return inner.gradient(y, [x])[0]!;
    });
    return [dy.dataSync()[0]!, outer.gradient(dy, [x])[0]!.dataSync()[0]!];
  });
}

describe("SPEC J4: higher-order gradients when the first pass's intermediates were freed", () => {
  let before: number;
  let x: tf.Tensor;
  beforeEach(() => {
    x = tf.scalar(2);
    before = live();
  });
  afterEach(() => {
    expect(live(), "no tensor outlives the test").toBe(before);
    x.dispose();
  });

  it("J4: x^3 computed in a tidy scope (x*x freed) has second derivative 6x", () => {
    expect(secondDerivative((t) => tf.tidy(() => t.mul(t).mul(t)), x)).toEqual([12, 12]);
  });

  it("J4: an eager whileLoop (which frees each iteration's values) has exact second derivatives", () => {
    // Three squarings: y = x^8, y' = 8x^7, y'' = 56x^6.
    const eighth = (t: tf.Tensor) => tf.whileLoop((i) => tf.less(i!, 3), (i, h) => [i!.add(1), h!.mul(h!)], [tf.scalar(0, "int32"), t])[1]!;
    expect(secondDerivative(eighth, x)).toEqual([8 * 2 ** 7, 56 * 2 ** 6]);
  });

  it("J4: an eager tf.cond inside a tidy scope has exact second derivatives", () => {
    const branch = (t: tf.Tensor) => tf.tidy(() => tf.cond(tf.greater(t, 0), () => t.mul(t).mul(t), () => t.neg()));
    expect(secondDerivative(branch, x)).toEqual([12, 12]);
  });
});
