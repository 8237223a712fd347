/**
 * The webgpu reduction planner is core's `tf.reductionPasses` plus one rule of its own: a
 * reduction that reduces nothing still gets one pass (a size-1 copy), so the kernel always
 * writes its output through a dispatch. No device is needed: this is the plan only.
 */
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { reductionPasses } from "../src/kernels/reduce/passes.js";

describe("webgpu reduction passes", () => {
  it("are core's passes whenever something is reduced", () => {
    for (const [shape, axes] of [
      [
        [2, 3, 4],
        [1, 2],
      ],
      [
        [2, 3, 5],
        [0, 2],
      ],
      [
        [4, 1, 3, 2],
        [0, 1, 3],
      ],
      [[0, 3], [1]],
    ] as [number[], number[]][]) {
      expect(reductionPasses(shape, axes), `${shape} over ${axes}`).toEqual(tf.reductionPasses(shape, axes));
    }
  });

  it("are one size-1 copy pass over every element when only size-1 axes (or none) are reduced", () => {
    expect(reductionPasses([2, 1, 3], [1])).toEqual([{ outer: 6, size: 1, inner: 1 }]);
    expect(reductionPasses([], [])).toEqual([{ outer: 1, size: 1, inner: 1 }]);
  });

  it("reject bad axes with core's AxisError", () => {
    expect(() => reductionPasses([2, 3], [5])).toThrow(tf.AxisError);
  });
});
