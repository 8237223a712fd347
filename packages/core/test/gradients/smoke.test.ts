import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

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
});

describe("GradientTape bad input (issue 4)", () => {
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
