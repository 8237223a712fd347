import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { live, take, useCpu } from "../setup.js";

useCpu();

describe("JS values converted to int32: no silent wrap-around", () => {
  it("tf.tensor rejects NaN, ±Infinity and numbers outside the int32 range with a DTypeError naming the value", () => {
    expect(() => tf.tensor([1, Number.NaN], [2], "int32")).toThrow(tf.DTypeError);
    expect(() => tf.tensor([1, Number.NaN], [2], "int32")).toThrow(/^tensor: NaN cannot be converted to int32 \(it has no integer value\)/);
    expect(() => tf.tensor([Number.POSITIVE_INFINITY], [1], "int32")).toThrow(/Infinity cannot be converted to int32/);
    expect(() => tf.tensor([-Number.POSITIVE_INFINITY], [1], "int32")).toThrow(/-Infinity cannot be converted to int32/);
    expect(() => tf.tensor([2 ** 31], [1], "int32")).toThrow(/2147483648 cannot be converted to int32: it is outside the int32 range \[-2147483648, 2147483647\]/);
    expect(() => tf.scalar(-(2 ** 31) - 1, "int32")).toThrow(tf.DTypeError);
    expect(() => tf.tensor(new Float32Array([3e9]), [1], "int32")).toThrow(/3000000000 cannot be converted to int32/);
    // The edges of the range convert exactly.
    expect(take(tf.tensor([2 ** 31 - 1, -(2 ** 31)], [2], "int32"))).toEqual([2147483647, -2147483648]);
  });

  it("a JS operand of an int32 op is checked the same way, naming the op, and nothing leaks", () => {
    const x = tf.tensor([1, 2], [2], "int32");
    const before = live();
    expect(() => tf.add(x, 2 ** 40)).toThrow(/^add: 1099511627776 cannot be converted to int32/);
    expect(() => x.mul(Number.NaN)).toThrow(/^mul: NaN cannot be converted to int32/);
    expect(() => tf.maximum(Number.POSITIVE_INFINITY, x)).toThrow(/^maximum: Infinity cannot be converted to int32/);
    expect(live()).toBe(before);
    expect(take(x.add(2))).toEqual([3, 4]);
    x.dispose();
  });
});

describe("nested arrays: deep nesting is a typed error, not a stack overflow", () => {
  it("more than 64 levels of nesting is a ShapeError naming the op", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => tf.tensor(deep as number[])).toThrow(tf.ShapeError);
    expect(() => tf.tensor(deep as number[])).toThrow(/^tensor: the nested array is more than 64 levels deep; tensors have at most 64 dimensions/);
  });

  it("an array that contains itself is refused the same way", () => {
    const self: unknown[] = [];
    self.push(self);
    expect(() => tf.tensor(self as number[])).toThrow(/more than 64 levels deep/);
  });
});
