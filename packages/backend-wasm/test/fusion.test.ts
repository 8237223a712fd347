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

/** Register runs formed so far and the ops in them (csrc/elementwise.c). */
function runStats(backend: WasmBackend): { runs: number; ops: number } {
  const at = backend.module.exports.kiln_ew_run_stats() >>> 2;
  const words = new Uint32Array(backend.module.heap.memory.buffer, at * 4, 2);
  return { runs: words[0]!, ops: words[1]! };
}

/** Seeded values with the awkward ones mixed in: NaN, infinities, signed zeros, tiny and huge values. */
function awkwardValues(n: number, seed: number): number[] {
  const special = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 3e38, -3e38, 0.5, -0.5];
  return randomValues(n, seed, -3, 3).map((v, i) => (i % 7 === 3 ? special[(i * 5 + seed) % special.length]! : v));
}

describe("register runs: chains of cheap ops applied in registers", () => {
  let backend: WasmBackend;
  beforeAll(async () => {
    backend = await setUpBackends({ threads: 2 });
  });

  it("a chain of cheap float32 ops, the running value on either side, equals eager value for value at every tail length", () => {
    const fn = (x: tf.Tensor, y: tf.Tensor) => {
      let t = tf.mul(tf.add(x, y), 0.5);
      t = tf.sub(y, tf.relu(t)); // the running value is the second operand
      t = tf.div(tf.minimum(tf.neg(t), 2), y);
      return tf.sqrt(tf.abs(tf.maximum(t, tf.square(y))));
    };
    for (const n of [1, 3, 15, 16, 17, 255, 256, 257, 1000, 4099]) {
      const x = tf.tensor(awkwardValues(n, n), [n]);
      const y = tf.tensor(awkwardValues(n, n + 1), [n]);
      const before = runStats(backend);
      const { traced, again, eager } = tracedAndEager(backend, (x, y) => fn(x!, y!), [x, y]);
      const after = runStats(backend);
      expect(after.runs, `n=${n}`).toBeGreaterThan(before.runs);
      expect(after.ops - before.ops, `n=${n}`).toBeGreaterThanOrEqual(8);
      expect(traced, `n=${n}`).toEqual(eager);
      expect(again, `n=${n}`).toEqual(eager);
      tf.dispose([x, y]);
    }
  });

  it("int32 runs, casts between the dtypes, and scalar and broadcast operands equal eager value for value", () => {
    const a = tf.tensor(Int32Array.from(randomValues(6 * 40, 21, -5e8, 5e8).map(Math.trunc)), [6, 40], "int32");
    const row = tf.tensor(Int32Array.from(randomValues(40, 22, -50, 50).map(Math.trunc)), [40], "int32");
    const column = tf.tensor(randomValues(6, 23), [6, 1]);
    const fn = (a: tf.Tensor, row: tf.Tensor, column: tf.Tensor) => {
      const i = tf.relu(tf.neg(tf.mul(tf.add(a, row), 7))); // wraps on overflow
      return tf.mul(tf.sub(tf.cast(i, "float32"), column), 1e-6);
    };
    const { traced, eager } = tracedAndEager(backend, (a, r, c) => fn(a!, r!, c!), [a, row, column]);
    expect(traced).toEqual(eager);
    tf.dispose([a, row, column]);
  });

  it("a value read again later, or returned, is not hidden inside a run", () => {
    const x = tf.tensor(awkwardValues(999, 31), [999]);
    const y = tf.tensor(awkwardValues(999, 32), [999]);
    const readTwice = tracedAndEager(
      backend,
      (x, y) => {
        const a = tf.add(x!, y!);
        const b = tf.relu(tf.neg(a));
        return tf.mul(tf.abs(b), a); // `a` is read by neg and by mul
      },
      [x, y],
    );
    expect(readTwice.traced).toEqual(readTwice.eager);
    const f = tf.function((x: tf.Tensor, y: tf.Tensor) => {
      const a = tf.mul(x, y);
      const b = tf.neg(a);
      return [a, tf.sqrt(tf.abs(b)), b];
    });
    const traced = tf.tidy(() => (f(x, y) as tf.Tensor[]).map((t) => Array.from(t.dataSync())));
    const a = tf.mul(x, y);
    const b = tf.neg(a);
    const eager = tf.tidy(() => [a, tf.sqrt(tf.abs(b)), b].map((t) => Array.from(t.dataSync())));
    expect(traced).toEqual(eager);
    for (const cf of f.concreteFunctions()) cf.dispose();
    tf.dispose([x, y, a, b]);
  });
});
