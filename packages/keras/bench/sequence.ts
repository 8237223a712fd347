/**
 * Sequence-model training steps: an LSTM (64 units, 32 features, batch 32, Adam,
 * mean squared error) per `fit` step, Kiln traced against tfjs-layers 4.22 `fit` on the same
 * backend kind (cpu, and wasm: Kiln's wasm backend against tfjs-backend-wasm); the same
 * LSTM at lengths 25, 50 and 100 on one model (time per step against the 25-step time
 * scaled linearly, and the number of traces); and a small transformer block (2 heads, dim
 * 64, sequence 64, batch 16) per step, traced against `runEagerly` (tfjs exports no
 * multi-head attention layer to compare with).
 */
import * as tf from "@kiln/core";
import * as tfc from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import * as keras from "../src/index.js";
import { medianMs, type Row } from "./harness.js";
import { tfjsTransformer } from "./transformer_tfjs.js";

const UNITS = 64;
const FEATURES = 32;
const BATCH = 32;

function kilnLstm(): keras.Sequential {
  const model = keras.sequential({
    layers: [keras.layers.lstm({ units: UNITS, inputShape: [null, FEATURES] }), keras.layers.dense({ units: 1 })],
  });
  model.compile({ optimizer: keras.optimizers.adam(1e-3), loss: "meanSquaredError" });
  return model;
}

/** Kiln's traced LSTM `fit` per step at sequence length `length` (on the active Kiln backend). */
async function kilnLstmStep(model: keras.Sequential, length: number, steps: number): Promise<number> {
  const x = tf.randomUniform([BATCH * steps, length, FEATURES], 0, 1, "float32", length);
  const y = tf.randomUniform([BATCH * steps, 1], 0, 1, "float32", length + 1);
  const ms = await medianMs(
    async () => {
      await model.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0, shuffle: false });
      return steps;
    },
    { warmup: 1, runs: 5 },
  );
  tf.dispose([x, y]);
  return ms;
}

/** The same model in tfjs-layers, for sequences of `length` steps. */
function tfjsLstm(length: number): tfl.Sequential {
  return tfl.sequential({ layers: [tfl.layers.lstm({ units: UNITS, inputShape: [length, FEATURES] }), tfl.layers.dense({ units: 1 })] });
}

/** tfjs-layers' LSTM `fit` per step at length 50 on tfjs's active backend. */
async function tfjsLstmStep(length: number, steps: number, runs: number): Promise<number> {
  const model = tfjsLstm(length);
  model.compile({ optimizer: tfc.train.adam(1e-3), loss: "meanSquaredError" });
  const x = tfc.randomUniform([BATCH * steps, length, FEATURES]);
  const y = tfc.randomUniform([BATCH * steps, 1]);
  const ms = await medianMs(
    async () => {
      await model.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0, shuffle: false });
      return steps;
    },
    { warmup: 1, runs },
  );
  tfc.dispose([x, y]);
  model.dispose();
  return ms;
}

/** The LSTM row on one backend kind: Kiln traced `fit` against tfjs-layers `fit`. */
export async function lstmVsTfjs(kind: string, steps: { kiln: number; tfjs: number; tfjsRuns: number }): Promise<Row> {
  const model = kilnLstm();
  const kilnMs = await kilnLstmStep(model, 50, steps.kiln);
  model.dispose();
  const tfjsMs = await tfjsLstmStep(50, steps.tfjs, steps.tfjsRuns);
  return {
    name: `LSTM fit step (64 units, seq 50, 32 features, batch 32), ${kind}`,
    kilnMs,
    anchor: `tfjs-layers fit (tfjs ${kind})`,
    anchorMs: tfjsMs,
    target: ">= 5x",
  };
}

/** `predict` on 256 sequences of length 50 (batch 32), Kiln traced against tfjs-layers, per batch. */
export async function lstmPredict(kind: string): Promise<Row> {
  const length = 50;
  const batches = 8;
  const model = kilnLstm();
  const x = tf.randomUniform([BATCH * batches, length, FEATURES], 0, 1, "float32", 7);
  const kilnMs = await medianMs(
    () => {
      tf.dispose(model.predict(x, { batchSize: BATCH }));
      return batches;
    },
    { warmup: 1, runs: 5 },
  );
  tf.dispose(x);
  model.dispose();
  const tmodel = tfjsLstm(length);
  const tx = tfc.randomUniform([BATCH * batches, length, FEATURES]);
  const tfjsMs = await medianMs(
    () => {
      tfc.dispose(tmodel.predict(tx, { batchSize: BATCH }));
      return batches;
    },
    { warmup: 1, runs: 3 },
  );
  tfc.dispose(tx);
  tmodel.dispose();
  return {
    name: `LSTM predict per batch (seq 50, batch 32), ${kind}`,
    kilnMs,
    anchor: `tfjs-layers predict (tfjs ${kind})`,
    anchorMs: tfjsMs,
    target: "faster",
  };
}

/**
 * One model at lengths 25, 50 and 100: each row's anchor is the 25-step time scaled by the
 * length, so a ratio near 1 is linear time. The trace count is reported in the row name.
 */
export async function lstmLengths(): Promise<Row[]> {
  const model = kilnLstm();
  const times = new Map<number, number>();
  for (const length of [25, 50, 100]) times.set(length, await kilnLstmStep(model, length, 4));
  const traces = model.trainFunction().traced?.tracingCount ?? 0;
  model.dispose();
  const base = times.get(25)!;
  return [50, 100].map((length) => ({
    name: `LSTM fit step at seq ${length} (one model, ${traces} trace for 25/50/100)`,
    kilnMs: times.get(length)!,
    anchor: `seq 25 time x ${length / 25} (linear)`,
    anchorMs: (base * length) / 25,
    target: "~1x (linear)",
  }));
}

/** A transformer block: causal self-attention (2 heads), residual, layer norm, feed-forward (4x), residual, layer norm, dense head. */
function transformerBlock(): keras.Functional {
  const dim = 64;
  const x = keras.input({ shape: [null, dim] });
  const attended = keras.layers
    .multiHeadAttention({ numHeads: 2, keyDim: dim / 2 })
    .apply([x, x], { useCausalMask: true }) as keras.KerasTensor;
  const h = keras.layers.layerNormalization().apply(keras.layers.add().apply([x, attended]) as keras.KerasTensor) as keras.KerasTensor;
  const ff = keras.layers
    .dense({ units: dim })
    .apply(keras.layers.dense({ units: 4 * dim, activation: "gelu" }).apply(h) as keras.KerasTensor) as keras.KerasTensor;
  const y = keras.layers.layerNormalization().apply(keras.layers.add().apply([h, ff]) as keras.KerasTensor) as keras.KerasTensor;
  return keras.model({ inputs: x, outputs: keras.layers.dense({ units: dim }).apply(y) as keras.KerasTensor });
}

/** Median ms per step of the tfjs-core transformer block on tfjs's active backend. */
async function tfjsTransformerStep(x: tfc.Tensor3D, y: tfc.Tensor3D, batch: number): Promise<number> {
  const block = tfjsTransformer(64);
  const steps = x.shape[0] / batch;
  const ms = await medianMs(
    () => {
      for (let i = 0; i < steps; i++) {
        tfc.tidy(() => block.step(x.slice(i * batch, batch), y.slice(i * batch, batch)));
      }
      return steps;
    },
    { warmup: 1, runs: 3 },
  );
  block.dispose();
  return ms;
}

/**
 * The transformer block's training step on the active Kiln backend: traced `fit` against the
 * same block written with tfjs-core ops on tfjs's active backend, and against `runEagerly`.
 */
export async function transformerStep(kind: string): Promise<Row[]> {
  const steps = 4;
  const x = tf.randomNormal([16 * steps, 64, 64], 0, 1, "float32", 1);
  const y = tf.randomNormal([16 * steps, 64, 64], 0, 1, "float32", 2);
  const time = async (runEagerly: boolean) => {
    const model = transformerBlock();
    model.compile({ optimizer: keras.optimizers.adam(1e-3), loss: "meanSquaredError", runEagerly });
    const ms = await medianMs(
      async () => {
        await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, shuffle: false });
        return steps;
      },
      { warmup: 1, runs: 3 },
    );
    model.dispose();
    return ms;
  };
  const traced = await time(false);
  const eager = await time(true);
  const tx = tfc.tensor3d(x.dataSync() as Float32Array, [16 * steps, 64, 64]);
  const ty = tfc.tensor3d(y.dataSync() as Float32Array, [16 * steps, 64, 64]);
  const tfjsMs = await tfjsTransformerStep(tx, ty, 16);
  tf.dispose([x, y]);
  tfc.dispose([tx, ty]);
  const name = `transformer block fit step (2 heads, dim 64, seq 64, batch 16), ${kind}`;
  return [
    { name, kilnMs: traced, anchor: `tfjs-core ops + adam.minimize (tfjs ${kind})`, anchorMs: tfjsMs, target: "faster" },
    { name, kilnMs: traced, anchor: "Kiln runEagerly", anchorMs: eager, target: "faster" },
  ];
}
