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
    expect(() => tape.gradient(tf.sum(y), [tf.tensor([3])])).toThrow(/was not watched/);
  });
});
