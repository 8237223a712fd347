import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

describe("SPEC J: every op is differentiable or says it is not", () => {
  it("each known op has a gradient rule or says it has none (never a silent gap)", () => {
    const table = tf.knownOps();
    const missing = table.names().filter((name) => {
      const op = table.get(name)!;
      return typeof op.grad !== "function" && op.grad !== "none";
    });
    expect(missing).toEqual([]);
  });

  it("tf.identity and clone pass gradients through", () => {
    expect(tf.grad((x) => tf.identity(x).mul(3))(tf.scalar(2)).arraySync()).toBe(3);
    expect(tf.grad((x) => x.clone().square())(tf.scalar(2)).arraySync()).toBe(4);
  });
});
