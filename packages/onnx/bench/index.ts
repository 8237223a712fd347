/**
 * @kiln/onnx benchmark: the predict step of an MLP (784-256-128-10, batch 128) and of the
 * Fashion-MNIST CNN (conv 32, max-pool, conv 64, flatten, dense 10; batch 32), run by Kiln's
 * own traced predict function on each Kiln backend available, and exported with kerasToOnnx
 * and run by onnxruntime-node's CPU execution provider (one intra-op thread, and the default
 * thread pool), in one process, timed in alternation. Medians of CPU milliseconds per batch
 * (wall milliseconds too for the thread pool, whose point is wall time); ratio = Kiln's
 * fastest / onnxruntime (above 1: onnxruntime is faster). The machine these numbers come from
 * is shared and loaded: read the ratios, not the milliseconds.
 *
 * ```sh
 * pnpm bench   # from packages/onnx (or the repository root for every package)
 * ```
 */
import { cpus } from "node:os";
import * as tf from "@kiln/core";
import * as keras from "@kiln/keras";
import * as ort from "onnxruntime-node";
import { kerasToOnnx } from "../src/index.js";
import { availableBackends } from "./backends.js";
import { formatTable, interleavedMedians } from "./harness.js";

interface Case {
  readonly name: string;
  readonly batch: number;
  readonly sample: number[];
  readonly layers: () => keras.Layer[];
}

const CASES: readonly Case[] = [
  {
    name: "MLP 784-256-128-10",
    batch: 128,
    sample: [784],
    layers: () => [
      keras.layers.dense({ units: 256, activation: "relu", inputShape: [784] }),
      keras.layers.dense({ units: 128, activation: "relu" }),
      keras.layers.dense({ units: 10 }),
    ],
  },
  {
    name: "Fashion-MNIST CNN",
    batch: 32,
    sample: [28, 28, 1],
    layers: () => [
      keras.layers.conv2d({ filters: 32, kernelSize: 3, activation: "relu", inputShape: [28, 28, 1] }),
      keras.layers.maxPooling2d({ poolSize: 2 }),
      keras.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }),
      keras.layers.flatten(),
      keras.layers.dense({ units: 10 }),
    ],
  },
];

const backends = await availableBackends();
const header = [
  "model (batch)",
  ...backends.map((b) => `kiln/${b}`),
  "ort 1 thread",
  "ort pool",
  "ort pool (wall)",
  "kiln / ort 1 thread",
  "kiln / ort pool (wall)",
];
const rows: string[][] = [header];
for (const c of CASES) {
  await tf.setBackend("cpu");
  const model = keras.sequential({ name: c.name.replace(/\W+/g, "_"), layers: c.layers() });
  const bytes = kerasToOnnx(model);
  const single = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1 });
  const pooled = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"] });
  const x = tf.randomUniform([c.batch, ...c.sample], 0, 1, "float32", 1);
  const feeds = { [single.inputNames[0]!]: new ort.Tensor("float32", x.dataSync() as Float32Array, [c.batch, ...c.sample]) };
  const kilnMs: number[] = [];
  for (const backend of backends) {
    await tf.setBackend(backend);
    const input = tf.tensor(x.dataSync() as Float32Array, [c.batch, ...c.sample]);
    const predict = async () => {
      const y = model.predictOnBatch(input) as tf.Tensor;
      await y.data();
      y.dispose();
    };
    const [kiln, ortSingle] = await interleavedMedians([predict, () => single.run(feeds)]);
    kilnMs.push(kiln!.cpu);
    input.dispose();
    if (backend === backends[backends.length - 1]) {
      const [ortPooled] = await interleavedMedians([() => pooled.run(feeds)]);
      const best = Math.min(...kilnMs);
      rows.push([
        `${c.name} (${c.batch})`,
        ...kilnMs.map((ms) => ms.toFixed(2)),
        ortSingle!.cpu.toFixed(2),
        ortPooled!.cpu.toFixed(2),
        ortPooled!.wall.toFixed(2),
        `${(best / ortSingle!.cpu).toFixed(1)}x`,
        `${(best / ortPooled!.wall).toFixed(1)}x`,
      ]);
    }
  }
  await tf.setBackend("cpu");
  x.dispose();
  await single.release();
  await pooled.release();
}
console.log(`\n@kiln/onnx: Kiln predict vs onnxruntime-node ${ort.env.versions.common} CPU, Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "unknown cpu"}`);
console.log("CPU milliseconds per batch, (wall): wall milliseconds; medians, interleaved; ratio = Kiln's fastest backend (CPU ms) / onnxruntime\n");
console.log(formatTable(rows));
