import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();

describe("J1: gradients through a tf.function call", () => {
  it("J1: a variable assigned inside a tf.function contributes its pre-call value to the gradient", () => {
    const v = new tf.Variable(3);
    const f = tf.function(
      (x: tf.Tensor) => {
        const y = x.mul(v.read());
        v.assign(tf.scalar(100));
        return y;
      },
      { autograph: false },
    );
    const x = tf.scalar(2);
    const dx = tf.grad((t) => f(t) as tf.Tensor)(x);
    expect(value(dx)).toBe(3);
    // The variable's own gradient is d(x * v)/dv = x, taken at the read before the assign.
    v.assign(3);
    const tape = new tf.GradientTape();
    const y = tape.record(() => f(x) as tf.Tensor);
    const [dv] = tape.gradient(y, [v]);
    expect(value(dv)).toBe(2);
    tf.dispose([x, dx, y, dv]);
    v.dispose();
  });

  it("J1/J2: a variable assigned inside a nested tf.function call contributes its pre-call value to a tape in the outer function", () => {
    const v = new tf.Variable(3);
    const inner = tf.function(
      (x: tf.Tensor) => {
        const y = x.mul(v.read());
        v.assign(tf.scalar(100));
        return y;
      },
      { autograph: false },
    );
    const outer = tf.function(
      (x: tf.Tensor) => {
        const tape = new tf.GradientTape();
        const y = tape.record(() => {
          tape.watch(x);
          return inner(x) as tf.Tensor;
        });
        return tape.gradient(y, [x])[0]!;
      },
      { autograph: false },
    );
    expect(value(outer(tf.scalar(2)))).toBe(3);
    v.dispose();
  });

  it("J1: gradients through a tf.function that contains cond and whileLoop", () => {
    const f = tf.function((x: tf.Tensor) => tf.cond(tf.greater(x, 0), () => x.mul(x), () => x.mul(-3)));
    expect(value(tf.grad((x) => f(x) as tf.Tensor)(tf.scalar(2)))).toBe(4);
    expect(value(tf.grad((x) => f(x) as tf.Tensor)(tf.scalar(-2)))).toBe(-3);
    const g = tf.function((x: tf.Tensor) => tf.whileLoop((i) => tf.less(i, 3), (i, v) => [i!.add(1), v!.mul(2)], [tf.scalar(0, "int32"), x])[1]!);
    expect(value(tf.grad((x) => g(x) as tf.Tensor)(tf.scalar(5)))).toBe(8);
  });
});
