import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "./setup.js";

useCpu();

describe("Tensor basics", () => {
  it("prints like TF's eager repr", () => {
    expect(String(tf.tensor([[1, 2], [3, 4]]))).toBe("tf.Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)");
    expect(String(tf.scalar(8))).toBe("tf.Tensor(8., shape=(), dtype=float32)");
    expect(String(tf.constant(10, "int32"))).toBe("tf.Tensor(10, shape=(), dtype=int32)");
  });
});
