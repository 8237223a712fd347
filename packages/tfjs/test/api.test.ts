import * as keras from "@kiln/keras";
import * as tf from "@kiln/tfjs";
import { describe, expect, it } from "vitest";
import { tfjs } from "./tfjs.js";

describe("importing @kiln/tfjs", () => {
  it("registers cpu, active at once so ops run synchronously after the import, and wasm one setBackend away", async () => {
    expect(tf.listBackends()).toEqual(["cpu", "wasm"]);
    expect(tf.getBackend()).toBe("cpu");
    const x = tf.tensor([1, 2, 3]);
    expect(x.square().arraySync()).toEqual([1, 4, 9]);
    await tf.setBackend("wasm");
    try {
      expect(tf.getBackend()).toBe("wasm");
      expect(x.square().arraySync()).toEqual([1, 4, 9]);
    } finally {
      await tf.setBackend("cpu");
    }
  });

  it("re-exports @kiln/core and maps tfjs-layers' top-level names onto @kiln/keras", () => {
    expect(tf.tensor2d).toBeTypeOf("function");
    expect(tf.tidy).toBeTypeOf("function");
    expect(tf.sequential).toBe(keras.sequential);
    expect(tf.model).toBe(keras.model);
    expect(tf.input).toBe(keras.input);
    expect(tf.loadLayersModel).toBe(keras.loadLayersModel);
    expect(tf.layers.dense).toBe(keras.layers.dense);
    expect(tf.sequential()).toBeInstanceOf(tf.Sequential);
    expect(tf.sequential()).toBeInstanceOf(tf.LayersModel);
  });
});

describe("tf.train: tfjs's positional signatures", () => {
  it("passes each positional argument to the @kiln/keras optimizer's option of the same meaning", () => {
    // Dyadic values, exact in float32 (the optimizers keep hyper-parameters as float32 scalars).
    const eps = 2 ** -20;
    expect(tf.train.sgd(0.25).getConfig()).toMatchObject({ learningRate: 0.25 });
    expect(tf.train.momentum(0.125, 0.75, true).getConfig()).toMatchObject({ learningRate: 0.125, momentum: 0.75, nesterov: true });
    expect(tf.train.adam(0.0625, 0.75, 0.875, eps).getConfig()).toMatchObject({
      learningRate: 0.0625,
      beta1: 0.75,
      beta2: 0.875,
      epsilon: eps,
    });
    expect(tf.train.adamax(0.03125, 0.5, 0.875).getConfig()).toMatchObject({ learningRate: 0.03125, beta1: 0.5, beta2: 0.875 });
    expect(tf.train.rmsprop(0.125, 0.75, 0.5, eps, true).getConfig()).toMatchObject({
      learningRate: 0.125,
      rho: 0.75,
      momentum: 0.5,
      epsilon: eps,
      centered: true,
    });
    expect(tf.train.adagrad(0.5, 0.25).getConfig()).toMatchObject({ learningRate: 0.5, initialAccumulatorValue: 0.25 });
    expect(tf.train.adadelta(1, 0.875, eps).getConfig()).toMatchObject({ learningRate: 1, rho: 0.875, epsilon: eps });
  });

  it("takes one SGD step as tfjs's tf.train.sgd does: w - lr * dL/dw", () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const loss = tf.train.sgd(0.1).minimize(() => tf.sum(tf.square(w)), true);
    expect(loss!.dataSync()[0]).toBeCloseTo(5, 5);
    const tw = tfjs.variable(tfjs.tensor1d([1, -2]));
    tfjs.train.sgd(0.1).minimize(() => tfjs.sum(tfjs.square(tw)));
    expect(Array.from(w.dataSync())).toEqual(Array.from(tw.dataSync()));
  });

  it("rejects adamax's decay, which the Keras optimizer does not have, naming the function and the value", () => {
    expect(() => tf.train.adamax(0.002, 0.9, 0.999, 1e-7, 0.1)).toThrow(/tf\.train\.adamax: decay=0\.1 is not supported/);
  });
});

describe("tf.losses: tfjs's elementwise losses and reductions (tfjs as the oracle)", () => {
  const labels = [
    [0, 1, 1],
    [1, 0, 1],
  ];
  const predictions = [
    [0.2, 0.7, 0.9],
    [0.6, 0.1, 0.4],
  ];
  const weights = [
    [1, 0, 2],
    [0.5, 1, 0],
  ];
  const close = (kiln: tf.Tensor, oracle: { dataSync(): ArrayLike<number>; shape: number[] }) => {
    expect(kiln.shape).toEqual(oracle.shape);
    const want = Array.from(oracle.dataSync());
    Array.from(kiln.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  };

  for (const name of ["absoluteDifference", "meanSquaredError", "hingeLoss", "huberLoss", "logLoss"] as const) {
    it(`${name}: default reduction, with weights, and every tf.Reduction match tfjs`, () => {
      const y = tfjs.tensor2d(labels);
      const p = tfjs.tensor2d(predictions);
      close(tf.losses[name](labels, predictions), tfjs.losses[name](y, p));
      close(tf.losses[name](labels, predictions, weights), tfjs.losses[name](y, p, tfjs.tensor2d(weights)));
      for (const r of [tf.Reduction.NONE, tf.Reduction.MEAN, tf.Reduction.SUM, tf.Reduction.SUM_BY_NONZERO_WEIGHTS]) {
        const kiln =
          name === "huberLoss" || name === "logLoss"
            ? tf.losses[name](labels, predictions, [1, 2, 0], undefined, r)
            : tf.losses[name](labels, predictions, [1, 2, 0], r);
        const oracle =
          name === "huberLoss" || name === "logLoss"
            ? tfjs.losses[name](y, p, tfjs.tensor1d([1, 2, 0]), undefined, r as number)
            : tfjs.losses[name](y, p, tfjs.tensor1d([1, 2, 0]), r as number);
        close(kiln, oracle);
      }
    });
  }

  it("huberLoss's delta and computeWeightedLoss match tfjs", () => {
    close(
      tf.losses.huberLoss(labels, predictions, undefined, 0.3),
      tfjs.losses.huberLoss(tfjs.tensor2d(labels), tfjs.tensor2d(predictions), undefined, 0.3),
    );
    close(
      tf.losses.computeWeightedLoss(
        [
          [1, 2],
          [3, 4],
        ],
        [1, 0],
      ),
      tfjs.losses.computeWeightedLoss(
        tfjs.tensor2d([
          [1, 2],
          [3, 4],
        ]),
        tfjs.tensor1d([1, 0]),
      ),
    );
  });

  it("rejects labels and predictions of different shapes, naming the loss and both shapes", () => {
    expect(() => tf.losses.meanSquaredError([1, 2, 3], [1, 2])).toThrow(
      /tf\.losses\.meanSquaredError: labels shape \[3\] and predictions shape \[2\]/,
    );
  });
});

describe("tf.metrics: tfjs's per-sample metric functions (tfjs as the oracle)", () => {
  const cases = {
    binaryAccuracy: [
      [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      [
        [0.8, 0.3],
        [0.6, 0.9],
        [0.2, 0.51],
      ],
    ],
    categoricalAccuracy: [
      [
        [0, 1, 0],
        [1, 0, 0],
      ],
      [
        [0.1, 0.7, 0.2],
        [0.2, 0.5, 0.3],
      ],
    ],
    meanSquaredError: [
      [
        [1, 2],
        [3, 4],
      ],
      [
        [1.5, 2],
        [2, 6],
      ],
    ],
    meanAbsoluteError: [
      [
        [1, 2],
        [3, 4],
      ],
      [
        [1.5, 2],
        [2, 6],
      ],
    ],
    meanAbsolutePercentageError: [
      [
        [1, 2],
        [3, 4],
      ],
      [
        [1.5, 2],
        [2, 6],
      ],
    ],
  } as const;
  for (const [name, [yTrue, yPred]] of Object.entries(cases) as [keyof typeof cases, (typeof cases)[keyof typeof cases]][]) {
    it(`${name} matches tfjs`, () => {
      const kiln = tf.metrics[name](tf.tensor(yTrue as unknown as number[][]), tf.tensor(yPred as unknown as number[][]));
      const oracle = tfjs.metrics[name](tfjs.tensor(yTrue as unknown as number[][]), tfjs.tensor(yPred as unknown as number[][]));
      expect(kiln.shape).toEqual(oracle.shape);
      const want = Array.from(oracle.dataSync());
      Array.from(kiln.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
    });
  }

  it("sparseCategoricalAccuracy matches tfjs, and the MSE/mse/MAPE/mape aliases are the same functions", () => {
    const kiln = tf.metrics.sparseCategoricalAccuracy(
      tf.tensor([[1], [0]]),
      tf.tensor([
        [0.1, 0.7, 0.2],
        [0.2, 0.5, 0.3],
      ]),
    );
    const oracle = tfjs.metrics.sparseCategoricalAccuracy(
      tfjs.tensor([[1], [0]]),
      tfjs.tensor([
        [0.1, 0.7, 0.2],
        [0.2, 0.5, 0.3],
      ]),
    );
    expect(Array.from(kiln.dataSync())).toEqual(Array.from(oracle.dataSync()));
    expect(tf.metrics.MSE).toBe(tf.metrics.meanSquaredError);
    expect(tf.metrics.mse).toBe(tf.metrics.meanSquaredError);
    expect(tf.metrics.MAPE).toBe(tf.metrics.meanAbsolutePercentageError);
    expect(tf.metrics.mape).toBe(tf.metrics.meanAbsolutePercentageError);
  });
});

describe("tf.initializers, tf.regularizers, tf.constraints", () => {
  it("configure a tf.layers.dense as in tfjs: a ones kernel and its L2 penalty in the evaluated loss", () => {
    const model = tf.sequential();
    model.add(
      tf.layers.dense({
        units: 2,
        inputShape: [2],
        kernelInitializer: tf.initializers.ones(),
        kernelRegularizer: tf.regularizers.l2({ l2: 0.5 }),
        kernelConstraint: tf.constraints.nonNeg(),
      }),
    );
    const kernel = model.layers[0]!.getWeights()[0]!;
    expect(kernel.arraySync()).toEqual([
      [1, 1],
      [1, 1],
    ]);
    // Predictions equal the labels, so the loss evaluate reports is the L2 penalty alone: 0.5 * sum(kernel^2) = 2.
    model.compile({ loss: "meanSquaredError", optimizer: tf.train.sgd(1) });
    const loss = model.evaluate(tf.tensor2d([[1, 1]]), tf.tensor2d([[2, 2]]), { verbose: 0 }) as tf.Tensor;
    expect(loss.dataSync()[0]).toBeCloseTo(2, 5);
  });

  it("tf.constraints.nonNeg clamps a kernel that a step pushes below zero", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          units: 1,
          inputShape: [1],
          kernelInitializer: tf.initializers.ones(),
          kernelConstraint: tf.constraints.nonNeg(),
        }),
      ],
    });
    model.compile({ loss: "meanSquaredError", optimizer: tf.train.sgd(1) });
    await model.fit(tf.tensor2d([[1]]), tf.tensor2d([[-10]]), { epochs: 1, verbose: 0 });
    expect(model.layers[0]!.getWeights()[0]!.arraySync()).toEqual([[0]]);
  });
});
