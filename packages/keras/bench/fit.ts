/**
 * `fit` per step, Kiln (traced steps) against tfjs-layers 4.22 `fit` on tfjs's cpu backend,
 * in one process: the MLP 784-256-128-10 (Adam, batch 128) and the small Fashion-MNIST CNN
 * (batch 32), on random data of the right shapes.
 */
import * as tf from "@kiln/core";
import * as tfc from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import * as tfl from "@tensorflow/tfjs-layers";
import * as keras from "../src/index.js";
import { medianMs, type Row } from "./harness.js";

type Builder<L> = (layers: L) => unknown[];

const mlpKiln: Builder<typeof keras.layers> = (l) => [
  l.dense({ units: 256, activation: "relu", inputShape: [784] }),
  l.dense({ units: 128, activation: "relu" }),
  l.dense({ units: 10 }),
];
const mlpTfjs: Builder<typeof tfl.layers> = (l) => [
  l.dense({ units: 256, activation: "relu", inputShape: [784] }),
  l.dense({ units: 128, activation: "relu" }),
  l.dense({ units: 10 }),
];
const cnnKiln: Builder<typeof keras.layers> = (l) => [
  l.conv2d({ filters: 32, kernelSize: 3, activation: "relu", inputShape: [28, 28, 1] }),
  l.maxPooling2d({ poolSize: 2 }),
  l.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }),
  l.flatten(),
  l.dense({ units: 10 }),
];
const cnnTfjs: Builder<typeof tfl.layers> = (l) => [
  l.conv2d({ filters: 32, kernelSize: 3, activation: "relu", inputShape: [28, 28, 1] }),
  l.maxPooling2d({ poolSize: 2 }),
  l.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }),
  l.flatten(),
  l.dense({ units: 10 }),
];

/** Milliseconds per step of `fit`, Kiln and tfjs-layers on the same data (each over its own number of steps). */
async function compare(
  name: string,
  sampleShape: number[],
  batch: number,
  steps: { kiln: number; tfjs: number; tfjsRuns: number },
  kiln: Builder<typeof keras.layers>,
  tfjs: Builder<typeof tfl.layers>,
  target: string,
): Promise<Row> {
  const n = batch * steps.kiln;
  const x = tf.randomUniform([n, ...sampleShape], 0, 1, "float32", 1);
  const y = tf.randomUniform([n], 0, 10, "int32", 2);
  const model = keras.sequential({ layers: kiln(keras.layers) as keras.Layer[] });
  model.compile({ optimizer: keras.optimizers.adam(1e-3), loss: keras.losses.sparseCategoricalCrossentropy({ fromLogits: true }) });
  const kilnMs = await medianMs(
    async () => {
      await model.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0, shuffle: false });
      return steps.kiln;
    },
    { warmup: 1, runs: 5 },
  );

  const tn = batch * steps.tfjs;
  const tx = tfc.tensor((x.dataSync() as Float32Array).slice(0, tn * sampleShape.reduce((a, b) => a * b, 1)), [tn, ...sampleShape]);
  const ty = tfc.oneHot(tfc.tensor1d((y.dataSync() as Int32Array).slice(0, tn), "int32"), 10);
  const tmodel = tfl.sequential({ layers: tfjs(tfl.layers) as tfl.layers.Layer[] });
  tmodel.compile({ optimizer: tfc.train.adam(1e-3), loss: (yt: tfc.Tensor, yp: tfc.Tensor) => tfc.losses.softmaxCrossEntropy(yt, yp) });
  const tfjsMs = await medianMs(
    async () => {
      await tmodel.fit(tx, ty, { epochs: 1, batchSize: batch, verbose: 0, shuffle: false });
      return steps.tfjs;
    },
    { warmup: steps.tfjsRuns > 1 ? 1 : 0, runs: steps.tfjsRuns },
  );
  tf.dispose([x, y]);
  tfc.dispose([tx, ty]);
  model.dispose();
  tmodel.dispose();
  return { name, kilnMs, anchor: "tfjs-layers fit (tfjs cpu)", anchorMs: tfjsMs, target };
}

/** The fit comparisons. */
export async function benchFit(): Promise<Row[]> {
  await tfc.setBackend("cpu");
  return [
    await compare(
      "fit step, MLP 784-256-128-10, Adam, batch 128",
      [784],
      128,
      { kiln: 8, tfjs: 4, tfjsRuns: 3 },
      mlpKiln,
      mlpTfjs,
      ">= 3x",
    ),
    // tfjs-layers takes tens of seconds per CNN step on tfjs's cpu backend: one timed fit of 2 steps.
    await compare(
      "fit step, small CNN (Fashion-MNIST), Adam, batch 32",
      [28, 28, 1],
      32,
      { kiln: 6, tfjs: 2, tfjsRuns: 1 },
      cnnKiln,
      cnnTfjs,
      "faster",
    ),
  ];
}
