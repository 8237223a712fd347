import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();

/** Gradient of `f` at `x`, computed with a tape inside a tf.function (graph mode, SPEC J2). */
function tracedGrad(f: (x: tf.Tensor) => tf.Tensor) {
  return tf.function((x: tf.Tensor) => {
    const tape = new tf.GradientTape();
    const y = tape.record(() => {
      tape.watch(x);
      return f(x);
    });
    return tape.gradient(y, [x])[0]!;
  }, { autograph: false });
}

describe("gradients of If and While", () => {
  it("If: the gradient follows the branch taken, eagerly and traced", () => {
    const f = (x: tf.Tensor) => tf.cond(tf.greater(x, 0), () => x.mul(x), () => x.mul(-3));
    const g = tracedGrad(f);
    expect(value(g(tf.scalar(2)))).toBe(4);
    expect(value(g(tf.scalar(-1)))).toBe(-3);
    expect(g.tracingCount).toBe(1);
    expect(value(tf.grad(f)(tf.scalar(2)))).toBe(4);
  });

  it("If: gradients flow to captured outer tensors", () => {
    const f = tf.function((x: tf.Tensor, w: tf.Tensor) => {
      const tape = new tf.GradientTape();
      const y = tape.record(() => {
        tape.watch([x, w]);
        return tf.cond(tf.greater(x, 0), () => x.mul(w), () => w);
      });
      return tape.gradient(y, [x, w]);
    }, { autograph: false });
    expect((f(tf.scalar(2), tf.scalar(5)) as tf.Tensor[]).map(value)).toEqual([5, 2]);
    expect((f(tf.scalar(-2), tf.scalar(5)) as tf.Tensor[]).map(value)).toEqual([0, 1]);
  });

  it("While: d/dx of x * 2^n after n doublings, traced, for any n without retracing", () => {
    const f = tf.function((x: tf.Tensor, n: tf.Tensor) => {
      const tape = new tf.GradientTape();
      const y = tape.record(() => {
        tape.watch(x);
        const [, out] = tf.whileLoop((i) => tf.less(i, n), (i, v) => [i!.add(1), v!.mul(2)], [tf.scalar(0, "int32"), x]);
        return out!.mul(out!);
      });
      return tape.gradient(y, [x])[0]!;
    }, { autograph: false });
    // y = (x * 2^n)^2, dy/dx = 2 * x * 4^n
    expect(value(f(tf.scalar(3), tf.scalar(2, "int32")))).toBe(2 * 3 * 16);
    expect(value(f(tf.scalar(1), tf.scalar(0, "int32")))).toBe(2);
    expect(value(f(tf.scalar(0.5), tf.scalar(5, "int32")))).toBe(2 * 0.5 * 1024);
    expect(f.tracingCount).toBe(1);
  });

  it("While: gradients to captured values accumulate over iterations", () => {
    const f = tf.function((x: tf.Tensor, w: tf.Tensor) => {
      const tape = new tf.GradientTape();
      const y = tape.record(() => {
        tape.watch([x, w]);
        // three iterations of v = v * w + 1
        return tf.whileLoop((i) => tf.less(i, 3), (i, v) => [i!.add(1), v!.mul(w).add(1)], [tf.scalar(0, "int32"), x])[1]!;
      });
      return tape.gradient(y, [x, w]);
    }, { autograph: false });
    // y = x w^3 + w^2 + w + 1; dy/dx = w^3; dy/dw = 3 x w^2 + 2w + 1
    const [dx, dw] = (f(tf.scalar(2), tf.scalar(3)) as tf.Tensor[]).map(value);
    expect(dx).toBe(27);
    expect(dw).toBe(3 * 2 * 9 + 6 + 1);
  });
});
