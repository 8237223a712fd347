/**
 * Seeded dropout and noise layers draw from a `SeedGenerator` (Keras 3): core's stateless
 * random ops seeded by a non-trainable state variable the layer advances on every draw. So a
 * seed makes training reproducible: eager (`runEagerly`) and traced fit give the same weights
 * bit for bit (SPEC I2: tracing changes nothing but speed), two models with the same seed
 * agree, other seeds differ, and each step still draws a new mask.
 */
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import * as keras from "../src/index.js";
import { toyClassification, useCpu } from "./setup.js";

useCpu();

/** An MLP with every seeded noise layer that fits a [batch, features] input. */
function noisyModel(seed: number): keras.Sequential {
  return keras.sequential({
    layers: [
      keras.layers.dense({
        units: 16,
        activation: "selu",
        inputShape: [6],
        kernelInitializer: keras.initializers.glorotUniform({ seed: 5 }),
      }),
      keras.layers.dropout({ rate: 0.3, seed }),
      keras.layers.gaussianNoise({ stddev: 0.1, seed: seed + 1 }),
      keras.layers.gaussianDropout({ rate: 0.2, seed: seed + 2 }),
      keras.layers.alphaDropout({ rate: 0.1, seed: seed + 3 }),
      keras.layers.dense({ units: 3, kernelInitializer: keras.initializers.glorotUniform({ seed: 6 }) }),
    ],
  });
}

async function trainedWeights(seed: number, runEagerly: boolean, stepsPerExecution = 1, epochs = 2): Promise<Float32Array[]> {
  const { x, y } = toyClassification(64, 6, 3, 9);
  const model = noisyModel(seed);
  model.compile({
    optimizer: keras.optimizers.adam(0.01),
    loss: keras.losses.sparseCategoricalCrossentropy({ fromLogits: true }),
    runEagerly,
    stepsPerExecution,
  });
  await model.fit(x, y, { epochs, batchSize: 16, shuffle: false, verbose: 0 });
  const weights = model.getWeights();
  const values = weights.map((w) => w.dataSync() as Float32Array);
  tf.dispose([x, y, ...weights]);
  model.dispose();
  return values;
}

describe("seeded noise layers (SeedGenerator)", () => {
  it("I2: runEagerly and traced fit give bit-identical weights after 8 steps with the same seed", async () => {
    const eager = await trainedWeights(11, true);
    const traced = await trainedWeights(11, false);
    expect(traced).toHaveLength(eager.length);
    traced.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(eager[i]!)));
  });

  it("M2: stepsPerExecution: 4 (the steps in one traced While) gives the weights of single steps, bit for bit", async () => {
    const single = await trainedWeights(13, false);
    const grouped = await trainedWeights(13, false, 4);
    grouped.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(single[i]!)));
  });

  it("two models with the same seed train to the same weights; another seed differs", async () => {
    const a = await trainedWeights(21, false);
    const b = await trainedWeights(21, false);
    const c = await trainedWeights(22, false);
    b.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(a[i]!)));
    expect(Array.from(c[0]!)).not.toEqual(Array.from(a[0]!));
  });

  it("each training call draws a new mask, and the state advances [seed, 0] -> [seed, 1] -> ...", () => {
    const layer = keras.layers.dropout({ rate: 0.5, seed: 3 });
    const x = tf.ones([4, 32]);
    const first = layer.apply(x, { training: true }) as tf.Tensor;
    const second = layer.apply(x, { training: true }) as tf.Tensor;
    expect(Array.from(second.dataSync())).not.toEqual(Array.from(first.dataSync()));
    expect(Array.from(layer.seedGenerator!.state.read().dataSync())).toEqual([3, 2]);
    // The first mask is the stateless draw of seed [3, 0]: kept units scaled by 1 / (1 - rate).
    const expected = tf.tidy(() => tf.mul(tf.cast(tf.greaterEqual(tf.statelessRandomUniform([4, 32], [3, 0]), 0.5), "float32"), 2));
    expect(Array.from(first.dataSync())).toEqual(Array.from(expected.dataSync()));
    // Inference draws nothing and leaves the state alone.
    const inference = layer.apply(x, { training: false }) as tf.Tensor;
    expect(Array.from(layer.seedGenerator!.state.read().dataSync())).toEqual([3, 2]);
    tf.dispose([x, first, second, expected, inference]);
    layer.dispose();
  });

  it("inside a traced step the masks differ between steps (the seed is not a constant of the graph)", async () => {
    const { x, y } = toyClassification(32, 6, 3, 2);
    const model = keras.sequential({
      layers: [keras.layers.dropout({ rate: 0.5, seed: 7, inputShape: [6] }), keras.layers.dense({ units: 3 })],
    });
    model.compile({ optimizer: "sgd", loss: keras.losses.sparseCategoricalCrossentropy({ fromLogits: true }) });
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const dropout = model.layers[0] as keras.layers.Dropout;
    // Four traced steps, one draw each.
    expect(Array.from(dropout.seedGenerator!.state.read().dataSync())).toEqual([7, 4]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("spatial dropout drops whole channels from its seed, reproducibly", () => {
    const masks = [0, 1].map(() => {
      const layer = keras.layers.spatialDropout1d({ rate: 0.5, seed: 4 });
      const x = tf.ones([2, 5, 8]);
      const out = layer.apply(x, { training: true }) as tf.Tensor;
      const values = Array.from(out.dataSync());
      tf.dispose([x, out]);
      layer.dispose();
      return values;
    });
    expect(masks[1]).toEqual(masks[0]);
    // One decision per (sample, channel): every step of a channel agrees.
    for (let b = 0; b < 2; b++)
      for (let c = 0; c < 8; c++) for (let t = 1; t < 5; t++) expect(masks[0]![b * 40 + t * 8 + c]).toBe(masks[0]![b * 40 + c]);
  });

  it("the seed generator's state is not a weight: getWeights and saving are unchanged, dispose frees it", () => {
    const before = tf.memory().numTensors;
    const layer = keras.layers.gaussianNoise({ stddev: 1, seed: 9 });
    expect(layer.weights).toEqual([]);
    expect(layer.getConfig().seed).toBe(9);
    expect(keras.layers.gaussianNoise({ stddev: 1 }).getConfig()).not.toHaveProperty("seed");
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("unseeded layers keep drawing unseeded (no generator); a non-integer seed is a ConfigError", () => {
    expect(keras.layers.dropout({ rate: 0.5 }).seedGenerator).toBeUndefined();
    expect(() => keras.layers.dropout({ rate: 0.5, seed: 1.5 })).toThrow(keras.ConfigError);
    expect(() => keras.layers.dropout({ rate: 0.5, seed: 1.5 })).toThrow(/seed must be an integer, received 1.5/);
    expect(() => new keras.random.SeedGenerator(Number.NaN)).toThrow(keras.ConfigError);
  });
});
