/**
 * Losses and metrics: per-sample values against tfjs-layers 4.22 (`tfl.metrics.*`, which
 * hold tfjs's Keras loss functions) and Keras 3 formulas, reductions and sample weights,
 * label checks with typed errors, and stateful metrics accumulating across batches.
 */
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import * as keras from "../src/index.js";
import { maxAbsDiff, useCpu } from "./setup.js";
import { fromTfjs, type tfc, tfl, toTfjs } from "./tfjs.js";

useCpu();

const yTrue = tf.tensor([
  [0, 1, 0],
  [1, 0, 0],
  [0, 0, 1],
  [0, 1, 0],
]);
const probs = tf.tensor([
  [0.1, 0.7, 0.2],
  [0.5, 0.3, 0.2],
  [0.2, 0.2, 0.6],
  [0.6, 0.3, 0.1],
]);
const logits = tf.tensor([
  [1, 2, -1],
  [0.5, 0.1, -0.3],
  [-1, 0, 2],
  [2, 1, 0.5],
]);
const regTrue = tf.tensor([
  [1.5, -2],
  [0.3, 4],
  [-1, 0.2],
]);
const regPred = tf.tensor([
  [1, -1],
  [0.5, 3],
  [2, 0.1],
]);
const positive = tf.tensor([
  [1.5, 2],
  [0.3, 4],
  [1, 0.2],
]);

const K = keras.losses;
const tfjsMetrics = tfl.metrics as unknown as Record<string, (a: tfc.Tensor, b: tfc.Tensor) => tfc.Tensor>;

const perSample: [string, (t: tf.Tensor, p: tf.Tensor) => tf.Tensor, string, tf.Tensor, tf.Tensor][] = [
  ["meanSquaredError", K.meanSquaredError, "meanSquaredError", regTrue, regPred],
  ["meanAbsoluteError", K.meanAbsoluteError, "meanAbsoluteError", regTrue, regPred],
  ["meanAbsolutePercentageError", K.meanAbsolutePercentageError, "meanAbsolutePercentageError", regTrue, regPred],
  ["categoricalCrossentropy", K.categoricalCrossentropy, "categoricalCrossentropy", yTrue, probs],
  ["binaryCrossentropy", K.binaryCrossentropy, "binaryCrossentropy", yTrue, probs],
  [
    "cosineSimilarity (a loss: the negated similarity, like tfjs's cosineProximity)",
    K.cosineSimilarity,
    "cosineProximity",
    regTrue,
    regPred,
  ],
  ["binaryAccuracy", keras.metrics.binaryAccuracy, "binaryAccuracy", yTrue, probs],
  ["categoricalAccuracy", keras.metrics.categoricalAccuracy, "categoricalAccuracy", yTrue, probs],
];

describe("per-sample losses and metrics match tfjs-layers", () => {
  for (const [name, kiln, tfjsName, t, p] of perSample) {
    it(name, () => {
      const expected = fromTfjs(tfjsMetrics[tfjsName]!(toTfjs(t), toTfjs(p)));
      expect(maxAbsDiff(kiln(t, p), expected)).toBeLessThan(1e-5);
    });
  }

  it("sparse forms match their dense forms", () => {
    const labels = tf.tensor([1, 0, 2, 1], [4], "int32");
    expect(maxAbsDiff(K.sparseCategoricalCrossentropy(labels, probs), K.categoricalCrossentropy(yTrue, probs))).toBeLessThan(1e-6);
    expect(
      maxAbsDiff(K.sparseCategoricalCrossentropy(tf.reshape(labels, [4, 1]), probs), K.categoricalCrossentropy(yTrue, probs)),
    ).toBeLessThan(1e-6);
    expect(maxAbsDiff(keras.metrics.sparseCategoricalAccuracy(labels, probs), keras.metrics.categoricalAccuracy(yTrue, probs))).toBe(0);
    expect([...keras.metrics.sparseTopKCategoricalAccuracy(labels, probs).dataSync()]).toEqual([1, 1, 1, 1]);
    expect([...(keras.metrics.topKCategoricalAccuracy({ k: 1 }) as keras.metrics.MeanMetricWrapper).fn(yTrue, probs).dataSync()]).toEqual([
      1, 1, 1, 0,
    ]);
  });
});

describe("Keras 3 formulas", () => {
  it("fromLogits equals applying softmax / sigmoid first", () => {
    expect(
      maxAbsDiff(K.categoricalCrossentropy({ fromLogits: true }).call(yTrue, logits), K.categoricalCrossentropy(yTrue, tf.softmax(logits))),
    ).toBeLessThan(1e-5);
    expect(
      maxAbsDiff(K.binaryCrossentropy({ fromLogits: true }).call(yTrue, logits), K.binaryCrossentropy(yTrue, tf.sigmoid(logits))),
    ).toBeLessThan(1e-5);
    expect(
      maxAbsDiff(
        K.sparseCategoricalCrossentropy({ fromLogits: true }).call(tf.tensor([1, 0, 2, 1]), logits),
        K.categoricalCrossentropy(yTrue, tf.softmax(logits)),
      ),
    ).toBeLessThan(1e-5);
  });

  it("label smoothing moves one-hot labels toward uniform", () => {
    const smoothed = tf.add(tf.mul(yTrue, 0.8), 0.2 / 3);
    expect(
      maxAbsDiff(K.categoricalCrossentropy({ labelSmoothing: 0.2 }).call(yTrue, probs), K.categoricalCrossentropy(smoothed, probs)),
    ).toBeLessThan(1e-6);
    const binarySmoothed = tf.add(tf.mul(yTrue, 0.8), 0.1);
    expect(
      maxAbsDiff(K.binaryCrossentropy({ labelSmoothing: 0.2 }).call(yTrue, probs), K.binaryCrossentropy(binarySmoothed, probs)),
    ).toBeLessThan(1e-6);
  });

  it("huber, logCosh, poisson, hinge and friends", () => {
    const close = (t: tf.Tensor, values: number[]) => [...t.dataSync()].forEach((v, i) => expect(v).toBeCloseTo(values[i]!, 5));
    // Errors: [-0.5, 1], [0.2, -1], [3, -0.1].
    close(K.huber(regTrue, regPred), [(0.125 + 0.5) / 2, (0.02 + 0.5) / 2, (2.5 + 0.005) / 2]);
    close(K.logCosh(tf.tensor([[0]]), tf.tensor([[1]])), [Math.log(Math.cosh(1))]);
    close(
      K.poisson(
        positive,
        tf.tensor([
          [1, 1],
          [1, 1],
          [1, 1],
        ]),
      ),
      [1, 1, 1],
    );
    close(K.hinge(tf.tensor([[1, 0]]), tf.tensor([[0.3, 0.4]])), [(0.7 + 1.4) / 2]);
    close(K.squaredHinge(tf.tensor([[1, 0]]), tf.tensor([[0.3, 0.4]])), [(0.49 + 1.96) / 2]);
    close(K.categoricalHinge(tf.tensor([[0, 1]]), tf.tensor([[0.3, 0.4]])), [0.9]);
    // KLD with one-hot labels is -log(p[true class]).
    close(K.kld(yTrue, probs), [-Math.log(0.7), -Math.log(0.5), -Math.log(0.6), -Math.log(0.3)]);
    close(K.meanSquaredLogarithmicError(tf.tensor([[Math.E - 1]]), tf.tensor([[0]])), [1]);
  });

  it("reductions: sumOverBatchSize (default), sum, none; sample weights", () => {
    const values = K.meanSquaredError(regTrue, regPred);
    const v = [...values.dataSync()];
    const mean = (v[0]! + v[1]! + v[2]!) / 3;
    expect(K.meanSquaredError().apply(regTrue, regPred).dataSync()[0]).toBeCloseTo(mean, 5);
    expect(K.meanSquaredError({ reduction: "sum" }).apply(regTrue, regPred).dataSync()[0]).toBeCloseTo(v[0]! + v[1]! + v[2]!, 5);
    expect(K.meanSquaredError({ reduction: "none" }).apply(regTrue, regPred).shape).toEqual([3]);
    const weighted = K.meanSquaredError().apply(regTrue, regPred, tf.tensor([1, 0, 2]));
    expect(weighted.dataSync()[0]).toBeCloseTo((v[0]! + 2 * v[2]!) / 3, 5);
    expect(() => K.meanSquaredError({ reduction: "avg" as never })).toThrow(keras.ConfigError);
  });

  it("wrong label shapes are TargetErrors naming the loss and suggesting the fix", () => {
    expect(() => K.categoricalCrossentropy(tf.tensor([1, 0, 2, 1]), probs)).toThrow(keras.TargetError);
    expect(() => K.categoricalCrossentropy(tf.tensor([1, 0, 2, 1]), probs)).toThrow(/use sparseCategoricalCrossentropy/);
    expect(() => K.sparseCategoricalCrossentropy(yTrue, probs)).toThrow(/for one-hot labels use categoricalCrossentropy/);
    expect(() => K.meanSquaredError(tf.ones([3, 1]), tf.ones([3, 2]))).toThrow(
      /meanSquaredError: labels have shape \[3,1\] but predictions have shape \[3,2\]/,
    );
  });

  it("losses resolve by camelCase or snake_case name and serialize", () => {
    expect(K.get("categorical_crossentropy").getClassName()).toBe("CategoricalCrossentropy");
    expect(K.get("mse").name).toBe("mean_squared_error");
    const loss = K.get({ className: "Huber", config: { delta: 2, reduction: "sum", name: "h" } });
    expect(loss.getConfig()).toEqual({ delta: 2, reduction: "sum", name: "h" });
    expect(() => K.get("crossentropy")).toThrow(/Unknown loss 'crossentropy'/);
    const custom = K.get(function myLoss(t: tf.Tensor, p: tf.Tensor) {
      return tf.abs(tf.sub(t, p));
    });
    expect(custom.name).toBe("myLoss");
  });
});

describe("stateful metrics", () => {
  it("accumulate across batches and reset", () => {
    const acc = keras.metrics.categoricalAccuracy();
    acc.updateState(tf.slice(yTrue, [0, 0], [2, 3]), tf.slice(probs, [0, 0], [2, 3]));
    acc.updateState(tf.slice(yTrue, [2, 0], [2, 3]), tf.slice(probs, [2, 0], [2, 3]));
    expect(acc.result().dataSync()[0]).toBeCloseTo(0.75, 6);
    acc.resetState();
    expect(acc.result().dataSync()[0]).toBe(0);
    const mean = keras.metrics.mean();
    mean.updateState(tf.tensor([1, 2, 3]));
    mean.updateState(tf.tensor([10]), undefined, tf.tensor([2]));
    expect(mean.result().dataSync()[0]).toBeCloseTo((1 + 2 + 3 + 20) / 5, 6);
    const rmse = keras.metrics.rootMeanSquaredError();
    rmse.updateState(tf.tensor([[0], [0]]), tf.tensor([[3], [4]]));
    expect(rmse.result().dataSync()[0]).toBeCloseTo(Math.sqrt(12.5), 5);
  });

  it("precision, recall and AUC (ROC and PR)", () => {
    const labels = tf.tensor([[1], [0], [1], [1], [0], [0]]);
    const scores = tf.tensor([[0.9], [0.8], [0.7], [0.3], [0.2], [0.1]]);
    const p = keras.metrics.precision();
    const r = keras.metrics.recall();
    p.updateState(labels, scores);
    r.updateState(labels, scores);
    expect(p.result().dataSync()[0]).toBeCloseTo(2 / 3, 6);
    expect(r.result().dataSync()[0]).toBeCloseTo(2 / 3, 6);
    // ROC AUC of these scores: 7 of the 9 positive/negative pairs are ordered correctly.
    const roc = keras.metrics.auc({ numThresholds: 1000 });
    roc.updateState(labels, scores);
    expect(roc.result().dataSync()[0]).toBeCloseTo(7 / 9, 2);
    const pr = keras.metrics.auc({ numThresholds: 1000, curve: "PR" });
    pr.updateState(labels, scores);
    const prValue = pr.result().dataSync()[0]!;
    expect(prValue).toBeGreaterThan(0.6);
    expect(prValue).toBeLessThan(0.9);
    expect(() => p.updateState(tf.ones([2, 1]), tf.ones([2, 3]))).toThrow(keras.TargetError);
  });

  it("update inside a tf.function accumulates on every call", () => {
    const acc = keras.metrics.binaryAccuracy();
    const step = tf.function((t: tf.Tensor, pr: tf.Tensor) => acc.updateState(t, pr));
    step(tf.tensor([[1], [0]]), tf.tensor([[0.9], [0.2]]));
    step(tf.tensor([[1], [0]]), tf.tensor([[0.1], [0.2]]));
    expect(step.tracingCount).toBe(1);
    expect(acc.result().dataSync()[0]).toBeCloseTo(0.75, 6);
  });
});
