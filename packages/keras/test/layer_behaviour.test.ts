/**
 * Behaviour of the part-2 layers beyond matching tfjs: `normalization.adapt`, the noise
 * layers in training, unknown lengths while tracing, and bad options or inputs as typed
 * errors that name the layer and leave it unchanged.
 */
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import * as keras from "../src/index.js";
import { maxAbsDiff, useCpu } from "./setup.js";

useCpu();

const L = keras.layers;

describe("normalization", () => {
  it("adapt learns each feature's mean and variance, over batches as over their concatenation", () => {
    const data = tf.tensor([
      [1, 10],
      [3, 30],
      [5, 20],
      [7, 40],
    ]);
    const whole = L.normalization();
    whole.adapt(data);
    expect(Array.from(whole.mean!.read().dataSync())).toEqual([4, 25]);
    expect(Array.from(whole.variance!.read().dataSync())).toEqual([5, 125]);
    const batched = L.normalization();
    batched.adapt([tf.slice(data, [0, 0], [1, 2]), tf.slice(data, [1, 0], [3, 2])]);
    expect(maxAbsDiff(batched.apply(data) as tf.Tensor, whole.apply(data) as tf.Tensor)).toBeLessThan(1e-6);
    const out = whole.apply(data) as tf.Tensor;
    expect(Array.from(tf.mean(out, 0).dataSync()).map((v) => Math.abs(v) < 1e-6)).toEqual([true, true]);
    const inverse = L.normalization({ invert: true });
    inverse.adapt(data);
    expect(maxAbsDiff(inverse.apply(out) as tf.Tensor, data)).toBeLessThan(1e-5);
  });

  it("statistics over the last axis of sequences, or over everything with axis null", () => {
    const seq = tf.randomNormal([4, 5, 3], 2, 3, "float32", 1);
    const perFeature = L.normalization({ axis: -1 });
    perFeature.adapt(seq);
    expect(perFeature.mean!.shape).toEqual([1, 3]);
    const global = L.normalization({ axis: null });
    global.adapt(seq);
    expect(global.mean!.shape).toEqual([1, 1]);
    expect(Math.abs(((global.apply(seq) as tf.Tensor).dataSync() as Float32Array).reduce((a, b) => a + b, 0))).toBeLessThan(1e-2);
  });

  it("bad options and data are ConfigErrors naming the layer", () => {
    expect(() => L.normalization({ mean: 1 })).toThrow(/Normalization .*both 'mean' and 'variance'/);
    expect(() => L.normalization({ mean: 1, variance: 1 }).adapt(tf.ones([2, 2]))).toThrow(keras.ConfigError);
    expect(() => L.normalization().adapt([])).toThrow(keras.ConfigError);
    expect(() => L.normalization({ axis: 0 }).apply(tf.ones([2, 2]))).toThrow(keras.InputShapeError);
  });
});

describe("noise layers in training", () => {
  const x = tf.ones([200, 50]);
  const stats = (t: tf.Tensor) => {
    const v = Array.from(t.dataSync());
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
  };

  it("gaussianNoise adds stddev noise; gaussianDropout multiplies by mean-1 noise", () => {
    const noisy = stats(L.gaussianNoise({ stddev: 0.5 }).apply(x, { training: true }) as tf.Tensor);
    expect(noisy.mean).toBeCloseTo(1, 1);
    expect(noisy.std).toBeCloseTo(0.5, 1);
    const dropped = stats(L.gaussianDropout({ rate: 0.2 }).apply(x, { training: true }) as tf.Tensor);
    expect(dropped.mean).toBeCloseTo(1, 1);
    expect(dropped.std).toBeCloseTo(Math.sqrt(0.2 / 0.8), 1);
  });

  it("alphaDropout keeps SELU's zero mean and unit variance", () => {
    const selu = tf.selu(tf.randomNormal([300, 100], 0, 1, "float32", 3));
    const out = stats(L.alphaDropout({ rate: 0.3 }).apply(selu, { training: true }) as tf.Tensor);
    expect(Math.abs(out.mean)).toBeLessThan(0.05);
    expect(out.std).toBeCloseTo(1, 1);
  });

  it("spatial dropout drops whole channels", () => {
    const out = L.spatialDropout1d({ rate: 0.5 }).apply(tf.ones([4, 6, 8]), { training: true }) as tf.Tensor;
    const values = out.arraySync() as number[][][];
    for (const sample of values) for (let c = 0; c < 8; c++) expect(new Set(sample.map((step) => step[c])).size).toBe(1);
    const images = L.spatialDropout2d({ rate: 0.5 }).apply(tf.ones([2, 3, 3, 4]), { training: true }) as tf.Tensor;
    const kept = Array.from(images.dataSync());
    expect(kept.every((v) => v === 0 || v === 2)).toBe(true);
  });
});

describe("unknown lengths while tracing", () => {
  it("1-D cropping, padding, upsampling and dense layers run on sequences of any length", () => {
    const model = keras.sequential({
      layers: [
        L.zeroPadding1d({ padding: [1, 2], inputShape: [null, 3] }),
        L.cropping1d({ cropping: [2, 1] }),
        L.upSampling1d({ size: 2 }),
        L.dense({ units: 2 }),
      ],
    });
    for (const t of [4, 7]) {
      const x = tf.randomNormal([2, t, 3], 0, 1, "float32", t);
      const traced = model.predict(x) as tf.Tensor;
      expect(traced.shape).toEqual([2, 2 * t, 2]);
      expect(maxAbsDiff(traced, model.apply(x) as tf.Tensor)).toBeLessThan(1e-6);
    }
  });
});

describe("bad options and inputs are typed errors naming the layer", () => {
  it("options", () => {
    expect(() => L.leakyReLU({ alpha: Number.NaN })).toThrow(/LeakyReLU .*alpha/);
    expect(() => L.prelu({ sharedAxes: 0 })).toThrow(/PReLU .*sharedAxes/);
    expect(() => L.cropping2d({ cropping: [1, 2, 3] as never })).toThrow(/Cropping2D/);
    expect(() => L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, outputPadding: 2 })).toThrow(
      /outputPadding 2 must be in \[0, stride 2\)/,
    );
    expect(() => L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 0 })).toThrow(keras.ConfigError);
    expect(() => L.gaussianDropout({ rate: 1 })).toThrow(/GaussianDropout .*rate/);
    expect(() => L.multiHeadAttention({ numHeads: 2, keyDim: 2, attentionAxes: [1, 2] })).toThrow(/attentionAxes/);
    expect(() => L.bidirectional({ layer: L.dense({ units: 2 }) as never })).toThrow(/Bidirectional .*recurrent layer/);
    expect(() => L.lstm({ units: 0 })).toThrow(/LSTMCell .*units/);
    expect(() => L.rnn({ cell: undefined as never })).toThrow(/RNN .*cell/);
  });

  it("inputs: a failed call changes no weight and leaks no tensor", () => {
    const layer = L.lstm({ units: 2 });
    layer.apply(tf.ones([1, 3, 4]));
    const before = layer.getWeights();
    const [wide, flat, x, h] = [tf.ones([1, 3, 5]), tf.ones([3, 4]), tf.ones([1, 3, 4]), tf.ones([1, 2])];
    const live = tf.memory().numTensors;
    expect(() => layer.apply(wide)).toThrow(/Input 0 of layer 'lstm.*' is incompatible.*axis -1 to have size 4/);
    expect(() => layer.apply(flat)).toThrow(keras.InputShapeError);
    expect(() => layer.apply(x, { initialState: [h] })).toThrow(/has 2 state\(s\) but received 1/);
    expect(tf.memory().numTensors).toBe(live);
    layer.getWeights().forEach((w, i) => expect(maxAbsDiff(w, before[i]!)).toBe(0));
    expect(() => L.cropping1d({ cropping: [2, 2] }).apply(tf.ones([1, 4, 2]))).toThrow(/Cropping1D .*leaves nothing/);
    expect(() => L.conv2dTranspose({ filters: 1, kernelSize: 2 }).apply(tf.ones([1, 3, 3]))).toThrow(keras.InputShapeError);
  });
});
