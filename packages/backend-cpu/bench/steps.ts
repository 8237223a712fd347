/**
 * Training steps on the cpu backend, side by side in one process: an MLP
 * 784-256-128-10 (batch 128) and a small CNN (batch 32: conv3x3x32 relu, maxpool 2,
 * conv3x3x64 relu, maxpool 2, dense 10), each one SGD step with softmax cross-entropy.
 * Kiln's step is one traced `tf.function` with the tape inside; the anchors are tfjs-core's
 * `variableGrads` + SGD on tfjs-backend-cpu and on tfjs-backend-wasm 4.22 (which has no
 * Conv2DBackpropFilter kernel, so it cannot train the CNN). Also: backend buffers allocated
 * per steady step, and RSS growth over 300 steps after warm-up. Times are process CPU time
 * (all threads), which a loaded shared machine skews far less than wall time.
 *
 * ```sh
 * node --import tsx bench/steps.ts
 * ```
 */
import * as tf from "@kiln/core";
import * as tfjs from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { pathToFileURL } from "node:url";
import { cpu } from "../src/index.js";
import { type BenchRow, benchRow, cpuTimeIt, formatTable } from "./harness.js";

/** A model as both libraries build it: parameter shapes and a forward pass. */
export interface Model {
  readonly name: string;
  readonly batch: number;
  readonly input: readonly number[];
  readonly params: readonly (readonly number[])[];
  forward<T>(lib: Lib<T>, x: T, params: readonly T[]): T;
}

/** The ops a forward pass needs, from Kiln or tfjs. */
interface Lib<T> {
  matMul(a: T, b: T): T;
  add(a: T, b: T): T;
  relu(a: T): T;
  conv2d(x: T, f: T): T;
  maxPool(x: T): T;
  reshape(x: T, shape: number[]): T;
}

const kilnLib: Lib<tf.Tensor> = {
  matMul: (a, b) => tf.matMul(a, b),
  add: (a, b) => tf.add(a, b),
  relu: (a) => tf.relu(a),
  conv2d: (x, f) => tf.conv2d(x, f, 1, "valid"),
  maxPool: (x) => tf.maxPool(x, 2, 2, "valid"),
  reshape: (x, shape) => tf.reshape(x, shape),
};

const tfjsLib: Lib<tfjs.Tensor> = {
  matMul: (a, b) => tfjs.matMul(a, b),
  add: (a, b) => tfjs.add(a, b),
  relu: (a) => tfjs.relu(a),
  conv2d: (x, f) => tfjs.conv2d(x as tfjs.Tensor4D, f as tfjs.Tensor4D, 1, "valid"),
  maxPool: (x) => tfjs.maxPool(x as tfjs.Tensor4D, 2, 2, "valid"),
  reshape: (x, shape) => tfjs.reshape(x, shape),
};

export const MLP: Model = {
  name: "MLP 784-256-128-10 b128",
  batch: 128,
  input: [128, 784],
  params: [[784, 256], [256], [256, 128], [128], [128, 10], [10]],
  forward: (lib, x, p) => {
    let h = x;
    for (let l = 0; l < 3; l++) {
      h = lib.add(lib.matMul(h, p[2 * l]!), p[2 * l + 1]!);
      if (l < 2) h = lib.relu(h);
    }
    return h;
  },
};

export const CNN: Model = {
  name: "small CNN b32",
  batch: 32,
  input: [32, 28, 28, 1],
  params: [[3, 3, 1, 32], [32], [3, 3, 32, 64], [64], [5 * 5 * 64, 10], [10]],
  forward: (lib, x, p) => {
    let h = lib.maxPool(lib.relu(lib.add(lib.conv2d(x, p[0]!), p[1]!)));
    h = lib.maxPool(lib.relu(lib.add(lib.conv2d(h, p[2]!), p[3]!)));
    return lib.add(lib.matMul(lib.reshape(h, [32, 5 * 5 * 64]), p[4]!), p[5]!);
  },
};

const LR = 0.01;

/** Kiln's traced SGD step for `model`, with its variables and data. */
export function kilnStep(model: Model): { step: () => void; dispose: () => void } {
  const vars = model.params.map(
    (shape, i) => new tf.Variable(shape.length === 1 ? tf.zeros(shape) : tf.randomNormal(shape, 0, 0.05, "float32", 10 + i)),
  );
  const x = tf.randomUniform(model.input, 0, 1, "float32", 1);
  const labels = tf.oneHot(tf.randomUniform([model.batch], 0, 10, "int32", 2), 10);
  const traced = tf.function((input: tf.Tensor, target: tf.Tensor) => {
    const tape = new tf.GradientTape();
    const loss = tape.record(() =>
      tf.neg(
        tf.mean(
          tf.sum(
            tf.mul(
              target,
              tf.logSoftmax(
                model.forward(
                  kilnLib,
                  input,
                  vars.map((v) => v.readForOp()),
                ),
              ),
            ),
            -1,
          ),
        ),
      ),
    );
    const grads = tape.gradient(loss, vars);
    vars.forEach((v, i) => v.assignSub(tf.mul(grads[i]!, LR)));
    return loss;
  });
  return { step: () => (traced(x, labels) as tf.Tensor).dispose(), dispose: () => tf.dispose([x, labels, ...vars]) };
}

/** tfjs-core's `variableGrads` + SGD step for `model` on its current backend. */
export function tfjsStep(model: Model): { step: () => void; dispose: () => void } {
  const vars = model.params.map((shape) =>
    tfjs.variable(shape.length === 1 ? tfjs.zeros([...shape]) : tfjs.randomNormal([...shape], 0, 0.05)),
  );
  const x = tfjs.randomUniform(model.input as number[], 0, 1);
  const labels = tfjs.oneHot(tfjs.randomUniform([model.batch], 0, 10, "int32") as tfjs.Tensor1D, 10);
  const step = () =>
    tfjs.tidy(() => {
      const { grads } = tfjs.variableGrads(
        () => tfjs.neg(tfjs.mean(tfjs.sum(tfjs.mul(labels, tfjs.logSoftmax(model.forward(tfjsLib, x, vars))), -1))) as tfjs.Scalar,
        vars,
      );
      for (const v of vars) v.assign(tfjs.sub(v, tfjs.mul(grads[v.name]!, LR)));
    });
  return { step, dispose: () => tfjs.dispose([x, labels, ...vars]) };
}

/** Backend buffers `step` creates per call once warm (every cpu buffer is made by `write`). */
function allocationsPerStep(step: () => void, runs: number): number {
  const backend = tf.getRuntime().backends.active();
  const write = backend.write;
  let count = 0;
  backend.write = (...args) => {
    count++;
    return write.apply(backend, args);
  };
  try {
    for (let i = 0; i < runs; i++) step();
  } finally {
    backend.write = write;
  }
  return count / runs;
}

/** RSS growth in MiB over `runs` steps, after the warm-up already done. */
function rssGrowth(step: () => void, runs: number): number {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < runs; i++) step();
  globalThis.gc?.();
  return (process.memoryUsage().rss - before) / 2 ** 20;
}

export async function benchSteps(): Promise<BenchRow[]> {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
  await tf.setBackend("cpu");
  const rows: BenchRow[] = [];
  for (const [model, runs, target] of [
    [MLP, 9, "target >= 5x"],
    [CNN, 5, "target >= 80x"],
  ] as const) {
    const kiln = kilnStep(model);
    const kilnMs = await cpuTimeIt(kiln.step, { warmup: 3, runs });
    await tfjs.setBackend("cpu");
    const tfjsCpu = tfjsStep(model);
    // tfjs-cpu takes tens of seconds per CNN step: one timed run, no warm-up.
    const cpuMs = await cpuTimeIt(tfjsCpu.step, model === CNN ? { warmup: 0, runs: 1 } : { warmup: 1, runs });
    tfjsCpu.dispose();
    rows.push(benchRow(`train step ${model.name}: kiln traced vs tfjs-cpu (ms)`, kilnMs, cpuMs, target));
    if (model === MLP) {
      await tfjs.setBackend("wasm");
      const tfjsWasm = tfjsStep(model);
      const wasmMs = await cpuTimeIt(tfjsWasm.step, { warmup: 2, runs });
      tfjsWasm.dispose();
      rows.push(benchRow(`train step ${model.name}: kiln traced (cpu) vs tfjs-wasm (ms)`, kilnMs, wasmMs));
    } else {
      rows.push({
        name: `train step ${model.name}: tfjs-wasm`,
        kilnMs,
        anchorMs: Number.NaN,
        ratio: Number.NaN,
        note: "tfjs-wasm has no Conv2DBackpropFilter kernel",
      });
    }
    const allocations = allocationsPerStep(kiln.step, 5);
    const steps = model === CNN ? 100 : 300;
    const growth = rssGrowth(kiln.step, steps);
    rows.push({
      name: `${model.name}: buffers allocated per steady step; RSS growth over ${steps} steps`,
      kilnMs: allocations,
      anchorMs: growth,
      ratio: Number.NaN,
      note: `targets: 0 allocations, <= 10 MiB (columns: allocations, MiB)`,
    });
    kiln.dispose();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows = await benchSteps();
  console.log(
    formatTable(
      ["case", "kiln", "anchor", "ratio", "note"],
      rows.map((r) => [r.name, r.kilnMs.toFixed(2), r.anchorMs.toFixed(2), `${r.ratio.toFixed(2)}x`, r.note ?? ""]),
    ),
  );
}
