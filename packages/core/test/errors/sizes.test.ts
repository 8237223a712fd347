import * as tf from "@kiln/core";
import { afterEach, describe, expect, it } from "vitest";
import { live, take, useCpu } from "../setup.js";

useCpu();

afterEach(() => tf.config.setMaxTensorBytes(2 ** 31));

/** Expects `fn` to be refused with a ResourceExhaustedError naming `api`, allocating nothing. */
function refused(fn: () => unknown, api: string, elements: RegExp): void {
  const before = tf.memory();
  expect(fn).toThrow(tf.ResourceExhaustedError);
  expect(fn).toThrow(new RegExp(`^${api}: the result would have shape .*${elements.source}`));
  expect(tf.memory().numTensors).toBe(before.numTensors);
  expect(tf.memory().numBytes).toBe(before.numBytes);
}

describe("tensor size limit: sizes are refused before allocating", () => {
  it("creation ops past the limit throw a ResourceExhaustedError naming the op and the size", () => {
    // zeros and ones are Fill ops: the error names the op.
    refused(() => tf.zeros([1e6, 1e6]), "fill", /1,000,000,000,000 float32 elements, 3\.64 TiB/);
    refused(() => tf.ones([2 ** 31]), "fill", /2,147,483,648 float32 elements, 8 GiB/);
    refused(() => tf.range(0, 1e12), "range", /1,000,000,000,000 float32 elements/);
    refused(() => tf.eye(1e6), "eye", /1,000,000,000,000 float32 elements/);
    refused(() => tf.oneHot([0, 1], 1e12), "oneHot", /2,000,000,000,000 float32 elements/);
    refused(() => tf.randomNormal([1e5, 1e5]), "randomNormal", /10,000,000,000 float32 elements/);
    refused(() => tf.randomUniform([1e5, 1e5]), "randomUniform", /10,000,000,000 float32 elements/);
    refused(() => tf.fill([1e5, 1e5], 1), "fill", /10,000,000,000 float32 elements/);
  });

  it("growing ops past the limit are refused too, and their JS operands are freed", () => {
    const x = tf.ones([10]);
    const before = live();
    refused(() => tf.tile(x, [1e9]), "tile", /10,000,000,000 float32 elements/);
    refused(() => tf.broadcastTo(x, [1e9, 10]), "broadcastTo", /10,000,000,000 float32 elements/);
    refused(() => tf.pad(x, [[0, 1e10]]), "pad", /10,000,000,010 float32 elements/);
    refused(() => tf.tile([1, 2], [1e10]), "tile", /20,000,000,000 float32 elements/);
    expect(live()).toBe(before);
    x.dispose();
  });

  it("the limit is a documented default of 2 GiB, changeable with tf.config.setMaxTensorBytes", () => {
    expect(tf.config.maxTensorBytes()).toBe(2 ** 31);
    tf.config.setMaxTensorBytes(1024);
    expect(take(tf.zeros([256]))).toHaveLength(256);
    refused(() => tf.zeros([257]), "fill", /257 float32 elements, 1\.00 KiB\), more than the 1 KiB a tensor may take/);
    expect(() => tf.config.setMaxTensorBytes(-1)).toThrow(tf.ArgumentError);
    expect(() => tf.config.setMaxTensorBytes(Number.NaN)).toThrow(/expected a positive, finite number of bytes, received NaN/);
  });

  it("a traced function checks sizes known only when it runs, naming the op and its operation", () => {
    const f = tf.function((n: tf.Tensor) => tf.zeros(tf.stack([n, n])));
    expect(take(f(tf.scalar(2, "int32")))).toEqual([
      [0, 0],
      [0, 0],
    ]);
    const huge = tf.scalar(1e6, "int32");
    const before = live();
    expect(() => f(huge)).toThrow(tf.ResourceExhaustedError);
    expect(() => f(huge)).toThrow(/^fill \(operation 'fill'\): the result would have shape \[1000000,1000000\]/);
    expect(live()).toBe(before);
    // The cache is intact: small calls still work.
    expect(take(f(tf.scalar(1, "int32")))).toEqual([[0]]);
    huge.dispose();
  });

  it("static sizes inside a traced function are refused when it runs; a later raise of the limit applies", () => {
    const f = tf.function(() => tf.zeros([600]));
    tf.config.setMaxTensorBytes(2048);
    expect(() => f()).toThrow(/^fill \(operation 'fill'\): the result would have shape \[600\]/);
    tf.config.setMaxTensorBytes(4096);
    expect(take(f())).toHaveLength(600);
  });
});
