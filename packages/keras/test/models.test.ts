/**
 * Models: Sequential, functional (shared layers, several inputs and outputs, nesting) and
 * subclassed models (Keras 3 style), summary printed like Keras, weights, configs, freezing,
 * and the seed's custom training loop.
 */
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import * as keras from "../src/index.js";
import { maxAbsDiff, toyClassification, useCpu } from "./setup.js";

useCpu();

function lines(model: keras.Model): string[] {
  const out: string[] = [];
  model.summary(undefined, undefined, (l) => out.push(l));
  return out;
}

describe("summary", () => {
  it("prints a Sequential model like Keras", () => {
    const model = keras.sequential({
      name: "mlp",
      layers: [
        keras.layers.dense({ units: 64, activation: "relu", inputShape: [784], name: "hidden" }),
        keras.layers.dropout({ rate: 0.2, name: "drop" }),
        keras.layers.dense({ units: 10, name: "logits" }),
      ],
    });
    expect(lines(model).join("\n")).toMatchInlineSnapshot(`
      "Model: "mlp"
      _________________________________________________________________
       Layer (type)                Output Shape              Param #
      =================================================================
       hidden (Dense)              (None, 64)                50240
      _________________________________________________________________
       drop (Dropout)              (None, 64)                0
      _________________________________________________________________
       logits (Dense)              (None, 10)                650
      =================================================================
      Total params: 50,890
      Trainable params: 50,890
      Non-trainable params: 0
      _________________________________________________________________"
    `);
  });

  it("shows connections for functional models with branches and counts non-trainable weights", () => {
    const a = keras.input({ shape: [4], name: "a" });
    const b = keras.input({ shape: [4], name: "b" });
    const shared = keras.layers.dense({ units: 2, name: "shared" });
    const sum = keras.layers.add({ name: "sum" }).apply([shared.apply(a), shared.apply(b)] as keras.KerasTensor[]) as keras.KerasTensor;
    const out = keras.layers.batchNormalization({ name: "bn" }).apply(sum) as keras.KerasTensor;
    const text = lines(keras.model({ inputs: [a, b], outputs: out, name: "branchy" }));
    expect(text[2]).toMatch(/Layer \(type\)\s+Output Shape\s+Param #\s+Connected to/);
    expect(text.find((l) => l.startsWith(" sum (Add)"))).toMatch(/\(None, 2\)\s+0\s+shared\[0\]\[0\]/);
    expect(text).toContainEqual(expect.stringMatching(/^\s{60,}shared\[1\]\[0\]$/));
    // Dense 4x2 + 2; BatchNormalization: gamma and beta trainable, moving mean and variance not.
    expect(text.slice(-4, -1)).toEqual(["Total params: 18", "Trainable params: 14", "Non-trainable params: 4"]);
  });
});

describe("functional API", () => {
  it("shared layers share weights; nested models act as layers", async () => {
    const inner = keras.sequential({ layers: [keras.layers.dense({ units: 3, inputShape: [5], activation: "tanh" })], name: "inner" });
    const a = keras.input({ shape: [5] });
    const b = keras.input({ shape: [5] });
    const out = keras.layers.subtract().apply([inner.apply(a), inner.apply(b)] as keras.KerasTensor[]) as keras.KerasTensor;
    const siamese = keras.model({ inputs: [a, b], outputs: out });
    expect(siamese.trainableWeights).toHaveLength(2);
    const x = tf.randomNormal([2, 5], 0, 1, "float32", 1);
    // Same input on both branches: the shared weights give exactly zero.
    expect(maxAbsDiff(siamese.predict([x, x]) as tf.Tensor, tf.zeros([2, 3]))).toBe(0);
    expect(siamese.layers.map((l) => l.getClassName())).toEqual(["InputLayer", "InputLayer", "Sequential", "Subtract"]);
  });

  it("getConfig/fromConfig rebuild an equivalent model; getWeights/setWeights copy it", () => {
    const x = keras.input({ shape: [3], name: "x" });
    const h = keras.layers.dense({ units: 4, activation: "relu", name: "h" }).apply(x) as keras.KerasTensor;
    const y = keras.layers.concatenate({ name: "cat" }).apply([h, x]) as keras.KerasTensor;
    const model = keras.model({ inputs: x, outputs: y, name: "cfg" });
    const copy = keras.Functional.fromConfig(model.getConfig());
    expect(copy.getConfig()).toEqual(model.getConfig());
    copy.setWeights(model.getWeights());
    const input = tf.randomNormal([2, 3], 0, 1, "float32", 4);
    expect(maxAbsDiff(copy.predict(input) as tf.Tensor, model.predict(input) as tf.Tensor)).toBe(0);
  });

  it("rejects outputs that depend on inputs the model was not given", () => {
    const a = keras.input({ shape: [2] });
    const b = keras.input({ shape: [2] });
    const out = keras.layers.add().apply([a, b]) as keras.KerasTensor;
    expect(() => keras.model({ inputs: a, outputs: out })).toThrow(keras.ConfigError);
  });
});

class TwoLayer extends keras.Model {
  static override className = "TwoLayer";
  hidden = keras.layers.dense({ units: 8, activation: "relu" });
  drop = keras.layers.dropout({ rate: 0.5 });
  out = keras.layers.dense({ units: 2 });
  seenTraining: boolean[] = [];
  override call(x: tf.Tensor | tf.Tensor[], options: keras.CallOptions = {}): tf.Tensor {
    this.seenTraining.push(options.training === true);
    return this.out.apply(this.drop.apply(this.hidden.apply(x as tf.Tensor), options)) as tf.Tensor;
  }
}

describe("subclassed models (Keras 3 style)", () => {
  it("track their layers, build on first call and train with fit", async () => {
    const model = new TwoLayer();
    expect(model.layers).toHaveLength(3);
    const { x, y } = toyClassification(64, 5, 2, 3);
    model.compile({
      optimizer: keras.optimizers.adam(0.02),
      loss: keras.losses.sparseCategoricalCrossentropy({ fromLogits: true }),
      metrics: ["accuracy"],
    });
    const history = await model.fit(x, y, { epochs: 4, batchSize: 16, verbose: 0 });
    expect(model.trainableWeights).toHaveLength(4);
    expect(history.history.loss![3]!).toBeLessThan(history.history.loss![0]!);
    model.seenTraining = [];
    model.predict(x);
    expect(model.seenTraining).toEqual([false]);
  });

  it("freezing a layer removes its weights from training (after recompiling)", async () => {
    const model = keras.sequential({
      layers: [keras.layers.dense({ units: 3, inputShape: [2], name: "frozen" }), keras.layers.dense({ units: 1 })],
    });
    const frozen = model.getLayer("frozen");
    frozen.trainable = false;
    model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    const before = frozen.getWeights();
    await model.fit(tf.ones([4, 2]), tf.ones([4, 1]), { epochs: 2, verbose: 0 });
    frozen.getWeights().forEach((w, i) => expect(maxAbsDiff(w, before[i]!)).toBe(0));
    expect(model.trainableWeights).toHaveLength(2);
    expect(model.nonTrainableWeights).toHaveLength(2);
  });
});

describe("batch-level API (tfjs names)", () => {
  it("trainOnBatch, testOnBatch and predictOnBatch agree with fit, evaluate and predict", async () => {
    const model = keras.sequential({ layers: [keras.layers.dense({ units: 2, inputShape: [3], activation: "softmax" })] });
    model.compile({ optimizer: keras.optimizers.sgd(0.1), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
    const x = tf.randomNormal([6, 3], 0, 1, "float32", 9);
    const y = tf.tensor([0, 1, 1, 0, 1, 0], [6], "int32");
    const [lossBefore] = model.testOnBatch(x, y) as tf.Tensor[];
    const [evalLoss] = model.evaluate(x, y) as tf.Tensor[];
    expect(lossBefore!.dataSync()[0]).toBeCloseTo(evalLoss!.dataSync()[0]!, 6);
    const trained = (await model.trainOnBatch(x, y)) as number[];
    expect(trained).toHaveLength(2);
    expect(trained[0]).toBeCloseTo(lossBefore!.dataSync()[0]!, 5);
    const [lossAfter] = model.testOnBatch(x, y) as tf.Tensor[];
    expect(lossAfter!.dataSync()[0]!).toBeLessThan(lossBefore!.dataSync()[0]!);
    expect(maxAbsDiff(model.predictOnBatch(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBe(0);
  });
});

describe("the seed's custom training loop", () => {
  it("tape.gradient, clipping, applyGradients, then constraints, with training: true", () => {
    const model = keras.sequential({
      layers: [
        keras.layers.dense({
          units: 6,
          activation: "relu",
          inputShape: [4],
          kernelConstraint: keras.constraints.maxNorm({ maxValue: 0.5, axis: 0 }),
        }),
        keras.layers.batchNormalization(),
        keras.layers.dropout({ rate: 0.25 }),
        keras.layers.dense({ units: 1, kernelConstraint: keras.constraints.nonNeg() }),
      ],
    });
    const optimizer = keras.optimizers.sgd({ learningRate: 0.5, clipnorm: 1 });
    const lossFn = keras.losses.meanSquaredError();
    const x = tf.randomNormal([16, 4], 0, 1, "float32", 1);
    const y = tf.randomNormal([16, 1], 0, 1, "float32", 2);
    const step = tf.function((xb: tf.Tensor, yb: tf.Tensor) => {
      const tape = new tf.GradientTape();
      const loss = tape.record(() => lossFn.apply(yb, model.apply(xb, { training: true }) as tf.Tensor));
      const grads = tape.gradient(loss, model.trainableWeights);
      optimizer.applyGradients(model.trainableWeights.map((v, i) => [grads[i]!, v] as const));
      return loss;
    });
    const movingMean = (model.layers[1] as keras.layers.BatchNormalization).movingMean!;
    for (let i = 0; i < 5; i++) step(x, y).dispose();
    expect(step.tracingCount).toBe(1);
    // Constraints hold after every update: column norms <= 0.5, output kernel >= 0.
    const kernel = (model.layers[0] as keras.layers.Dense).kernel!.read();
    for (const norm of tf.sqrt(tf.sum(tf.square(kernel), 0)).dataSync()) expect(norm).toBeLessThanOrEqual(0.5 + 1e-5);
    for (const w of (model.layers[3] as keras.layers.Dense).kernel!.read().dataSync()) expect(w).toBeGreaterThanOrEqual(0);
    // training: true reached BatchNormalization: its moving mean moved.
    expect(Math.max(...movingMean.read().dataSync().map(Math.abs))).toBeGreaterThan(0);
  });
});

describe("custom layers in the functional API", () => {
  it("output shapes and dtypes come from tracing call with the inputs' dtypes when computeOutputShape is not given", () => {
    class PairwiseSum extends keras.layers.Layer {
      static override className = "PairwiseSum";
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
        const [a, b] = inputs as tf.Tensor[];
        return [tf.add(a!, b!), tf.cast(tf.greater(a!, b!), "int32")];
      }
    }
    const a = keras.input({ shape: [3], dtype: "int32" });
    const b = keras.input({ shape: [3], dtype: "int32" });
    const [sum, greater] = new PairwiseSum().apply([a, b]) as keras.KerasTensor[];
    expect(sum!.shape).toEqual([null, 3]);
    expect(sum!.dtype).toBe("int32");
    expect(greater!.dtype).toBe("int32");
    const model = keras.model({ inputs: [a, b], outputs: [sum!, greater!] });
    const [s, g] = model.predict([tf.tensor([[1, 5, 2]], [1, 3], "int32"), tf.tensor([[3, 1, 2]], [1, 3], "int32")]) as tf.Tensor[];
    expect([...s!.dataSync()]).toEqual([4, 6, 4]);
    expect([...g!.dataSync()]).toEqual([0, 1, 0]);
  });
});
