/**
 * What a software GPU can measure: ratios in one process on one device. Traced and fused
 * calls against the same work run eagerly (one kernel per op), dispatches per traced call
 * against the ops in its graph, and predicate read-backs of a While loop with and without
 * speculation. Absolute times on SwiftShader say nothing about GPUs and are not the point.
 */
import * as tf from "@kiln/core";
import type { WebGPUBackend } from "../src/index.js";
import { compareGpu, type GpuTime, kernelOps } from "./harness.js";

export interface RatioRow {
  readonly name: string;
  readonly eager: GpuTime;
  readonly traced: GpuTime;
}

/** The 10-op chain (as the wasm bench has it): add, mul, relu, neg, exp, sub, abs, sqrt, sigmoid, tanh. */
export function chain(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tanh(tf.sigmoid(tf.sqrt(tf.abs(tf.sub(tf.exp(tf.neg(tf.relu(tf.mul(tf.add(x, y), 0.5)))), y)))));
}

/** An MLP forward pass: dense layers with bias and relu, then logits. */
function mlp(layers: readonly tf.Tensor[][]) {
  return (x: tf.Tensor): tf.Tensor => {
    let h = x;
    layers.forEach(([w, b], i) => {
      h = tf.add(tf.matMul(h, w!), b!);
      if (i < layers.length - 1) h = tf.relu(h);
    });
    return h;
  };
}

function denseLayers(sizes: readonly number[], seed: number): tf.Tensor[][] {
  return sizes
    .slice(1)
    .map((n, i) => [
      tf.randomUniform([sizes[i]!, n], -0.1, 0.1, "float32", seed + i),
      tf.randomUniform([n], -0.1, 0.1, "float32", seed + 100 + i),
    ]);
}

/** Traced + fused against eager, milliseconds per call (the same backend, one process). */
export async function tracedVsEager(backend: WebGPUBackend): Promise<RatioRow[]> {
  const rows: RatioRow[] = [];
  const x = tf.randomUniform([1 << 16], -1, 1, "float32", 1);
  const y = tf.randomUniform([1 << 16], -1, 1, "float32", 9);
  const f = tf.function(chain);
  const [chainEager, chainTraced] = await compareGpu(
    backend,
    () => tf.tidy(() => chain(x, y)),
    () => f(x, y),
  );
  rows.push({ name: "10-op elementwise chain, 65536 floats", eager: chainEager, traced: chainTraced });
  for (const [label, batch, sizes] of [
    ["MLP forward, batch 8, 64-128-128-10", 8, [64, 128, 128, 10]],
    ["MLP forward, batch 64, 256-256-256-10", 64, [256, 256, 256, 10]],
  ] as const) {
    const layers = denseLayers(sizes, 10);
    const input = tf.randomUniform([batch, sizes[0]], -1, 1, "float32", 2);
    const forward = mlp(layers);
    const g = tf.function(forward);
    const [eager, traced] = await compareGpu(
      backend,
      () => tf.tidy(() => forward(input)),
      () => g(input),
    );
    rows.push({ name: label, eager, traced });
    tf.dispose([input, ...layers.flat()]);
    for (const cf of g.concreteFunctions()) cf.dispose();
  }
  tf.dispose([x, y]);
  for (const cf of f.concreteFunctions()) cf.dispose();
  return rows;
}

export interface DispatchRow {
  readonly name: string;
  readonly ops: number;
  readonly dispatches: number;
  readonly submits: number;
}

/** Dispatches and command buffers per traced call, against the kernel ops in the graph. */
export async function dispatchesPerCall(backend: WebGPUBackend): Promise<DispatchRow[]> {
  const rows: DispatchRow[] = [];
  const measure = async (name: string, f: (...args: any[]) => unknown, args: unknown[]) => {
    tf.dispose(f(...args) as tf.Tensor);
    await tf.asyncWait();
    const before = backend.stats();
    tf.dispose(f(...args) as tf.Tensor);
    await Promise.resolve();
    const after = backend.stats();
    const cf = (f as unknown as tf.PolymorphicFunction).getConcreteFunction(...args);
    rows.push({ name, ops: kernelOps(cf), dispatches: after.dispatches - before.dispatches, submits: after.submits - before.submits });
    await tf.asyncWait();
  };
  const x = tf.randomUniform([1 << 12], -1, 1, "float32", 3);
  const f = tf.function(chain);
  await measure("10-op elementwise chain", f, [x, x]);
  const layers = denseLayers([64, 128, 128, 10], 20);
  const input = tf.randomUniform([8, 64], -1, 1, "float32", 4);
  const g = tf.function(mlp(layers));
  await measure("MLP forward (3 dense layers)", g, [input]);
  const variables = layers.flat().map((t) => new tf.Variable(t));
  const labels = tf.oneHot(tf.tensor([1, 2, 3, 4, 5, 6, 7, 8], [8], "int32"), 10);
  const step = tf.function((xs: tf.Tensor, ys: tf.Tensor) => {
    const tape = new tf.GradientTape();
    const loss = tape.record(() => {
      let h = xs;
      for (let i = 0; i < 3; i++) {
        h = tf.add(tf.matMul(h, variables[2 * i]!), variables[2 * i + 1]!);
        if (i < 2) h = tf.relu(h);
      }
      return tf.mean(tf.square(tf.sub(h, ys)));
    });
    const grads = tape.gradient(loss, variables) as tf.Tensor[];
    grads.forEach((grad, i) => variables[i]!.assignSub(tf.mul(grad, 0.01)));
    return loss;
  });
  await measure("MLP training step (forward, gradients, SGD)", step, [input, labels]);
  tf.dispose([x, input, labels, ...layers.flat()]);
  for (const v of variables) v.dispose();
  for (const fn of [f, g, step]) for (const cf of fn.concreteFunctions()) cf.dispose();
  return rows;
}

export interface LoopRow {
  readonly lookahead: number;
  readonly reads: number;
  readonly ms: number;
}

/** A 100-iteration recurrent While loop with speculation (lookahead 32) and without (1). */
export async function loopReads(fast: WebGPUBackend, plain: WebGPUBackend): Promise<LoopRow[]> {
  const rows: LoopRow[] = [];
  for (const backend of [plain, fast]) {
    await tf.setBackend(backend.name);
    const w = tf.randomUniform([16, 16], -0.3, 0.3, "float32", 5);
    const h = tf.randomUniform([1, 16], -1, 1, "float32", 6);
    const loop = tf.function(
      (s0: tf.Tensor) =>
        tf.whileLoop(
          (i) => tf.less(i, 100),
          (i, s) => [i!.add(1), tf.tanh(tf.matMul(s!, w))],
          [tf.scalar(0, "int32"), s0],
        )[1]!,
    );
    const run = async () => {
      const y = loop(h) as tf.Tensor;
      await y.data();
      y.dispose();
    };
    await run();
    const reads = backend.stats().reads;
    const start = performance.now();
    for (let i = 0; i < 3; i++) await run();
    rows.push({ lookahead: backend.loopLookahead, reads: (backend.stats().reads - reads) / 3 - 1, ms: (performance.now() - start) / 3 });
    tf.dispose([w, h]);
    for (const cf of loop.concreteFunctions()) cf.dispose();
  }
  return rows;
}
