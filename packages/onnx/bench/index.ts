/**
 * @kiln/onnx benchmark: the predict step of an MLP (784-256-128-10, batch 128) and of the
 * Fashion-MNIST CNN (conv 32, max-pool, conv 64, flatten, dense 10; batch 32), run by Kiln's
 * own traced predict function on its backends (cpu; wasm with one thread and with all), and
 * exported with kerasToOnnx and run by onnxruntime-node's CPU execution provider (one
 * intra-op thread, and its default thread pool), in one process, timed in alternation.
 * One-thread runs are compared by CPU time (steady on a shared machine), multi-threaded runs
 * by wall time (their point); medians. Ratios = Kiln's fastest / onnxruntime (above 1:
 * onnxruntime is faster). The machine these numbers come from is shared and loaded: read the
 * ratios, not the milliseconds.
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
import { kilnConfigurations } from "./backends.js";
import { formatTable, interleavedMedians, type Timing } from "./harness.js";

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

const configurations = await kilnConfigurations();
const show = (t: Timing, threads: number) => (threads === 1 ? t.cpu.toFixed(2) : `${t.wall.toFixed(2)} (wall)`);
const rows: string[][] = [
  [
    "model (batch)",
    ...configurations.map((k) => `kiln ${k.label}`),
    "ort 1 thread",
    "ort pool (wall)",
    "kiln / ort, 1 thread",
    "kiln / ort, threads (wall)",
  ],
];
for (const c of CASES) {
  await tf.setBackend("cpu");
  const model = keras.sequential({ name: c.name.replace(/\W+/g, "_"), layers: c.layers() });
  const bytes = kerasToOnnx(model);
  const single = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1 });
  const pooled = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"] });
  const pixels = tf.tidy(() => tf.randomUniform([c.batch, ...c.sample], 0, 1, "float32", 1).dataSync() as Float32Array);
  const feeds = { [single.inputNames[0]!]: new ort.Tensor("float32", pixels, [c.batch, ...c.sample]) };
  const kiln: Timing[] = [];
  let ortSingle: Timing | undefined;
  let ortPooled: Timing | undefined;
  for (const k of configurations) {
    await k.use();
    const input = tf.tensor(pixels, [c.batch, ...c.sample]);
    const predict = async () => {
      const y = model.predictOnBatch(input) as tf.Tensor;
      await y.data();
      y.dispose();
    };
    // Each Kiln configuration alternates with both onnxruntime sessions; onnxruntime's medians are the last round's.
    const [kilnTime, one, pool] = await interleavedMedians([predict, () => single.run(feeds), () => pooled.run(feeds)]);
    kiln.push(kilnTime!);
    [ortSingle, ortPooled] = [one!, pool!];
    input.dispose();
  }
  const bestOne = Math.min(...kiln.map((t, i) => (configurations[i]!.threads === 1 ? t.cpu : Number.POSITIVE_INFINITY)));
  const bestWall = Math.min(...kiln.map((t) => t.wall));
  rows.push([
    `${c.name} (${c.batch})`,
    ...kiln.map((t, i) => show(t, configurations[i]!.threads)),
    ortSingle!.cpu.toFixed(2),
    `${ortPooled!.wall.toFixed(2)} (wall)`,
    `${(bestOne / ortSingle!.cpu).toFixed(1)}x`,
    `${(bestWall / ortPooled!.wall).toFixed(1)}x`,
  ]);
  await tf.setBackend("cpu");
  await single.release();
  await pooled.release();
}
console.log(
  `\n@kiln/onnx: Kiln predict vs onnxruntime-node ${ort.env.versions.common} CPU, Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "unknown cpu"}`,
);
console.log("milliseconds per batch, medians, interleaved: CPU time for one-thread runs, wall time where marked (wall)");
console.log("ratios = Kiln's fastest / onnxruntime (above 1: onnxruntime is faster)\n");
console.log(formatTable(rows));
