import * as tf from "@kiln/core";
import { beforeAll, describe, expect, it } from "vitest";
import type { WasmBackend } from "../src/index.js";
import { randomValues, setUpBackends } from "./helpers.js";

/** Traces `fn`, records the clusters the plan offers the backend, and returns traced and eager values. */
function tracedAndEager(backend: WasmBackend, fn: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]) {
  const clusters: tf.FusedCluster[] = [];
  const compile = backend.compileFused.bind(backend);
  backend.compileFused = (cluster) => {
    clusters.push(cluster);
    return compile(cluster);
  };
  try {
    const f = tf.function(fn);
    const traced = tf.tidy(() => Array.from((f(...inputs) as tf.Tensor).dataSync()));
    const again = tf.tidy(() => Array.from((f(...inputs) as tf.Tensor).dataSync()));
    for (const cf of f.concreteFunctions()) cf.dispose();
    const eager = tf.tidy(() => Array.from(fn(...inputs).dataSync()));
    return { clusters, traced, again, eager };
  } finally {
    backend.compileFused = compile;
  }
}

describe("fusion on wasm: broadcast inputs and epilogues", () => {
  let backend: WasmBackend;
  beforeAll(async () => {
    backend = await setUpBackends({ threads: 2 });
  });

  it("relu(matMul(x, w) + b) runs as a GEMM headed cluster with a broadcast bias, equal to eager bit for bit", () => {
    const x = tf.tensor(randomValues(37 * 50, 1), [37, 50]);
    const w = tf.tensor(randomValues(50 * 30, 2), [50, 30]);
    const b = tf.tensor(randomValues(30, 3), [30]);
    const { clusters, traced, again, eager } = tracedAndEager(backend, (x, w, b) => tf.relu(tf.add(tf.matMul(x!, w!), b!)), [x, w, b]);
    expect(clusters.some((c) => c.head?.op.name === "MatMul" && c.inputs.some((i) => i.shape.length === 1 && i.shape[0] === 30))).toBe(
      true,
    );
    expect(traced).toEqual(eager);
    expect(again).toEqual(eager);
    tf.dispose([x, w, b]);
  });

  it("conv2d + bias + relu and a swish epilogue (the head read twice) equal eager bit for bit", () => {
    const x = tf.tensor(randomValues(2 * 9 * 9 * 3, 4), [2, 9, 9, 3]);
    const w = tf.tensor(randomValues(3 * 3 * 3 * 8, 5), [3, 3, 3, 8]);
    const b = tf.tensor(randomValues(8, 6), [8]);
    const conv = tracedAndEager(backend, (x, w, b) => tf.relu(tf.add(tf.conv2d(x!, w!, 1, "same"), b!)), [x, w, b]);
    expect(conv.clusters.some((c) => c.head?.op.name === "Conv2D")).toBe(true);
    expect(conv.traced).toEqual(conv.eager);
    const swish = tracedAndEager(
      backend,
      (x, w) => {
        const h = tf.conv2d(x!, w!, 1, "valid");
        return tf.mul(h, tf.sigmoid(h));
      },
      [x, w],
    );
    expect(swish.traced).toEqual(swish.eager);
    tf.dispose([x, w, b]);
  });

  it("broadcast inputs of every layout (rows, columns, rank 3) fuse and equal eager bit for bit", () => {
    const x = tf.tensor(randomValues(4 * 5 * 6, 7), [4, 5, 6]);
    const row = tf.tensor(randomValues(6, 8), [6]);
    const column = tf.tensor(randomValues(5, 9), [5, 1]);
    const middle = tf.tensor(randomValues(4 * 6, 10), [4, 1, 6]);
    const { clusters, traced, eager } = tracedAndEager(backend, (x, r, c, m) => tf.tanh(tf.mul(tf.sub(tf.add(x!, r!), c!), m!)), [
      x,
      row,
      column,
      middle,
    ]);
    expect(clusters.some((c) => c.ops.length >= 3)).toBe(true);
    expect(traced).toEqual(eager);
    tf.dispose([x, row, column, middle]);
  });

  it("a long cluster whose values are read again later and cross dtypes (block buffers are shared) equals eager bit for bit", () => {
    // 3000 elements: several blocks and a partial last one; `a` is read by three later ops,
    // the bool mask lives while other values come and go, and two results are outputs.
    const x = tf.tensor(randomValues(3000, 11), [3000]);
    const y = tf.tensor(randomValues(3000, 12), [3000]);
    const fn = (x: tf.Tensor, y: tf.Tensor) => {
      const a = tf.exp(tf.mul(x, y));
      const mask = tf.greater(a, 1);
      const b = tf.sqrt(tf.abs(tf.sub(tf.neg(a), y)));
      const c = tf.where(mask, tf.tanh(b), tf.sigmoid(tf.add(b, a)));
      return tf.concat([tf.mul(c, a), tf.cast(mask, "float32")], 0);
    };
    const { clusters, traced, again, eager } = tracedAndEager(backend, (x, y) => fn(x!, y!), [x, y]);
    expect(clusters.some((c) => c.ops.length >= 8)).toBe(true);
    expect(traced).toEqual(eager);
    expect(again).toEqual(eager);
    tf.dispose([x, y]);
  });
});
