/**
 * Training with recurrent layers (SPEC M2, M4): a traced LSTM training step holds one
 * forward `While` and one backward `While` whatever the sequence length, traces once for
 * two lengths, and gives the same weights as `runEagerly` training (a JS loop per batch).
 */
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import * as keras from "../src/index.js";
import { maxAbsDiff, useCpu } from "./setup.js";

useCpu();

function sequenceModel(seed: number): keras.Sequential {
  return keras.sequential({
    layers: [
      keras.layers.lstm({
        units: 6,
        returnSequences: true,
        inputShape: [null, 3],
        kernelInitializer: keras.initializers.glorotUniform({ seed }),
      }),
      keras.layers.gru({ units: 4, kernelInitializer: keras.initializers.glorotUniform({ seed: seed + 1 }) }),
      keras.layers.dense({ units: 1, kernelInitializer: keras.initializers.glorotUniform({ seed: seed + 2 }) }),
    ],
  });
}

/** Operations of a type in every traced graph of a step function (top level). */
function count(fn: tf.PolymorphicFunction, ...types: string[]): number[] {
  return fn.concreteFunctions().map((cf) => cf.graph.getOperations().filter((op) => types.includes(op.type)).length);
}

describe("training recurrent models", () => {
  it("a traced LSTM training step is one forward and one backward While per layer, for two lengths with one trace", async () => {
    const model = sequenceModel(1);
    model.compile({ optimizer: "adam", loss: "meanSquaredError" });
    const xs = [7, 12].map((t) => tf.randomNormal([8, t, 3], 0, 1, "float32", t));
    const y = tf.randomNormal([8, 1], 0, 1, "float32", 99);
    for (const x of xs) await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const train = model.trainFunction().traced!;
    expect(train.tracingCount).toBe(1);
    // Two recurrent layers: a forward loop each, and a backpropagation loop each.
    expect(count(train, "While", "StatelessWhile")).toEqual([4]);
    // No step is unrolled: the products per step live inside the loops, whatever the length.
    const matmuls = count(train, "MatMul");
    expect(matmuls[0]).toBeLessThan(16);
  });

  it("the loops record per-step values in lists written in place, and an LSTM step's backward replays no product but one", async () => {
    const model = keras.sequential({ layers: [keras.layers.lstm({ units: 5, inputShape: [null, 3] }), keras.layers.dense({ units: 1 })] });
    model.compile({ optimizer: "adam", loss: "meanSquaredError" });
    await model.fit(tf.randomNormal([4, 6, 3], 0, 1, "float32", 1), tf.randomNormal([4, 1], 0, 1, "float32", 2), { epochs: 1, verbose: 0 });
    const graph = model.trainFunction().traced!.concreteFunctions()[0]!.graph;
    const loops = graph.getOperations().filter((op) => op.type === "While" || op.type === "StatelessWhile");
    expect(loops.length).toBe(2);
    const bodies = loops.map((op) => graph.library.get((op.attrs as { body: string }).body)!.graph.getOperations().map((o) => o.type));
    const [forward, backward] = bodies as [string[], string[]];
    // Lists grow by no concatenation: states, pre-activations and dz are rows set in place
    // (the one concatenation going back is the gradient of splitting z into the four gates).
    expect(forward).not.toContain("ConcatV2");
    expect(backward.filter((t) => t === "ConcatV2").length).toBe(1);
    expect(forward.filter((t) => t === "SetRow").length).toBe(3);
    expect(backward).toContain("SetRow");
    // Forward: h · U. Backward: dz · Uᵀ only (the projection and U's gradient run once, after the loop).
    expect(forward.filter((t) => t === "MatMul").length).toBe(1);
    expect(backward.filter((t) => t === "MatMul").length).toBe(1);
  });

  it("traced and runEagerly training give the same weights", async () => {
    const x = tf.randomNormal([12, 5, 3], 0, 1, "float32", 3);
    const y = tf.randomNormal([12, 1], 0, 1, "float32", 4);
    const traced = sequenceModel(5);
    const eager = sequenceModel(5);
    // Same starting point (the recurrent kernels' orthogonal initializer is unseeded).
    eager.setWeights(traced.getWeights());
    traced.compile({ optimizer: keras.optimizers.adam(0.01), loss: "meanSquaredError" });
    eager.compile({ optimizer: keras.optimizers.adam(0.01), loss: "meanSquaredError", runEagerly: true });
    const a = await traced.fit(x, y, { epochs: 3, batchSize: 5, verbose: 0, shuffle: false });
    const b = await eager.fit(x, y, { epochs: 3, batchSize: 5, verbose: 0, shuffle: false });
    expect(eager.trainFunction().traced).toBeUndefined();
    a.history.loss!.forEach((l, i) => expect(Math.abs(l - b.history.loss![i]!)).toBeLessThan(1e-5));
    traced.getWeights().forEach((w, i) => expect(maxAbsDiff(w, eager.getWeights()[i]!)).toBeLessThan(1e-5));
  });

  it("I2: with seeded dropout and recurrentDropout, traced and runEagerly training draw the same masks and give the same weights", async () => {
    const x = tf.randomNormal([12, 5, 3], 0, 1, "float32", 3);
    const y = tf.randomNormal([12, 1], 0, 1, "float32", 4);
    const model = (seed: number | undefined) =>
      keras.sequential({
        layers: [
          keras.layers.lstm({ units: 4, inputShape: [null, 3], dropout: 0.3, recurrentDropout: 0.3, seed }),
          keras.layers.dense({ units: 1, kernelInitializer: keras.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
    const traced = model(7);
    const eager = model(7);
    const unseeded = model(undefined);
    eager.setWeights(traced.getWeights());
    unseeded.setWeights(traced.getWeights());
    traced.compile({ optimizer: keras.optimizers.adam(0.01), loss: "meanSquaredError" });
    eager.compile({ optimizer: keras.optimizers.adam(0.01), loss: "meanSquaredError", runEagerly: true });
    unseeded.compile({ optimizer: keras.optimizers.adam(0.01), loss: "meanSquaredError" });
    const fit = (m: keras.Sequential) => m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, shuffle: false });
    const [a, b] = [await fit(traced), await fit(eager)];
    await fit(unseeded);
    a.history.loss!.forEach((l, i) => expect(Math.abs(l - b.history.loss![i]!)).toBeLessThan(1e-5));
    traced.getWeights().forEach((w, i) => expect(maxAbsDiff(w, eager.getWeights()[i]!)).toBeLessThan(1e-5));
    // Other masks (unseeded draws) train elsewhere.
    expect(maxAbsDiff(traced.getWeights()[0]!, unseeded.getWeights()[0]!)).toBeGreaterThan(1e-4);
    // The seed is in the layer's config (only when set: tfjs-layers' configs have none).
    expect(traced.layers[0]!.getConfig().seed).toBe(7);
    expect("seed" in unseeded.layers[0]!.getConfig()).toBe(false);
    const restored = keras.Sequential.fromConfig(traced.getConfig()) as keras.Sequential;
    expect((restored.layers[0] as keras.layers.LSTM).cell.seed).toBe(7);
  });

  it("learns a masked sequence task: the sum of the unpadded values", async () => {
    const n = 64;
    const lengths = Array.from({ length: n }, (_, i) => 2 + (i % 5));
    const values = tf.randomUniform([n, 6, 1], 0, 1, "float32", 11);
    const pad = tf.tensor(
      lengths.flatMap((l) => Array.from({ length: 6 }, (_, t) => (t < l ? 1 : 0))),
      [n, 6, 1],
    );
    const x = tf.mul(values, pad);
    const y = tf.sum(x, 1);
    const model = keras.sequential({
      layers: [keras.layers.masking({ inputShape: [6, 1] }), keras.layers.simpleRNN({ units: 8 }), keras.layers.dense({ units: 1 })],
    });
    model.compile({ optimizer: keras.optimizers.adam(0.02), loss: "meanSquaredError" });
    const history = await model.fit(x, y, { epochs: 30, batchSize: 16, verbose: 0 });
    const losses = history.history.loss!;
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 4);
  });
});
