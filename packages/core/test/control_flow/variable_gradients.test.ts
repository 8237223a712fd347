import * as tf from "@kiln/core";
import { expect, it } from "vitest";
import { useCpu } from "../setup.js";
useCpu();
it("tape around a function whose cond branch reads a variable", () => {
  const v = new tf.Variable(3);
  const f = tf.function((x: tf.Tensor) => tf.cond(tf.greater(x, 0), () => x.mul(v.read()), () => x.mul(2)), { autograph: false });
  const x = tf.scalar(2);
  const tape = new tf.GradientTape();
  const y = tape.record(() => { tape.watch(x); return f(x) as tf.Tensor; });
  const [dx, dv] = tape.gradient(y, [x, v]);
  expect(dx!.arraySync()).toBe(3);
  expect(dv!.arraySync()).toBe(2);
});
it("tape inside a function whose while body reads a variable", () => {
  const w = new tf.Variable(0.5);
  const f = tf.function((x: tf.Tensor) => {
    const tape = new tf.GradientTape();
    const y = tape.record(() => tf.whileLoop((i: tf.Tensor) => tf.less(i, 3), (i: tf.Tensor, h: tf.Tensor) => [i.add(1), h.mul(w.read())], [tf.scalar(0, "int32"), x])[1]!);
    return tape.gradient(y, [w])[0]!;
  }, { autograph: false });
  // y = x * w^3, dy/dw = 3 x w^2 = 3 * 2 * 0.25
  expect((f(tf.scalar(2)) as tf.Tensor).arraySync()).toBeCloseTo(1.5);
});
