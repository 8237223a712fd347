import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { live, take, useCpu } from "../setup.js";

useCpu();

/** dy/dx of `f` at x = 3 with a tape around the call, and the value. */
function gradientAround(f: (x: tf.Tensor) => unknown): [unknown, unknown] {
  const x = tf.scalar(3);
  const tape = new tf.GradientTape();
  tape.watch(x);
  const y = tape.record(() => f(x) as tf.Tensor);
  try {
    return [y.arraySync(), take(tape.gradient(y, x)!)];
  } finally {
    tf.dispose([x, y]);
  }
}

// The backward pass of a call replays its graph (J1); a replay threads each variable's value
// through the assignments before a read instead of seeing the value from before the call.
describe("J1: gradients of what a function computes after assigning a variable", () => {
  it("a read after an assignment in the same function sees the assigned value", () => {
    const v = new tf.Variable(1);
    const f = tf.function((x: tf.Tensor) => {
      v.assignAdd(1);
      return x.mul(v.read());
    });
    expect(gradientAround(f)).toEqual([6, 2]); // v is 2 when read
    expect(gradientAround(f)).toEqual([9, 3]);
    const g = tf.function((x: tf.Tensor) => {
      v.assign(tf.scalar(5));
      v.assignSub(1);
      return x.mul(v.read()).add(v.read());
    });
    expect(gradientAround(g)).toEqual([16, 4]);
    v.dispose();
  });

  it("an assignment made by a nested call is seen by the caller's later reads", () => {
    const v = new tf.Variable(1);
    const bump = tf.function(() => {
      v.assignAdd(2);
      return tf.constant(0);
    });
    const f = tf.function((x: tf.Tensor) => {
      bump();
      return x.mul(v.read());
    });
    expect(gradientAround(f)).toEqual([9, 3]);
    v.dispose();
  });

  it("a read after an assignment inside a branch is a typed error, not a silently wrong gradient", () => {
    const v = new tf.Variable(1);
    const f = tf.function((x: tf.Tensor) => {
      tf.cond(tf.greater(x, 0), () => v.assignAdd(1), () => v.read());
      return x.mul(v.read());
    });
    const before = live();
    expect(() => gradientAround(f)).toThrow(tf.KilnError);
    expect(() => gradientAround(f)).toThrow(/reads a variable that If '.*' assigned inside the functions of its branches/);
    expect(live()).toBe(before);
    v.dispose();
  });

  it("a loop body that assigns a variable the loop reads is a typed error naming the variable", () => {
    const w = new tf.Variable(1, { name: "w" });
    const f = tf.function((h: tf.Tensor) =>
      tf.whileLoop(
        (i) => tf.less(i, 2),
        (i, hh) => {
          w.assign(w.read().mul(2));
          return [i!.add(1), hh!.mul(w.read())];
        },
        [tf.scalar(0, "int32"), h],
      )[1]!,
    );
    expect(() => gradientAround(f)).toThrow(/the body of While '.*' assigns variable 'w' and the loop reads it/);
    w.dispose();
  });
});
