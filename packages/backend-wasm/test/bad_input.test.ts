import * as tf from "@kiln/core";
import { beforeAll, describe, expect, it } from "vitest";
import { type WasmBackend, WasmKernelError, WasmOutOfMemoryError, wasm } from "../src/index.js";
import { setUpBackends } from "./helpers.js";

const MiB = 1024 * 1024;

/** Live memory (dead buffers pooled for reuse left out): what a leak changes. */
function live() {
  const { numTensors, numBytes, numDataBuffers } = tf.memory();
  return { numTensors, numBytes, numDataBuffers };
}

describe("bad input at the kernel boundary", () => {
  let backend: WasmBackend;
  beforeAll(async () => {
    // A small memory limit, so out-of-memory is quick to reach.
    backend = await setUpBackends({ variant: "simd", threads: 1, maxMemoryBytes: 64 * MiB });
  });

  it("an allocation beyond the memory limit is a WasmOutOfMemoryError naming the op and the size, and leaves the backend usable", () => {
    const before = live();
    expect(() => tf.zeros([100_000_000])).toThrow(WasmOutOfMemoryError);
    expect(() => tf.zeros([100_000_000])).toThrow(/Fill: the wasm backend could not allocate 400000000 bytes/);
    expect(() => tf.zeros([100_000_000])).toThrow(tf.KilnError);
    expect(live()).toEqual(before);
    expect(tf.add(tf.scalar(1), 2).arraySync()).toBe(3);
  });

  it("filling the heap with live tensors ends in a typed error, and freeing them makes room again", () => {
    const held: tf.Tensor[] = [];
    let error: unknown;
    try {
      for (let i = 0; i < 100; i++) held.push(tf.fill([1 * MiB], i));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WasmOutOfMemoryError);
    expect(held.length).toBeGreaterThan(5);
    tf.dispose(held);
    const again = tf.fill([4 * MiB], 1);
    expect(again.shape).toEqual([4 * MiB]);
    again.dispose();
  });

  it("a shape too large for wasm32 is refused before any memory is touched", () => {
    // Core refuses it first (its tensor size limit, 2 GiB by default)...
    expect(() => tf.zeros([2 ** 20, 2 ** 11])).toThrow(tf.ResourceExhaustedError);
    // ...and with that limit raised, the wasm heap does.
    const limit = tf.config.maxTensorBytes();
    tf.config.setMaxTensorBytes(64 * 2 ** 30);
    try {
      expect(() => tf.zeros([2 ** 20, 2 ** 11])).toThrow(WasmOutOfMemoryError);
      expect(() => tf.zeros([2 ** 20, 2 ** 11])).toThrow(/Fill: the wasm backend could not allocate 8589934592 bytes/);
      expect(() => tf.zeros([2 ** 20, 2 ** 13])).toThrow(/more than the wasm backend's 4 GiB memory can hold/);
    } finally {
      tf.config.setMaxTensorBytes(limit);
    }
  });

  it("a kernel handed a disposed buffer throws instead of reading freed memory", () => {
    const id = backend.write(new Float32Array([1, 2, 3]), [3], "float32");
    backend.disposeData(id);
    backend.disposeData(id); // twice is harmless
    expect(() => backend.readSync(id)).toThrow(WasmKernelError);
    const exp = wasm().kernels.find((k) => (typeof k.op === "string" ? k.op : k.op.name) === "Exp") as tf.PlainKernelRegistration;
    expect(() =>
      exp.run({ inputs: [{ dataId: id, shape: [3], dtype: "float32" }], attrs: {}, outputs: [{ shape: [3], dtype: "float32" }], backend }),
    ).toThrow(/Exp: a buffer given to the wasm backend was disposed/);
  });

  it("an index out of range is caught in C and reported like the cpu backend, with nothing leaked", () => {
    const before = live();
    expect(() => tf.tidy(() => tf.gather(tf.tensor([1, 2, 3]), [0, 5]))).toThrow(tf.ArgumentError);
    expect(() => tf.tidy(() => tf.gather(tf.tensor([1, 2, 3]), [0, 5]))).toThrow(
      /indices\[1\] = 5 is out of range for axis 0 of x \(size 3\); valid indices are 0..2/,
    );
    expect(() => tf.tidy(() => tf.scatterND([[4]], [1], [3]))).toThrow(/entry 0 is 4, but dimension 0 has valid indices 0..2/);
    expect(live()).toEqual(before);
  });

  it("the heap reuses freed blocks of the same size class", () => {
    const a = backend.write(new Float32Array(1000), [1000], "float32") as { ptr: number };
    backend.disposeData(a);
    const b = backend.write(new Float32Array(1000), [1000], "float32") as { ptr: number };
    expect(b.ptr).toBe(a.ptr);
    backend.disposeData(b);
  });

  it("memory pressure frees the pools of dead buffers before an allocation fails", () => {
    // 30 MiB of disposed tensors wait in core's pool; 40 MiB more only fits once they are freed.
    tf.releasePools();
    for (let i = 0; i < 6; i++) tf.fill([1.25 * MiB + i], 1).dispose();
    expect(tf.memory().pooledBytes).toBeGreaterThan(25 * MiB);
    const big = tf.fill([10 * MiB], 2);
    expect(tf.memory().pooledBytes).toBeLessThan(25 * MiB);
    expect(tf.tidy(() => big.slice([10 * MiB - 1], [1]).arraySync())).toEqual([2]);
    big.dispose();
    tf.releasePools();
  });

  it("views follow the memory when it grows", () => {
    const big = new Float32Array(12 * MiB).map((_, i) => i % 1000);
    const t = tf.tensor(big);
    expect(tf.tidy(() => t.slice([12 * MiB - 3], [3]).arraySync())).toEqual(Array.from(big.subarray(12 * MiB - 3)));
    expect(backend.heap.byteLength()).toBeGreaterThan(48 * MiB);
    t.dispose();
  });
});
