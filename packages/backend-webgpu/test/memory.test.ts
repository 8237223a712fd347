import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { sizeClass } from "../src/device/buffers.js";
import { gpu } from "./gpu.js";
import { disposeFunctions, gpuBackend, readAll, useWebGPU } from "./helpers.js";

// Buffers: a pool with size classes serves allocations, aliases share buffers,
// reads reuse staging buffers, and nothing leaks (every test ends with tf.memory() where it began).
describe("size classes", () => {
  it("serves requests from powers of two and their midpoints, 256 bytes at least", () => {
    expect([1, 256, 257, 384, 385, 1000, 1100, 4096, 5000].map(sizeClass)).toEqual([256, 256, 384, 384, 512, 1024, 1536, 4096, 6144]);
  });
});

describe.runIf(gpu.available)("buffers on webgpu", () => {
  useWebGPU();

  it("a steady eager loop stops creating GPU buffers once the pool is warm, and tf.memory() stays flat", async () => {
    const backend = gpuBackend();
    let w = tf.randomUniform([32, 32], -0.1, 0.1, "float32", 1);
    const step = () => {
      const next = tf.tidy(() => w.sub(tf.matMul(w, w).mul(0.01)));
      w.dispose();
      w = next;
    };
    for (let i = 0; i < 3; i++) step();
    await w.data();
    const created = backend.stats().buffersCreated;
    const memory = tf.memory();
    for (let i = 0; i < 10; i++) step();
    await w.data();
    expect(backend.stats().buffersCreated).toBe(created);
    expect(tf.memory().numTensors).toBe(memory.numTensors);
    expect(tf.memory().numBytes).toBe(memory.numBytes);
    w.dispose();
  });

  it("scalars written from JS in every step of an eager loop reuse disposed tensors' buffers and the upload chunks (caps.writeReuse)", async () => {
    const backend = gpuBackend();
    expect(backend.caps.writeReuse).toBe(true);
    let x = tf.randomUniform([64], -1, 1, "float32", 2);
    const expected = Array.from(await x.data());
    // Each step writes two scalars while the previous step's kernels are still pending, so
    // they go through the upload ring into reused buffers.
    const step = (i: number) => {
      const next = tf.tidy(() => x.mul(0.5).add(i));
      x.dispose();
      x = next;
      for (let k = 0; k < expected.length; k++) expected[k] = Math.fround(Math.fround(expected[k]! * 0.5) + i);
    };
    for (let i = 0; i < 3; i++) step(i);
    await x.data();
    const created = backend.stats().buffersCreated;
    for (let i = 3; i < 40; i++) step(i);
    expect(Array.from(await x.data())).toEqual(expected);
    expect(backend.stats().buffersCreated).toBe(created);
    x.dispose();
  });

  it("reshape and identity share the input's buffer: no copy, and each side can be freed first", async () => {
    const backend = gpuBackend();
    const x = tf.tensor([1, 2, 3, 4, 5, 6]);
    await x.data();
    const before = backend.stats();
    const y = x.reshape([2, 3]);
    const z = tf.identity(y);
    const after = backend.stats();
    expect(after.dispatches + after.copies).toBe(before.dispatches + before.copies);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4, 5, 6]);
    y.dispose();
    expect(await readAll(() => z.add(1))).toEqual([[2, 3, 4, 5, 6, 7]]);
    z.dispose();
  });

  it("a dead buffer that an alias still uses is never written by a later kernel", async () => {
    const f = tf.function((a: tf.Tensor) => {
      const shared = tf.reshape(a.mul(2), [6]);
      const other = tf.exp(a).reshape([6]);
      return tf.concat([shared, other], 0);
    });
    const x = tf.tensor([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    const [first] = await readAll(() => f(x) as tf.Tensor);
    const [second] = await readAll(() => f(x) as tf.Tensor);
    expect(second).toEqual(first);
    expect(first!.slice(0, 6)).toEqual([0, 2, 4, 6, 8, 10]);
    x.dispose();
    disposeFunctions(f);
  });

  it("reads reuse staging buffers and return independent arrays", async () => {
    const x = tf.tensor(Array.from({ length: 1000 }, (_, i) => i));
    const y = x.mul(2);
    const a = await y.data();
    const created = gpuBackend().stats().buffersCreated;
    const b = await y.data();
    (a as Float32Array)[0] = 42;
    expect(b[0]).toBe(0);
    expect(b[999]).toBe(1998);
    expect(gpuBackend().stats().buffersCreated).toBe(created);
    tf.dispose([x, y]);
  });

  it("bool tensors store one word per element on the device and read back as 0/1 bytes", async () => {
    const a = tf.tensor([1, -2, 0, 4]);
    const mask = tf.greater(a, 0);
    const data = await mask.data();
    expect(data).toBeInstanceOf(Uint8Array);
    expect(Array.from(data)).toEqual([1, 0, 0, 1]);
    expect(await readAll(() => tf.where(mask, a, tf.neg(a)))).toEqual([[1, 2, -0, 4]]);
    tf.dispose([a, mask]);
  });

  it("a variable updated in place (core offers its own buffer as the output) is written through a new buffer, with the cpu oracle's values", async () => {
    // WebGPU rejects a dispatch that reads and writes one buffer, so the offer is declined.
    const initial = tf.tensor([1, 2, 3, 4]);
    const v = new tf.Variable(initial);
    const step = tf.function((g: tf.Tensor) => {
      v.assignSub(tf.mul(g, 0.5));
      v.assignAdd(g);
      return v.read();
    });
    const g = tf.tensor([2, 4, 6, 8]);
    for (let i = 0; i < 3; i++) tf.dispose(step(g));
    v.assignSub(g).dispose();
    const value = v.read();
    expect(Array.from(await value.data())).toEqual([2, 4, 6, 8]);
    tf.dispose([g, value, initial]);
    v.dispose();
    disposeFunctions(step);
  });
});
