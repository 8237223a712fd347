/**
 * The same-device comparator in Node: onnxruntime-node's WebGPU execution provider (its own
 * Dawn, on the same GPU). Both sides run the same function, exported from Kiln with
 * `@kiln/onnx` (weights as initializers), and each call is timed end to end, from the inputs
 * on the host to the result on the host, since onnxruntime-node takes and returns host
 * arrays: `sum(matMul(a * s, b))` with `a`, `b` constants (a scalar in, a scalar out, so the
 * transfers are negligible and the product is what is timed) and an MLP forward pass
 * (784-512-512-10). onnxruntime runs training steps only in its training builds, so they
 * have no comparator here.
 *
 * ```ts
 * const rows = await onnxRuntimeRows(backend, { matmul: [1024, 2048, 4096], batch: 256 });
 * ```
 */
import * as tf from "@kiln/core";
import type { WebGPUBackend } from "../src/index.js";
import { median } from "./harness.js";

export interface ComparatorRow {
  readonly name: string;
  /** Milliseconds per call, median: Kiln (traced, webgpu) and onnxruntime's WebGPU provider. */
  readonly kiln: number;
  readonly ort: number;
}

export interface ComparatorSizes {
  /** Square matMul sizes. */
  readonly matmul: readonly number[];
  /** MLP batch size. */
  readonly batch: number;
  /** MLP layer sizes (default 784-512-512-10). */
  readonly layers?: readonly number[];
  readonly runs?: number;
}

type Ort = typeof import("onnxruntime-node");

/** Rows for each size, or a sentence saying why there are none (no onnxruntime-node, no WebGPU provider, a failed session). */
export async function onnxRuntimeRows(backend: WebGPUBackend, sizes: ComparatorSizes): Promise<ComparatorRow[] | string> {
  let ort: Ort;
  try {
    ort = await import("onnxruntime-node");
  } catch (error) {
    return `onnxruntime-node is not installed (${(error as Error).message})`;
  }
  if (!ort.listSupportedBackends().some((b) => b.name === "webgpu")) return "this onnxruntime-node build has no WebGPU execution provider";
  const { toOnnx } = await import("@kiln/onnx");
  const runs = sizes.runs ?? 10;
  const rows: ComparatorRow[] = [];
  const random = (n: number, seed: number) => {
    const values = new Float32Array(n);
    let s = seed >>> 0;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      values[i] = (s / 2 ** 32 - 0.5) * 0.1;
    }
    return values;
  };
  const cases: { name: string; build: () => { fn: (x: tf.Tensor) => tf.Tensor; input: Float32Array; shape: number[]; free: () => void } }[] = [
    ...sizes.matmul.map((n) => ({
      name: `sum(matMul(a * s, b)) ${n}x${n}x${n}`,
      build: () => {
        const a = tf.tensor(random(n * n, 1), [n, n]);
        const b = tf.tensor(random(n * n, 2), [n, n]);
        return { fn: (s: tf.Tensor) => tf.sum(tf.matMul(tf.mul(a, s), b)), input: Float32Array.of(1), shape: [1], free: () => tf.dispose([a, b]) };
      },
    })),
    {
      name: `MLP forward, batch ${sizes.batch}, ${(sizes.layers ?? [784, 512, 512, 10]).join("-")}`,
      build: () => {
        const dims = sizes.layers ?? [784, 512, 512, 10];
        const weights = dims.slice(1).map((n, i) => [tf.tensor(random(dims[i]! * n, 10 + i), [dims[i]!, n]), tf.tensor(random(n, 20 + i), [n])]);
        const fn = (x: tf.Tensor) => {
          let h = x;
          weights.forEach(([w, b], i) => {
            h = tf.add(tf.matMul(h, w!), b!);
            if (i < weights.length - 1) h = tf.relu(h);
          });
          return h;
        };
        return { fn, input: random(sizes.batch * dims[0]!, 3), shape: [sizes.batch, dims[0]!], free: () => tf.dispose(weights.flat()) };
      },
    },
  ];
  const active = backend.name;
  try {
    for (const c of cases) {
      // Exported from the cpu backend (the exporter reads captured values synchronously).
      await tf.setBackend("cpu");
      const cpuCase = c.build();
      const spec = new tf.TensorSpec(cpuCase.shape);
      const bytes = toOnnx(tf.function(cpuCase.fn, { inputSignature: [spec] }));
      cpuCase.free();
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ["webgpu"], graphOptimizationLevel: "disabled" });
      const feeds = { [session.inputNames[0]!]: new ort.Tensor("float32", cpuCase.input, cpuCase.shape) };
      const ortOnce = async () => {
        const out = await session.run(feeds);
        for (const t of Object.values(out)) t.dispose();
      };
      await tf.setBackend(active);
      const gpuCase = c.build();
      const traced = tf.function(gpuCase.fn);
      const kilnOnce = async () => {
        const x = tf.tensor(gpuCase.input, cpuCase.shape);
        const y = traced(x) as tf.Tensor;
        await y.data();
        tf.dispose([x, y]);
      };
      const times: { kiln: number[]; ort: number[] } = { kiln: [], ort: [] };
      for (let i = 0; i < 2; i++) {
        await kilnOnce();
        await ortOnce();
      }
      // Alternating, so load falls on both alike.
      for (let i = 0; i < runs; i++) {
        let start = performance.now();
        await kilnOnce();
        times.kiln.push(performance.now() - start);
        start = performance.now();
        await ortOnce();
        times.ort.push(performance.now() - start);
      }
      rows.push({ name: c.name, kiln: median(times.kiln), ort: median(times.ort) });
      gpuCase.free();
      for (const cf of traced.concreteFunctions()) cf.dispose();
      await session.release();
    }
  } catch (error) {
    return `onnxruntime's WebGPU provider failed: ${(error as Error).message}`;
  } finally {
    await tf.setBackend(active);
  }
  return rows;
}
