import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liveMemory, useCpu } from "../setup.js";

useCpu();

/** The cpu backend with a cap on the bytes it holds: an upload past it is a ResourceExhaustedError, like wasm's out of memory. */
function capped(limit: { bytes: number }, name = "cpu-capped"): tf.BackendPlugin {
  const plugin = cpu();
  const sizes = new Map<tf.DataId, number>();
  let held = 0;
  const wrap = (inner: tf.Backend): tf.Backend =>
    new Proxy(inner, {
      get(target, key) {
        if (key === "name") return name;
        const value = Reflect.get(target, key, target);
        if (typeof value !== "function") return value;
        if (key === "write")
          return (values: tf.DataArray, shape: readonly number[], dtype: tf.DType) => {
            if (held + values.byteLength > limit.bytes) throw new tf.ResourceExhaustedError(`${name}: out of memory`);
            const id = value.call(target, values, shape, dtype) as tf.DataId;
            sizes.set(id, values.byteLength);
            held += values.byteLength;
            return id;
          };
        if (key === "disposeData")
          return (id: tf.DataId) => {
            held -= sizes.get(id) ?? 0;
            sizes.delete(id);
            return value.call(target, id);
          };
        return value.bind(target);
      },
    });
  return {
    name,
    apiVersion: plugin.apiVersion,
    priority: 0,
    kernels: plugin.kernels.map((k) => ({ ...k, backend: name })),
    create: () => wrap(plugin.create() as tf.Backend),
  };
}

// Memory pressure frees the pools' dead buffers before it fails a user's op (docs/architecture.md, "Memory").
describe("memory pressure on a traced call's planned buffers", () => {
  const limit = { bytes: Number.POSITIVE_INFINITY };
  let previous: string;
  beforeAll(async () => {
    tf.registerBackend(capped(limit));
    previous = tf.getBackend();
    await tf.setBackend("cpu-capped");
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });

  it("a call whose planned buffers do not fit next to the pool's dead buffers frees them and runs, leaking nothing", () => {
    const w = tf.linspace(-1, 1, 1024).reshape([32, 32]);
    const g = (x: tf.Tensor) => tf.matMul(tf.transpose(tf.matMul(tf.transpose(tf.matMul(x, w)), w)), w);
    const x = tf.linspace(-2, 2, 1024).reshape([32, 32]);
    const expected = tf.tidy(() => g(x));
    const want = Array.from(expected.dataSync());
    expected.dispose();
    tf.releasePools();
    const before = liveMemory();
    // Dead buffers of another size fill the pool, up to just below the cap.
    tf.tidy(() => {
      for (let i = 0; i < 8; i++) tf.fill([1000], i);
    });
    expect(tf.memory().pooledBytes).toBeGreaterThanOrEqual(8 * 4000);
    limit.bytes = before.numBytes + 8 * 4000 + 4096;
    try {
      const f = tf.function(g);
      expect(f.getConcreteFunction(x).planFor(tf.backend()).plannedBytes).toBeGreaterThanOrEqual(2 * 4096);
      const y = f(x) as tf.Tensor;
      expect(Array.from(y.dataSync())).toEqual(want);
      y.dispose();
      f.dispose();
    } finally {
      limit.bytes = Number.POSITIVE_INFINITY;
    }
    tf.releasePools();
    expect(liveMemory()).toEqual(before);
    x.dispose();
    w.dispose();
  });
});
