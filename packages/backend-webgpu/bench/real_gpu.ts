/**
 * Absolute numbers, for a real GPU only (a software GPU's would mislead): matMul GFLOP/s at
 * 1024, 2048 and 4096 (traced, f32), the 10-op elementwise chain on 16M floats, and the
 * time of one MLP and one CNN training step (forward, gradients, SGD update in one traced
 * call).
 */
import * as tf from "@kiln/core";
import type { WebGPUBackend } from "../src/index.js";
import { timeGpu } from "./harness.js";
import { chain } from "./ratios.js";

export interface GpuRow {
  readonly name: string;
  readonly value: string;
}

/** Problem sizes of the real-GPU bench. */
export interface RealGpuSizes {
  readonly matmul: readonly number[];
  /** Elements of the 10-op chain. */
  readonly chain: number;
  readonly mlpBatch: number;
  readonly cnnBatch: number;
}

/** The sizes. */
export const FULL_SIZES: RealGpuSizes = { matmul: [1024, 2048, 4096], chain: 1 << 24, mlpBatch: 256, cnnBatch: 64 };
/** Sizes a software GPU runs in seconds: for checking the bench itself (`KILN_BENCH_SIZES=small`), not for numbers. */
export const SMALL_SIZES: RealGpuSizes = { matmul: [64, 128], chain: 1 << 12, mlpBatch: 8, cnnBatch: 2 };

export async function realGpu(backend: WebGPUBackend, sizes: RealGpuSizes = FULL_SIZES): Promise<GpuRow[]> {
  const rows: GpuRow[] = [];
  const matmul = tf.function((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b));
  for (const n of sizes.matmul) {
    const a = tf.randomUniform([n, n], -1, 1, "float32", 1);
    const b = tf.randomUniform([n, n], -1, 1, "float32", 2);
    const ms = await timeGpu(backend, () => matmul(a, b), { warmup: 3, runs: n >= 4096 ? 5 : 20, samples: 3 });
    rows.push({ name: `matMul ${n}x${n}x${n} f32`, value: `${((2 * n ** 3) / (ms * 1e6)).toFixed(0)} GFLOP/s (${ms.toFixed(2)} ms)` });
    tf.dispose([a, b]);
  }
  const x = tf.randomUniform([sizes.chain], -1, 1, "float32", 3);
  const y = tf.randomUniform([sizes.chain], -1, 1, "float32", 4);
  const fused = tf.function(chain);
  const chainMs = await timeGpu(backend, () => fused(x, y), { runs: 20 });
  rows.push({
    name: `10-op chain, ${sizes.chain} floats (traced, fused)`,
    value: `${chainMs.toFixed(2)} ms (${((3 * 4 * sizes.chain) / (chainMs * 1e6)).toFixed(0)} GB/s)`,
  });
  tf.dispose([x, y]);
  rows.push({
    name: `MLP training step, batch ${sizes.mlpBatch}, 784-512-512-10`,
    value: `${(await trainingStep(backend, "mlp", sizes.mlpBatch)).toFixed(2)} ms`,
  });
  rows.push({
    name: `CNN training step, batch ${sizes.cnnBatch}, 28x28: conv32-pool-conv64-pool-dense10`,
    value: `${(await trainingStep(backend, "cnn", sizes.cnnBatch)).toFixed(2)} ms`,
  });
  for (const cf of [...matmul.concreteFunctions(), ...fused.concreteFunctions()]) cf.dispose();
  return rows;
}

/** Milliseconds per traced training step of a small MLP or CNN. */
async function trainingStep(backend: WebGPUBackend, kind: "mlp" | "cnn", batch: number): Promise<number> {
  const init = (shape: number[], seed: number) => new tf.Variable(tf.randomNormal(shape, 0, 0.05, "float32", seed));
  const params =
    kind === "mlp"
      ? [init([784, 512], 1), init([512], 2), init([512, 512], 3), init([512], 4), init([512, 10], 5), init([10], 6)]
      : [init([3, 3, 1, 32], 1), init([32], 2), init([3, 3, 32, 64], 3), init([64], 4), init([7 * 7 * 64, 10], 5), init([10], 6)];
  const x = kind === "mlp" ? tf.randomUniform([batch, 784], 0, 1, "float32", 7) : tf.randomUniform([batch, 28, 28, 1], 0, 1, "float32", 7);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, "int32", 8), 10);
  const forward = (input: tf.Tensor): tf.Tensor => {
    const [w1, b1, w2, b2, w3, b3] = params;
    if (kind === "mlp") {
      const h = tf.relu(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(input, w1!), b1!)), w2!), b2!));
      return tf.add(tf.matMul(h, w3!), b3!);
    }
    const c1 = tf.maxPool(tf.relu(tf.add(tf.conv2d(input, w1!, 1, "same"), b1!)), 2, 2, "valid");
    const c2 = tf.maxPool(tf.relu(tf.add(tf.conv2d(c1, w2!, 1, "same"), b2!)), 2, 2, "valid");
    return tf.add(tf.matMul(tf.reshape(c2, [batch, 7 * 7 * 64]), w3!), b3!);
  };
  const step = tf.function((input: tf.Tensor, y: tf.Tensor) => {
    const tape = new tf.GradientTape();
    const loss = tape.record(() => tf.mean(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(forward(input))), -1))));
    const grads = tape.gradient(loss, params) as tf.Tensor[];
    grads.forEach((g, i) => params[i]!.assignSub(tf.mul(g, 0.01)));
    return loss;
  });
  const ms = await timeGpu(backend, () => step(x, labels), { warmup: 3, runs: 10 });
  tf.dispose([x, labels]);
  for (const p of params) p.dispose();
  for (const cf of step.concreteFunctions()) cf.dispose();
  return ms;
}
