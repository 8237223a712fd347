import * as tf from "@kiln/core";
import { beforeAll, describe, expect, it } from "vitest";
import { detectFeatures, type WasmBackend, wasm } from "../src/index.js";
import { randomValues, setUpBackends } from "./helpers.js";

/** Runs `fn` with 1 thread and with 2 threads and returns both results' values. */
function oneAndTwo(backend: WasmBackend, fn: () => tf.Tensor): [number[], number[]] {
  const results = [1, 2].map((threads) => {
    backend.setThreads(threads);
    return tf.tidy(() => Array.from(fn().dataSync()));
  });
  backend.setThreads(2);
  return results as [number[], number[]];
}

describe.runIf(detectFeatures().threads)("threads", () => {
  let backend: WasmBackend;
  beforeAll(async () => {
    backend = await setUpBackends({ variant: "simd-threads", threads: 2 });
  });

  it("reports the threaded binary and the thread count", () => {
    expect(backend.info).toEqual({ variant: "simd-threads", threads: 2 });
    expect(backend.setThreads(8)).toBe(2);
    expect(backend.setThreads(1)).toBe(1);
    backend.setThreads(2);
  });

  it("the worker thread takes part: it runs chunks of a large GEMM", () => {
    const counts = () => {
      const at = backend.module.exports.kiln_thread_chunks() >>> 2;
      return Array.from(backend.heap.i32().subarray(at, at + 2));
    };
    const before = counts();
    const a = tf.tensor(randomValues(512 * 512, 9), [512, 512]);
    for (let i = 0; i < 5; i++) tf.matMul(a, a).dispose();
    a.dispose();
    const after = counts();
    expect(after[0]! + after[1]! - before[0]! - before[1]!).toBeGreaterThan(10);
    // Chunks are claimed dynamically; on a busy machine the calling thread may take most of them.
    expect(after[1]!).toBeGreaterThanOrEqual(before[1]!);
  });

  it("a GEMM gives bit-identical results on 1 and 2 threads", () => {
    for (const [m, k, n] of [
      [300, 270, 190],
      [64, 513, 40],
      [1000, 64, 10],
    ] as const) {
      const a = tf.tensor(randomValues(m * k, 1), [m, k]);
      const b = tf.tensor(randomValues(k * n, 2), [k, n]);
      const [one, two] = oneAndTwo(backend, () => tf.matMul(a, b));
      expect(two).toEqual(one);
      const [oneT, twoT] = oneAndTwo(backend, () => tf.matMul(b, a, true, true));
      expect(twoT).toEqual(oneT);
      tf.dispose([a, b]);
    }
  });

  it("conv2d and both of its gradients give bit-identical results on 1 and 2 threads", () => {
    const x = tf.tensor(randomValues(8 * 13 * 13 * 32, 3), [8, 13, 13, 32]);
    const w = tf.tensor(randomValues(3 * 3 * 32 * 64, 4), [3, 3, 32, 64]);
    const dy = tf.tensor(randomValues(8 * 11 * 11 * 64, 5), [8, 11, 11, 64]);
    for (const fn of [
      () => tf.conv2d(x, w, 1, "valid"),
      () => tf.conv2DBackpropFilter(x, dy, [3, 3, 32, 64], 1, "valid"),
      () => tf.conv2DBackpropInput([8, 13, 13, 32], dy, w, 1, "valid"),
    ]) {
      const [one, two] = oneAndTwo(backend, fn);
      expect(two).toEqual(one);
    }
    tf.dispose([x, w, dy]);
  });

  it("large elementwise ops, fused clusters and reductions give the same results on 1 and 2 threads", () => {
    const x = tf.tensor(randomValues(300_000, 6), [300, 1000]);
    const chain = tf.function((t: tf.Tensor) => tf.tanh(tf.exp(t.mul(0.5)).sub(1)).add(t));
    for (const fn of [
      () => tf.sigmoid(x),
      () => chain(x) as tf.Tensor,
      () => tf.sum(x),
      () => tf.sum(x, 0),
      () => tf.max(x, 1),
      () => tf.add(x, tf.ones([1000])),
    ]) {
      const [one, two] = oneAndTwo(backend, fn);
      expect(two).toEqual(one);
    }
    for (const cf of chain.concreteFunctions()) cf.dispose();
    x.dispose();
  });
});

describe.runIf(detectFeatures().threads)("workers start in the background", () => {
  it("setBackend does not wait for the workers; kernels run meanwhile, and a worker joins without the event loop", async () => {
    tf.registerBackend(wasm({ name: "wasm-background", variant: "simd-threads", threads: 2 }));
    await tf.setBackend("wasm-background");
    try {
      const backend = tf.backend() as WasmBackend;
      expect(backend.info.threads).toBe(2);
      const a = tf.tensor(randomValues(256 * 256, 3), [256, 256]);
      const expected = tf.tidy(() => Array.from(tf.matMul(a, a).dataSync()));
      const workerChunks = () => backend.heap.i32()[(backend.module.exports.kiln_thread_chunks() >>> 2) + 1]!;
      // Synchronously, never yielding: the worker counts itself in once it runs its loop.
      const start = Date.now();
      while (workerChunks() === 0 && Date.now() - start < 20_000) {
        expect(tf.tidy(() => Array.from(tf.matMul(a, a).dataSync()))).toEqual(expected);
      }
      expect(backend.module.exports.kiln_workers_ready()).toBe(1);
      expect(workerChunks()).toBeGreaterThan(0);
      await backend.threadsReady;
      a.dispose();
    } finally {
      await tf.setBackend("wasm");
      tf.removeBackend("wasm-background");
    }
  });

  it("a backend disposed before its workers run settles threadsReady and stops them", async () => {
    const plugin = wasm({ name: "wasm-disposed", variant: "simd-threads", threads: 2 });
    tf.registerBackend(plugin);
    await tf.setBackend("wasm-disposed");
    const backend = tf.backend() as WasmBackend;
    await tf.setBackend("wasm");
    tf.removeBackend("wasm-disposed");
    await expect(backend.threadsReady).resolves.toBeUndefined();
  });
});
