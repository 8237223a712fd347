import { createRequire, syncBuiltinESMExports } from "node:module";
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectFeatures, type WasmBackend, wasm } from "../src/index.js";
import { randomValues } from "./helpers.js";

/*
 * Worker 1 of 3 fails to start (its worker_threads Worker runs a script that throws): the
 * backend goes on with the workers that run. Node's worker_threads is patched for this
 * file only (vitest isolates test files).
 */
const workerThreads = createRequire(import.meta.url)("node:worker_threads") as typeof import("node:worker_threads");
const OriginalWorker = workerThreads.Worker;

describe.runIf(detectFeatures().threads)("a worker that fails to start", () => {
  beforeAll(() => {
    (workerThreads as { Worker: unknown }).Worker = class extends OriginalWorker {
      constructor(source: string, options: { workerData: { thread: number } }) {
        super(options.workerData.thread === 1 ? "throw new Error('worker 1 cannot start')" : source, options as never);
      }
    };
    syncBuiltinESMExports();
  });
  afterAll(() => {
    (workerThreads as { Worker: unknown }).Worker = OriginalWorker;
    syncBuiltinESMExports();
  });

  it("does not keep the workers that run out of parallel loops, and caps.details and info both say why", async () => {
    if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu(), { priority: 0 });
    tf.registerBackend(wasm({ name: "wasm-failing", variant: "simd-threads", threads: 3 }));
    await tf.setBackend("wasm-failing");
    const backend = tf.backend() as WasmBackend;
    await expect(backend.threadsReady).rejects.toThrow(/worker 1 cannot start/);
    expect(backend.info.threadsUnavailable).toMatch(/worker 1 cannot start/);
    expect(backend.caps.details?.threadsUnavailable).toMatch(/worker 1 cannot start/);
    // Worker 2 runs (it counted itself in), so loops wake it although worker 1 never runs.
    const start = Date.now();
    while (backend.module.exports.kiln_workers_ready() < 1 && Date.now() - start < 20_000) await new Promise((r) => setTimeout(r, 10));
    const a = tf.tensor(randomValues(256 * 256, 5), [256, 256]);
    const chunks = () => backend.heap.i32()[(backend.module.exports.kiln_thread_chunks() >>> 2) + 2]!;
    const products = Array.from({ length: 20 }, () => tf.tidy(() => Array.from(tf.matMul(a, a).dataSync())));
    expect(chunks()).toBeGreaterThan(0);
    a.dispose();
    await tf.setBackend("cpu");
    tf.removeBackend("wasm-failing");
    for (const product of products) expect(product).toEqual(products[0]);
  });
});
