import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";

describe("tf.util: tfjs's helpers", () => {
  it("sizeFromShape multiplies the dims (1 for a scalar) and rejects non-shapes", () => {
    expect([tf.util.sizeFromShape([2, 3, 4]), tf.util.sizeFromShape([]), tf.util.sizeFromShape([3, 0])]).toEqual([24, 1, 0]);
    expect(() => tf.util.sizeFromShape([2, -1])).toThrow(tf.ArgumentError);
    expect(() => tf.util.sizeFromShape([2, 1.5])).toThrow("util.sizeFromShape: shape must be an array of non-negative integers, received [2,1.5]");
    // biome-ignore lint/suspicious/noSparseArray: a hole is not a dimension
    expect(() => tf.util.sizeFromShape([2, , 3] as number[])).toThrow("received [2,null,3]");
  });

  it("shuffle permutes arrays and typed arrays in place", () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    tf.util.shuffle(xs);
    expect([...xs].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(xs).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    const typed = Float32Array.from([1, 2, 3, 4]);
    tf.util.shuffle(typed);
    expect([...typed].sort()).toEqual([1, 2, 3, 4]);
    expect(() => tf.util.shuffle("abc" as never)).toThrow("util.shuffle: 'array' must be an array or a typed array, received string");
  });

  it("shuffleCombo keeps pairs together and needs equal lengths", () => {
    const xs = Array.from({ length: 20 }, (_, i) => i);
    const ys = xs.map((x) => `label ${x}`);
    tf.util.shuffleCombo(xs, ys);
    xs.forEach((x, i) => expect(ys[i]).toBe(`label ${x}`));
    expect(() => tf.util.shuffleCombo([1, 2], [1])).toThrow("util.shuffleCombo: the arrays must have the same length, received 2 and 1");
  });

  it("createShuffledIndices is a Uint32Array permutation of 0 .. n-1", () => {
    const indices = tf.util.createShuffledIndices(100);
    expect(indices).toBeInstanceOf(Uint32Array);
    expect([...indices].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(tf.util.createShuffledIndices(0).length).toBe(0);
    expect(() => tf.util.createShuffledIndices(-1)).toThrow(tf.ArgumentError);
  });

  it("assert throws an AssertionError (a KilnError) with the message, calling a message function only on failure", () => {
    let calls = 0;
    tf.util.assert(true, () => `never ${++calls}`);
    expect(calls).toBe(0);
    expect(() => tf.util.assert(false, () => "batch size must be positive")).toThrow(tf.AssertionError);
    expect(() => tf.util.assert(false, "plain message")).toThrow("plain message");
    expect(new tf.AssertionError("x")).toBeInstanceOf(tf.KilnError);
    expect(() => tf.util.assertShapesMatch([2, 3], [3, 2], "add: ")).toThrow("add: shapes [2,3] and [3,2] must match");
  });

  it("flatten, arraysEqual, clamp, sum, distSquared, computeStrides, toNestedArray, isTypedArray, randUniform, now", () => {
    expect(tf.util.flatten([[1, 2], [3, [4, Float32Array.from([5])]]])).toEqual([1, 2, 3, 4, 5]);
    expect([tf.util.arraysEqual([2, 3], [2, 3]), tf.util.arraysEqual([2, 3], [2]), tf.util.arraysEqual(Int32Array.from([1]), [1])]).toEqual([true, false, true]);
    expect([tf.util.clamp(0, 1.5, 1), tf.util.clamp(0, -1, 1), tf.util.clamp(0, 0.5, 1)]).toEqual([1, 0, 0.5]);
    expect(tf.util.sum([1, 2, 3])).toBe(6);
    expect(tf.util.distSquared([0, 0], [3, 4])).toBe(25);
    expect(tf.util.computeStrides([2, 3, 4])).toEqual([12, 4]);
    expect(tf.util.toNestedArray([2, 2], [1, 2, 3, 4])).toEqual([[1, 2], [3, 4]]);
    expect(() => tf.util.toNestedArray([2, 2], [1])).toThrow("util.toNestedArray: shape [2,2] needs 4 values, received 1");
    expect([tf.util.isTypedArray(new Float32Array(1)), tf.util.isTypedArray([1])]).toEqual([true, false]);
    const r = tf.util.randUniform(-1, 1);
    expect(r >= -1 && r < 1).toBe(true);
    expect(typeof tf.util.now()).toBe("number");
  });
});

describe("tf.nextFrame", () => {
  it("resolves after the current callbacks (setImmediate in Node)", async () => {
    const order: string[] = [];
    setTimeout(() => order.push("timeout"), 50);
    const frame = tf.nextFrame().then(() => order.push("frame"));
    order.push("sync");
    await frame;
    expect(order).toEqual(["sync", "frame"]);
  });

  it("uses requestAnimationFrame where there is one (browsers)", async () => {
    const scope = globalThis as { requestAnimationFrame?: (cb: () => void) => number };
    let scheduled = 0;
    scope.requestAnimationFrame = (cb) => {
      scheduled++;
      setTimeout(cb, 0);
      return 1;
    };
    try {
      await tf.nextFrame();
      expect(scheduled).toBe(1);
    } finally {
      delete scope.requestAnimationFrame;
    }
  });
});
