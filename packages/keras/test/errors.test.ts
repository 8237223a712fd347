/**
 * Bad input gives typed errors (subclasses of tf.KilnError) that name the layer, loss or
 * argument, leaves weights untouched and leaks no tensors.
 */
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import * as keras from "../src/index.js";
import { maxAbsDiff, useCpu } from "./setup.js";

useCpu();

function mlp(): keras.Sequential {
  return keras.sequential({
    layers: [
      keras.layers.dense({ units: 4, activation: "relu", inputShape: [6], name: "first" }),
      keras.layers.dense({ units: 3, activation: "softmax", name: "last" }),
    ],
  });
}

/** Compiles and runs one good step of everything, so failures later cannot be confused with first-use state (slots, traces). */
async function warmed(model: keras.Model, loss: string, y: tf.Tensor): Promise<keras.Model> {
  model.compile({ optimizer: "adam", loss });
  const x = tf.ones([y.shape[0]!, 6]);
  await model.trainOnBatch(x, y);
  tf.dispose(model.predict(x));
  tf.dispose(model.evaluate(x, y));
  return model;
}

/** Runs `fn`, which must throw `type`; checks that weights and the live tensor count did not change. */
async function rejectsCleanly(model: keras.Model, fn: () => unknown, type: new (...args: any[]) => Error, message: RegExp): Promise<void> {
  const before = model.getWeights();
  const live = tf.memory().numTensors;
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(type);
  expect(error).toBeInstanceOf(tf.KilnError);
  expect((error as Error).message).toMatch(message);
  expect(tf.memory().numTensors).toBe(live);
  model.getWeights().forEach((w, i) => expect(maxAbsDiff(w, before[i]!)).toBe(0));
  tf.dispose(before);
}

describe("typed errors with no partial updates and no leaks", () => {
  it("wrong input shapes name the layer and the axis", async () => {
    const model = await warmed(mlp(), "sparseCategoricalCrossentropy", tf.zeros([2]));
    const x = tf.ones([2, 5]);
    const y = tf.zeros([2]);
    await rejectsCleanly(
      model,
      () => model.predict(x),
      keras.InputShapeError,
      /expects shape \(None, 6\), received a tensor of shape \(2, 5\); it feeds layer 'first'/,
    );
    await rejectsCleanly(
      model,
      () => model.getLayer("first").apply(x),
      keras.InputShapeError,
      /Input 0 of layer 'first'.*axis -1 to have size 6/,
    );
    await rejectsCleanly(model, () => model.fit(x, y, { verbose: 0 }), keras.InputShapeError, /layer 'first'/);
    const a = keras.input({ shape: [3], name: "a" });
    const functional = keras.model({ inputs: a, outputs: keras.layers.dense({ units: 1 }).apply(a) as keras.KerasTensor });
    const rank3 = tf.ones([2, 3, 1]);
    await rejectsCleanly(functional, () => functional.predict(rank3), keras.InputShapeError, /input 0 \('a'\) expects shape \(None, 3\)/);
  });

  it("labels of the wrong shape or kind name the loss; x/y lengths must match", async () => {
    const model = await warmed(mlp(), "categoricalCrossentropy", tf.zeros([4, 3]));
    const x = tf.ones([4, 6]);
    const [flat, narrow, long, short] = [tf.zeros([4]), tf.zeros([4, 2]), tf.zeros([5, 3]), tf.zeros([3, 3])];
    await rejectsCleanly(
      model,
      () => model.fit(x, flat, { verbose: 0 }),
      keras.TargetError,
      /categoricalCrossentropy.*sparseCategoricalCrossentropy/,
    );
    await rejectsCleanly(
      model,
      () => model.trainOnBatch(x, narrow),
      keras.TargetError,
      /labels have shape \[4,2\] but predictions have shape \[4,3\]/,
    );
    await rejectsCleanly(model, () => model.fit(x, long, { verbose: 0 }), keras.TargetError, /x\[0\] has 4 samples but y\[0\] has 5/);
    await rejectsCleanly(model, () => model.evaluate(x, short), keras.TargetError, /same number of samples/);
  });

  it("unknown names are ConfigErrors listing the valid ones", () => {
    expect(() => keras.layers.dense({ units: 2, activation: "relu7" as never })).toThrow(
      /Unknown activation 'relu7'; valid activations are linear, relu/,
    );
    const model = mlp();
    expect(() => model.compile({ optimizer: "adamw2", loss: "mse" })).toThrow(keras.ConfigError);
    expect(() => model.compile({ optimizer: "adam", loss: "mean_squared_errors" })).toThrow(/Unknown loss 'mean_squared_errors'/);
    expect(() => model.compile({ optimizer: "adam", loss: "mse", metrics: ["acuracy"] })).toThrow(/Unknown metric 'acuracy'/);
    expect(() => keras.layers.dense({ units: 0 })).toThrow(/Dense '.*': 'units' must be a positive integer/);
    expect(() => keras.layers.conv2d({ filters: 2, kernelSize: 3, dataFormat: "channelsFirst" })).toThrow(/channelsLast/);
  });

  it("training before compile and misuse of setWeights are typed errors", async () => {
    const model = mlp();
    const [x, y] = [tf.ones([2, 6]), tf.zeros([2])];
    await rejectsCleanly(model, () => model.fit(x, y, { verbose: 0 }), keras.ModelStateError, /must be compiled/);
    const first = model.getLayer("first");
    const good = first.getWeights();
    const wrongBias = tf.zeros([5]);
    await rejectsCleanly(
      model,
      () => first.setWeights([good[0]!, wrongBias]),
      keras.InputShapeError,
      /weight 'first\/bias' has shape \[4\], but the value given has shape \[5\]/,
    );
    await rejectsCleanly(model, () => first.setWeights([good[0]!]), keras.InputShapeError, /expects 2 tensors, received 1/);
  });

  it("a NaN loss stops training with TerminateOnNaN", async () => {
    const model = keras.sequential({ layers: [keras.layers.dense({ units: 1, inputShape: [2] })] });
    model.compile({ optimizer: keras.optimizers.sgd(1e30), loss: "meanSquaredError" });
    const stop = keras.callbacks.terminateOnNaN();
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (m: string) => warnings.push(m);
    try {
      await model.fit(tf.fill([64, 2], 1e3), tf.ones([64, 1]), { epochs: 5, batchSize: 8, verbose: 0, callbacks: [stop] });
    } finally {
      console.warn = warn;
    }
    expect(stop.stoppedAtBatch).toBeDefined();
    expect(warnings[0]).toMatch(/Batch \d+: invalid loss (NaN|Infinity), terminating training/);
    expect(model.history!.epoch).toHaveLength(1);
  });
});
