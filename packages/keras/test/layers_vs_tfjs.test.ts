/**
 * Each layer's forward output against tfjs-layers 4.22 with identical weights (SPEC M1, M3:
 * same names, same options, same numbers), and its gradients (input and weights) against
 * central finite differences.
 */
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import * as keras from "../src/index.js";
import { maxAbsDiff, useCpu } from "./setup.js";
import { fromTfjs, tfc, tfl, toTfjs } from "./tfjs.js";

useCpu();

type Factory = (args: any) => any;
interface Case {
  name: string;
  shapes: number[][];
  kiln: Factory;
  tfjs: Factory;
  args: Record<string, unknown>;
  intInput?: number;
  training?: boolean;
  /** Skip the finite-difference check (piecewise outputs, integer inputs). */
  noGrad?: boolean;
}

/** A stand-in for a layer tfjs lacks: a weightless function of the inputs, or a tfjs layer on transformed inputs. */
function tfjsFunction(fn: (inputs: tfc.Tensor[]) => tfc.Tensor) {
  return () => ({
    build() {},
    setWeights() {},
    getWeights: () => [],
    apply: (xs: tfc.Tensor | tfc.Tensor[]) => fn(Array.isArray(xs) ? xs : [xs]),
  });
}

/** tfjs's conv1d has no causal padding: pad the start by hand and convolve with "valid" padding. */
function tfjsCausalConv1d(args: { kernelSize: number; dilationRate: number; filters: number }) {
  const inner = tfl.layers.conv1d({ ...args, padding: "valid" });
  const padded = (x: tfc.Tensor) =>
    tfc.pad(x, [
      [0, 0],
      [args.dilationRate * (args.kernelSize - 1), 0],
      [0, 0],
    ]);
  return {
    build: (shape: number[]) => inner.build([shape[0]!, shape[1]! + args.dilationRate * (args.kernelSize - 1), shape[2]!]),
    setWeights: (w: tfc.Tensor[]) => inner.setWeights(w),
    getWeights: () => inner.getWeights(),
    apply: (x: tfc.Tensor) => inner.apply(padded(x)),
  };
}

/** tfjs has no conv1dTranspose: its conv2dTranspose on a height-1 image with the same kernel. */
function tfjsConv1dTranspose(args: { filters: number; kernelSize: number; strides: number }) {
  const inner = tfl.layers.conv2dTranspose({ filters: args.filters, kernelSize: [1, args.kernelSize], strides: [1, args.strides] });
  return {
    build: (shape: number[]) => inner.build([shape[0]!, 1, shape[1]!, shape[2]!]),
    setWeights: ([kernel, bias]: tfc.Tensor[]) => inner.setWeights([tfc.expandDims(kernel!, 0), bias!]),
    getWeights: () => {
      const [kernel, bias] = inner.getWeights();
      return [tfc.squeeze(kernel!, [0]), bias!];
    },
    apply: (x: tfc.Tensor) => tfc.squeeze(inner.apply(tfc.expandDims(x, 1)) as tfc.Tensor, [1]),
  };
}

const L = keras.layers;
const T = tfl.layers;
const activations = [
  "relu",
  "relu6",
  "elu",
  "selu",
  "gelu",
  "sigmoid",
  "tanh",
  "softmax",
  "softplus",
  "softsign",
  "swish",
  "linear",
  "hardSigmoid",
  "mish",
];

const cases: Case[] = [
  { name: "dense relu", shapes: [[4, 5]], kiln: L.dense, tfjs: T.dense, args: { units: 3, activation: "relu" } },
  { name: "dense on rank 3", shapes: [[2, 3, 5]], kiln: L.dense, tfjs: T.dense, args: { units: 4, useBias: false } },
  ...activations.map((a) => ({
    name: `activation ${a}`,
    shapes: [[3, 6]],
    kiln: L.activation,
    tfjs: T.activation,
    args: { activation: a },
  })),
  { name: "flatten", shapes: [[2, 3, 4]], kiln: L.flatten, tfjs: T.flatten, args: {} },
  { name: "reshape with -1", shapes: [[2, 12]], kiln: L.reshape, tfjs: T.reshape, args: { targetShape: [3, -1] } },
  { name: "permute", shapes: [[2, 3, 4]], kiln: L.permute, tfjs: T.permute, args: { dims: [2, 1] } },
  { name: "repeatVector", shapes: [[2, 5]], kiln: L.repeatVector, tfjs: T.repeatVector, args: { n: 3 } },
  { name: "dropout (inference)", shapes: [[3, 4]], kiln: L.dropout, tfjs: T.dropout, args: { rate: 0.5 } },
  {
    name: "conv1d same",
    shapes: [[2, 7, 3]],
    kiln: L.conv1d,
    tfjs: T.conv1d,
    args: { filters: 2, kernelSize: 3, padding: "same", activation: "tanh" },
  },
  {
    name: "conv1d causal dilated",
    shapes: [[2, 8, 2]],
    kiln: L.conv1d,
    tfjs: tfjsCausalConv1d,
    args: { filters: 3, kernelSize: 2, padding: "causal", dilationRate: 2 },
  },
  { name: "conv1d strided valid", shapes: [[1, 9, 2]], kiln: L.conv1d, tfjs: T.conv1d, args: { filters: 2, kernelSize: 3, strides: 2 } },
  {
    name: "conv2d same strided",
    shapes: [[2, 6, 5, 2]],
    kiln: L.conv2d,
    tfjs: T.conv2d,
    args: { filters: 3, kernelSize: [2, 3], strides: [2, 1], padding: "same" },
  },
  {
    name: "conv2d dilated",
    shapes: [[1, 7, 7, 1]],
    kiln: L.conv2d,
    tfjs: T.conv2d,
    args: { filters: 2, kernelSize: 3, dilationRate: 2, activation: "relu" },
  },
  { name: "maxPooling1d", shapes: [[2, 7, 3]], kiln: L.maxPooling1d, tfjs: T.maxPooling1d, args: { poolSize: 2 }, noGrad: true },
  {
    name: "maxPooling2d same",
    shapes: [[2, 5, 5, 2]],
    kiln: L.maxPooling2d,
    tfjs: T.maxPooling2d,
    args: { poolSize: 2, padding: "same" },
    noGrad: true,
  },
  { name: "averagePooling1d", shapes: [[2, 6, 3]], kiln: L.averagePooling1d, tfjs: T.averagePooling1d, args: { poolSize: 3, strides: 1 } },
  { name: "averagePooling2d", shapes: [[2, 4, 6, 2]], kiln: L.averagePooling2d, tfjs: T.averagePooling2d, args: { poolSize: [2, 3] } },
  { name: "globalAveragePooling1d", shapes: [[2, 5, 3]], kiln: L.globalAveragePooling1d, tfjs: T.globalAveragePooling1d, args: {} },
  { name: "globalAveragePooling2d", shapes: [[2, 3, 4, 3]], kiln: L.globalAveragePooling2d, tfjs: T.globalAveragePooling2d, args: {} },
  { name: "globalMaxPooling1d", shapes: [[2, 5, 3]], kiln: L.globalMaxPooling1d, tfjs: T.globalMaxPooling1d, args: {}, noGrad: true },
  { name: "globalMaxPooling2d", shapes: [[2, 3, 4, 3]], kiln: L.globalMaxPooling2d, tfjs: T.globalMaxPooling2d, args: {}, noGrad: true },
  { name: "batchNormalization (inference)", shapes: [[4, 3]], kiln: L.batchNormalization, tfjs: T.batchNormalization, args: {} },
  {
    name: "batchNormalization (training)",
    shapes: [[6, 2, 3]],
    kiln: L.batchNormalization,
    tfjs: T.batchNormalization,
    args: { momentum: 0.9 },
    training: true,
  },
  { name: "layerNormalization", shapes: [[3, 5]], kiln: L.layerNormalization, tfjs: T.layerNormalization, args: { epsilon: 1e-3 } },
  {
    name: "embedding",
    shapes: [[3, 4]],
    kiln: L.embedding,
    tfjs: T.embedding,
    args: { inputDim: 10, outputDim: 3 },
    intInput: 10,
    noGrad: true,
  },
  {
    name: "concatenate",
    shapes: [
      [2, 3],
      [2, 4],
    ],
    kiln: L.concatenate,
    tfjs: T.concatenate,
    args: {},
  },
  {
    name: "add",
    shapes: [
      [2, 3],
      [2, 3],
      [2, 3],
    ],
    kiln: L.add,
    tfjs: T.add,
    args: {},
  },
  {
    name: "subtract",
    shapes: [
      [2, 3],
      [2, 3],
    ],
    kiln: L.subtract,
    tfjs: tfjsFunction(([a, b]) => tfc.sub(a!, b!)),
    args: {},
  },
  {
    name: "multiply",
    shapes: [
      [2, 3],
      [2, 3],
    ],
    kiln: L.multiply,
    tfjs: T.multiply,
    args: {},
  },
  {
    name: "average",
    shapes: [
      [2, 3],
      [2, 3],
    ],
    kiln: L.average,
    tfjs: T.average,
    args: {},
  },
  {
    name: "maximum",
    shapes: [
      [2, 3],
      [2, 3],
    ],
    kiln: L.maximum,
    tfjs: T.maximum,
    args: {},
    noGrad: true,
  },
  {
    name: "minimum",
    shapes: [
      [2, 3],
      [2, 3],
    ],
    kiln: L.minimum,
    tfjs: T.minimum,
    args: {},
    noGrad: true,
  },
  {
    name: "dot 2-D normalized",
    shapes: [
      [3, 4],
      [3, 4],
    ],
    kiln: L.dot,
    tfjs: T.dot,
    args: { axes: 1, normalize: true },
  },
  {
    name: "dot 3-D",
    shapes: [
      [2, 3, 4],
      [2, 5, 4],
    ],
    kiln: L.dot,
    tfjs: T.dot,
    args: { axes: [2, 2] },
  },
  {
    name: "zeroPadding2d",
    shapes: [[1, 2, 3, 2]],
    kiln: L.zeroPadding2d,
    tfjs: T.zeroPadding2d,
    args: {
      padding: [
        [1, 0],
        [2, 1],
      ],
    },
  },
  { name: "upSampling2d", shapes: [[1, 2, 3, 2]], kiln: L.upSampling2d, tfjs: T.upSampling2d, args: { size: [2, 3] } },
  // Part 2: activation layers, convolution variants, cropping and padding, noise (inference), preprocessing.
  { name: "reLU with maxValue", shapes: [[3, 5]], kiln: L.reLU, tfjs: T.reLU, args: { maxValue: 0.5 }, noGrad: true },
  { name: "leakyReLU", shapes: [[3, 5]], kiln: L.leakyReLU, tfjs: T.leakyReLU, args: { alpha: 0.2 } },
  {
    name: "prelu shared over rows",
    shapes: [[2, 3, 4]],
    kiln: L.prelu,
    tfjs: T.prelu,
    args: { sharedAxes: [1], alphaInitializer: "ones" },
  },
  { name: "elu", shapes: [[3, 5]], kiln: L.elu, tfjs: T.elu, args: {} },
  { name: "thresholdedReLU", shapes: [[3, 5]], kiln: L.thresholdedReLU, tfjs: T.thresholdedReLU, args: { theta: 0.3 }, noGrad: true },
  { name: "softmax over the last axis", shapes: [[2, 3, 4]], kiln: L.softmax, tfjs: T.softmax, args: { axis: -1 } },
  // tfjs's softmax layer takes only the last axis.
  {
    name: "softmax over axis 1",
    shapes: [[2, 3, 4]],
    kiln: L.softmax,
    tfjs: tfjsFunction(([x]) => tfc.exp(tfc.sub(x!, tfc.logSumExp(x!, 1, true)))),
    args: { axis: 1 },
  },
  {
    name: "depthwiseConv2d, multiplier 2, same, strided",
    shapes: [[2, 5, 6, 3]],
    kiln: L.depthwiseConv2d,
    tfjs: T.depthwiseConv2d,
    args: { kernelSize: 3, depthMultiplier: 2, padding: "same", strides: 2, activation: "relu" },
  },
  {
    name: "separableConv2d",
    shapes: [[2, 6, 6, 2]],
    kiln: L.separableConv2d,
    tfjs: T.separableConv2d,
    args: { filters: 3, kernelSize: 3, depthMultiplier: 2 },
  },
  {
    name: "conv2dTranspose valid",
    shapes: [[2, 3, 4, 2]],
    kiln: L.conv2dTranspose,
    tfjs: T.conv2dTranspose,
    args: { filters: 3, kernelSize: 3 },
  },
  {
    name: "conv2dTranspose same, strided",
    shapes: [[2, 3, 3, 2]],
    kiln: L.conv2dTranspose,
    tfjs: T.conv2dTranspose,
    args: { filters: 2, kernelSize: [3, 2], strides: 2, padding: "same", activation: "tanh" },
  },
  {
    name: "conv1dTranspose",
    shapes: [[2, 4, 3]],
    kiln: L.conv1dTranspose,
    tfjs: tfjsConv1dTranspose,
    args: { filters: 2, kernelSize: 3, strides: 2 },
  },
  {
    name: "cropping2d",
    shapes: [[2, 6, 5, 2]],
    kiln: L.cropping2d,
    tfjs: T.cropping2D,
    args: {
      cropping: [
        [1, 2],
        [0, 1],
      ],
    },
  },
  {
    name: "cropping1d",
    shapes: [[2, 6, 3]],
    kiln: L.cropping1d,
    tfjs: tfjsFunction(([x]) => tfc.slice(x!, [0, 2, 0], [-1, 3, -1])),
    args: { cropping: [2, 1] },
  },
  {
    name: "zeroPadding1d",
    shapes: [[2, 3, 2]],
    kiln: L.zeroPadding1d,
    tfjs: tfjsFunction(([x]) =>
      tfc.pad(x!, [
        [0, 0],
        [2, 1],
        [0, 0],
      ]),
    ),
    args: { padding: [2, 1] },
  },
  {
    name: "upSampling1d",
    shapes: [[2, 3, 2]],
    kiln: L.upSampling1d,
    tfjs: tfjsFunction(([x]) => tfc.reshape(tfc.tile(tfc.expandDims(x!, 2), [1, 1, 3, 1]), [2, 9, 2])),
    args: { size: 3 },
  },
  { name: "spatialDropout1d (inference)", shapes: [[2, 3, 4]], kiln: L.spatialDropout1d, tfjs: T.spatialDropout1d, args: { rate: 0.5 } },
  {
    name: "spatialDropout2d (inference)",
    shapes: [[2, 3, 3, 2]],
    kiln: L.spatialDropout2d,
    tfjs: tfjsFunction(([x]) => x!),
    args: { rate: 0.5 },
  },
  { name: "gaussianNoise (inference)", shapes: [[3, 4]], kiln: L.gaussianNoise, tfjs: T.gaussianNoise, args: { stddev: 1 } },
  { name: "gaussianDropout (inference)", shapes: [[3, 4]], kiln: L.gaussianDropout, tfjs: T.gaussianDropout, args: { rate: 0.3 } },
  { name: "alphaDropout (inference)", shapes: [[3, 4]], kiln: L.alphaDropout, tfjs: T.alphaDropout, args: { rate: 0.3 } },
  { name: "rescaling", shapes: [[3, 4]], kiln: L.rescaling, tfjs: T.rescaling, args: { scale: 0.5, offset: -1 } },
  {
    name: "normalization with given statistics",
    shapes: [[3, 2]],
    kiln: L.normalization,
    tfjs: tfjsFunction(([x]) => tfc.div(tfc.sub(x!, tfc.tensor([1, -2])), tfc.sqrt(tfc.tensor([4, 0.25])))),
    args: { mean: [1, -2], variance: [4, 0.25] },
  },
  { name: "masking", shapes: [[2, 3, 2]], kiln: L.masking, tfjs: T.masking, args: { maskValue: 0 } },
];

function inputsFor(c: Case, seed: number): tf.Tensor[] {
  return c.shapes.map((s, i) =>
    c.intInput === undefined ? tf.randomNormal(s, 0, 1, "float32", seed + i) : tf.randomUniform(s, 0, c.intInput, "int32", seed + i),
  );
}

/** Kiln and tfjs layers with the same options; tfjs gets Kiln's initial weights. */
function pair(c: Case, inputs: tf.Tensor[]) {
  // Each library gets its own copy of the options (tfjs rewrites some arrays in place).
  const kilnLayer: keras.Layer = c.kiln(structuredClone(c.args));
  const tfjsLayer = c.tfjs(structuredClone(c.args));
  const single = inputs.length === 1;
  const tfjsInputs = inputs.map(toTfjs);
  // Build Kiln's layer in inference mode first, so tfjs starts from the same weights.
  kilnLayer.apply(single ? inputs[0]! : inputs, { training: false });
  tfjsLayer.build(single ? tfjsInputs[0]!.shape : tfjsInputs.map((t) => t.shape));
  tfjsLayer.setWeights(kilnLayer.getWeights().map(toTfjs));
  const kilnOut = kilnLayer.apply(single ? inputs[0]! : inputs, { training: c.training ?? false }) as tf.Tensor;
  const tfjsOut = tfjsLayer.apply(single ? tfjsInputs[0] : tfjsInputs, { training: c.training ?? false }) as tfc.Tensor;
  return { kilnLayer, tfjsLayer, kilnOut, tfjsOut: fromTfjs(tfjsOut) };
}

describe("layers match tfjs-layers 4.22 with identical weights (SPEC M1)", () => {
  for (const c of cases) {
    it(c.name, () => {
      const inputs = inputsFor(c, 11);
      const { kilnOut, tfjsOut, kilnLayer, tfjsLayer } = pair(c, inputs);
      expect(kilnOut.shape).toEqual(tfjsOut.shape);
      expect(maxAbsDiff(kilnOut, tfjsOut)).toBeLessThan(1e-4);
      // Moving statistics (BatchNormalization in training) are updated like tfjs's.
      const kilnWeights = kilnLayer.getWeights();
      const tfjsWeights = (tfjsLayer.getWeights() as tfc.Tensor[]).map(fromTfjs);
      // (Stand-ins for layers tfjs lacks hold no weights.)
      if (tfjsWeights.length > 0) kilnWeights.forEach((w, i) => expect(maxAbsDiff(w, tfjsWeights[i]!)).toBeLessThan(1e-5));
      // The symbolic output shape agrees with the real one.
      const symbolic = kilnLayer.computeOutputShape(
        inputs.length === 1 ? [null, ...inputs[0]!.shape.slice(1)] : inputs.map((t) => [null, ...t.shape.slice(1)]),
      ) as (number | null)[];
      expect(symbolic.slice(1)).toEqual(kilnOut.shape.slice(1));
    });
  }
});

/** Central differences of `f` at `values`, for a few coordinates. */
function finiteDifference(f: () => number, values: Float32Array, coords: number[], eps = 1e-3): number[] {
  return coords.map((i) => {
    const keep = values[i]!;
    values[i] = keep + eps;
    const up = f();
    values[i] = keep - eps;
    const down = f();
    values[i] = keep;
    return (up - down) / (2 * eps);
  });
}

describe("layer gradients match finite differences", () => {
  for (const c of cases.filter((c) => c.noGrad !== true && !c.name.startsWith("dropout"))) {
    it(c.name, () => {
      const inputs = inputsFor(c, 23);
      const layer: keras.Layer = c.kiln(structuredClone(c.args));
      const out0 = layer.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: c.training ?? false }) as tf.Tensor;
      const probe = tf.randomNormal(out0.shape as number[], 0, 1, "float32", 5);
      const inputValues = inputs.map((t) => Float32Array.from(t.dataSync()));
      const weights = layer.trainableWeights;
      // Seeded weights make the check deterministic (no unlucky kink of relu near a probe point).
      weights.forEach((w, i) => w.assign(tf.randomNormal(w.shape as number[], 0, 0.5, "float32", 31 + i)));
      const weightValues = weights.map((w) => Float32Array.from(w.read().dataSync()));
      const objective = () =>
        tf.tidy(() => {
          const xs = inputValues.map((v, i) => tf.tensor(v, inputs[i]!.shape as number[]));
          weights.forEach((w, i) => w.assign(tf.tensor(weightValues[i]!, w.shape as number[])));
          const out = layer.apply(xs.length === 1 ? xs[0]! : xs, { training: c.training ?? false }) as tf.Tensor;
          return tf.sum(tf.mul(out, probe)).dataSync()[0]!;
        });
      const tape = new tf.GradientTape();
      const xs = inputs.map((t) => tf.identity(t));
      const loss = tape.record(() => {
        tape.watch(xs);
        const out = layer.apply(xs.length === 1 ? xs[0]! : xs, { training: c.training ?? false }) as tf.Tensor;
        return tf.sum(tf.mul(out, probe));
      });
      const grads = tape.gradient(loss, [...xs, ...weights]);
      const targets: Float32Array[] = [...inputValues, ...weightValues];
      targets.forEach((values, k) => {
        const analytic = grads[k]!.dataSync();
        const coords = Array.from({ length: Math.min(6, values.length) }, (_, j) =>
          Math.floor((j * values.length) / Math.min(6, values.length)),
        );
        const numeric = finiteDifference(objective, values, coords);
        coords.forEach((ci, j) => expect(Math.abs(numeric[j]! - analytic[ci]!)).toBeLessThan(2e-2 * Math.max(1, Math.abs(analytic[ci]!))));
      });
    });
  }
});
