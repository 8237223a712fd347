/**
 * Training is traced by default (SPEC I2, I3, M2): a JS side effect (a logged line) in a custom
 * layer's call, the loss and a metric runs once per trace; runEagerly and dynamic layers trace nothing;
 * eager and traced training agree; stepsPerExecution equals single steps.
 */
import * as tf from "@kiln/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as keras from "../src/index.js";
import { maxAbsDiff, toyClassification, useCpu } from "./setup.js";

useCpu();

/**
 * Where the logging layer, loss and metric write (as user code would console.log): lines are
 * counted while `countLogs` runs and dropped otherwise, so none reach the test output.
 */
let counts: Record<string, number> | undefined;
function logLine(message: string): void {
  if (counts !== undefined) counts[message] = (counts[message] ?? 0) + 1;
}

/** A custom layer that logs from `call` (JS runs only while tracing, SPEC B2). */
class LoggingScale extends keras.layers.Layer {
  static override className = "LoggingScale";
  w!: tf.Variable;
  override build(inputShape: keras.Shape): void {
    this.w = this.addWeight("w", [inputShape.at(-1)!], "float32", keras.initializers.ones());
  }
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    logLine("layer call");
    return tf.mul(x as tf.Tensor, this.w);
  }
}

function loggingLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  logLine("loss call");
  return keras.losses.sparseCategoricalCrossentropy(yTrue, tf.softmax(yPred));
}

function loggingMetric(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  logLine("metric call");
  return keras.metrics.sparseCategoricalAccuracy(yTrue, yPred);
}

function buildModel(options: { dynamic?: boolean; seed?: number } = {}): keras.Sequential {
  const seed = options.seed ?? 3;
  return keras.sequential({
    layers: [
      keras.layers.dense({ units: 8, activation: "relu", inputShape: [6], kernelInitializer: keras.initializers.glorotUniform({ seed }) }),
      new LoggingScale({ dynamic: options.dynamic ?? false }),
      keras.layers.dense({ units: 3, kernelInitializer: keras.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

/** Counts logged lines per message while `fn` runs. */
async function countLogs(fn: () => Promise<unknown>): Promise<Record<string, number>> {
  const counted: Record<string, number> = {};
  counts = counted;
  try {
    await fn();
  } finally {
    counts = undefined;
  }
  return counted;
}

describe("fit traces its step (SPEC I2, I3)", () => {
  let data: { x: tf.Tensor; y: tf.Tensor };
  beforeEach(() => {
    data = toyClassification(100, 6, 3);
  });
  afterEach(() => tf.dispose([data.x, data.y]));

  it("I3: logs once per trace in epoch 1 (full batch + last smaller batch), never in epoch 2", async () => {
    const model = buildModel();
    model.compile({ optimizer: "adam", loss: loggingLoss, metrics: [loggingMetric] });
    const epoch1 = await countLogs(() => model.fit(data.x, data.y, { epochs: 1, batchSize: 32, verbose: 0 }));
    // 100 = 3 x 32 + 4: one trace for batches of 32, one (relaxed to [null, 6]) for the last batch of 4.
    expect(epoch1).toEqual({ "layer call": 2, "loss call": 2, "metric call": 2 });
    const epoch2 = await countLogs(() => model.fit(data.x, data.y, { epochs: 2, batchSize: 32, verbose: 0 }));
    expect(epoch2).toEqual({});
    expect(model.trainFunction()).toBe(model.trainFunction());
  });

  it("I3: with runEagerly, logs once per batch", async () => {
    const model = buildModel();
    model.compile({ optimizer: "adam", loss: loggingLoss, metrics: [loggingMetric], runEagerly: true });
    const counts = await countLogs(() => model.fit(data.x, data.y, { epochs: 2, batchSize: 32, verbose: 0 }));
    expect(counts).toEqual({ "layer call": 8, "loss call": 8, "metric call": 8 });
  });

  it("I2: a dynamic layer makes fit run eagerly; dynamic with runEagerly: false is an error", async () => {
    const model = buildModel({ dynamic: true });
    expect(() => model.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy", runEagerly: false })).toThrow(keras.ConfigError);
    expect(() => model.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy", runEagerly: false })).toThrow(/dynamic/);
    model.compile({ optimizer: "sgd", loss: loggingLoss });
    expect(model.runEagerly).toBe(true);
    const counts = await countLogs(() => model.fit(data.x, data.y, { epochs: 1, batchSize: 50, verbose: 0 }));
    expect(counts["layer call"]).toBe(2);
  });

  it("I2: evaluate and predict are traced too (a new batch size costs at most one trace)", async () => {
    const model = buildModel();
    model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy" });
    const counts = await countLogs(async () => {
      model.predict(data.x, { batchSize: 32 });
      model.predict(data.x, { batchSize: 32 });
      model.evaluate(data.x, data.y, { batchSize: 32 });
      model.evaluate(data.x, data.y, { batchSize: 32 });
    });
    expect(counts).toEqual({ "layer call": 4 });
  });

  it("M2: one training step is one traced graph with forward, gradients, optimizer update and metric updates", async () => {
    const model = buildModel();
    model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
    vi.spyOn(console, "log").mockImplementation(() => {});
    await model.trainOnBatch(tf.slice(data.x, [0, 0], [8, 6]), tf.slice(data.y, [0], [8]));
    vi.restoreAllMocks();
    const traced = model.trainFunction().traced!;
    expect(traced.tracingCount).toBe(1);
    const types = traced
      .concreteFunctions()[0]!
      .graph.getOperations()
      .map((op) => op.type);
    // Forward (MatMul), backward (MatMul of gradients, ReluGrad-style ops), Adam's slot and
    // weight updates, and the metric trackers' AssignAdd: all in the one graph.
    // Two forward MatMuls; backward: both kernels' gradients and the hidden activation's (not the input's).
    expect(types.filter((t) => t === "MatMul")).toHaveLength(5);
    expect(types).toContain("AssignSubVariableOp");
    expect(types).toContain("AssignAddVariableOp");
    expect(types).toContain("ReadVariableOp");
    expect(types).not.toContain("PartitionedCall");
  });
});

describe("eager and traced training agree", () => {
  async function trainWeights(runEagerly: boolean, stepsPerExecution = 1): Promise<tf.Tensor[]> {
    const { x, y } = toyClassification(96, 6, 3, 9);
    keras.clearSession();
    const model = buildModel({ seed: 17 });
    model.compile({
      optimizer: keras.optimizers.adam(0.01),
      loss: keras.losses.sparseCategoricalCrossentropy({ fromLogits: true }),
      metrics: ["accuracy"],
      runEagerly,
      stepsPerExecution,
    });
    vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await model.fit(x, y, { epochs: 2, batchSize: 16, shuffle: false, verbose: 0 });
    } finally {
      vi.restoreAllMocks();
    }
    tf.dispose([x, y]);
    return model.getWeights();
  }

  it("runEagerly and traced fit give the same weights after N steps with the same seed", async () => {
    const eager = await trainWeights(true);
    const traced = await trainWeights(false);
    eager.forEach((w, i) => expect(maxAbsDiff(w, traced[i]!)).toBeLessThan(1e-5));
  });

  it("M2: stepsPerExecution: 4 gives the same weights as single steps", async () => {
    const single = await trainWeights(false, 1);
    const grouped = await trainWeights(false, 4);
    single.forEach((w, i) => expect(maxAbsDiff(w, grouped[i]!)).toBeLessThan(1e-5));
  });

  it("stepsPerExecution runs its group as one traced call with one While", async () => {
    const { x, y } = toyClassification(64, 6, 3, 2);
    const model = keras.sequential({ layers: [keras.layers.dense({ units: 3, inputShape: [6] })] });
    model.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy", stepsPerExecution: 4 });
    await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
    const multi = model.multiStepTrainFunction().traced!;
    expect(multi.tracingCount).toBe(1);
    expect(
      multi
        .concreteFunctions()[0]!
        .graph.getOperations()
        .filter((op) => op.type === "While"),
    ).toHaveLength(1);
    const iterations = model.optimizer!.iterations.read().dataSync()[0];
    expect(iterations).toBe(4);
  });
});

describe("fit inputs", () => {
  it("trains from an async iterable of { xs, ys } batches (fitDataset)", async () => {
    const { x, y } = toyClassification(64, 6, 3, 4);
    async function* batches() {
      for (let i = 0; i < 4; i++) yield { xs: tf.slice(x, [i * 16, 0], [16, 6]), ys: tf.slice(y, [i * 16], [16]) };
    }
    const model = buildModel();
    model.compile({ optimizer: keras.optimizers.adam(0.05), loss: keras.losses.sparseCategoricalCrossentropy({ fromLogits: true }) });
    const history = await model.fit({ [Symbol.asyncIterator]: batches }, undefined, { epochs: 3, verbose: 0 });
    expect(history.history.loss).toHaveLength(3);
    expect(history.history.loss![2]!).toBeLessThan(history.history.loss![0]!);
    const again = await model.fitDataset({ [Symbol.asyncIterator]: batches }, { epochs: 1, verbose: 0, validationData: [x, y] });
    expect(Object.keys(again.history)).toEqual(["loss", "val_loss"]);
  });

  it("validationData, validationSplit, initialEpoch, sampleWeight and classWeight", async () => {
    const { x, y } = toyClassification(80, 6, 3, 5);
    const model = buildModel();
    model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
    const h1 = await model.fit(x, y, { epochs: 3, initialEpoch: 1, validationSplit: 0.25, verbose: 0 });
    expect(h1.epoch).toEqual([1, 2]);
    expect(Object.keys(h1.history).sort()).toEqual(["accuracy", "loss", "val_accuracy", "val_loss"]);
    // A zero sample weight on every sample gives a zero loss; class weights scale it.
    const zeros = tf.zeros([80]);
    const h2 = await model.fit(x, y, { epochs: 1, sampleWeight: zeros, verbose: 0 });
    expect(h2.history.loss![0]).toBe(0);
    const h3 = await model.fit(x, y, { epochs: 1, classWeight: { 0: 0, 1: 0, 2: 0 }, verbose: 0, validationData: [x, y] });
    expect(h3.history.loss![0]).toBe(0);
    expect(h3.history.val_loss![0]).toBeGreaterThan(0);
  });

  it("multi-input, multi-output functional models take arrays or name-keyed objects", async () => {
    const a = keras.input({ shape: [3], name: "a" });
    const b = keras.input({ shape: [2], name: "b" });
    const merged = keras.layers.concatenate().apply([a, b]) as keras.KerasTensor;
    const hidden = keras.layers.dense({ units: 4, activation: "tanh" }).apply(merged) as keras.KerasTensor;
    const out1 = keras.layers.dense({ units: 1, name: "reg" }).apply(hidden) as keras.KerasTensor;
    const out2 = keras.layers.dense({ units: 2, activation: "softmax", name: "cls" }).apply(hidden) as keras.KerasTensor;
    const model = keras.model({ inputs: [a, b], outputs: [out1, out2] });
    model.compile({
      optimizer: "adam",
      loss: { reg: "meanSquaredError", cls: "sparseCategoricalCrossentropy" },
      metrics: { cls: ["accuracy"] },
      lossWeights: { reg: 0.5, cls: 1 },
    });
    const xa = tf.randomNormal([20, 3], 0, 1, "float32", 1);
    const xb = tf.randomNormal([20, 2], 0, 1, "float32", 2);
    const yReg = tf.randomNormal([20, 1], 0, 1, "float32", 3);
    const yCls = tf.randomUniform([20], 0, 2, "int32", 4);
    const history = await model.fit({ a: xa, b: xb }, { reg: yReg, cls: yCls }, { epochs: 2, batchSize: 8, verbose: 0 });
    expect(Object.keys(history.history)).toEqual(["loss", "reg_loss", "cls_loss", "cls_accuracy"]);
    const [p1, p2] = model.predict([xa, xb]) as tf.Tensor[];
    expect(p1!.shape).toEqual([20, 1]);
    expect(p2!.shape).toEqual([20, 2]);
    expect(model.metricsNames).toEqual(["loss", "reg_loss", "cls_loss", "cls_accuracy"]);
  });
});

describe("dropout inside traced steps", () => {
  it("draws a fresh mask on every call, also on a relaxed trace whose batch size is unknown", () => {
    const dropout = keras.layers.dropout({ rate: 0.25 });
    const apply = tf.function((x: tf.Tensor) => dropout.apply(x, { training: true }) as tf.Tensor);
    const masks = [8, 8, 5, 3].map((n) => apply(tf.ones([n, 400])));
    expect(apply.tracingCount).toBe(2);
    expect(masks.map((m) => m.shape)).toEqual([
      [8, 400],
      [8, 400],
      [5, 400],
      [3, 400],
    ]);
    for (const m of masks) {
      const values = [...m.dataSync()];
      // Kept values are scaled by 1 / (1 - rate); about a quarter are dropped.
      expect(new Set(values.map((v) => Math.round(v * 1e5) / 1e5))).toEqual(new Set([0, 1.33333]));
      const dropped = values.filter((v) => v === 0).length / values.length;
      expect(dropped).toBeGreaterThan(0.18);
      expect(dropped).toBeLessThan(0.32);
    }
    expect(maxAbsDiff(masks[0]!, masks[1]!)).toBeGreaterThan(0);
    expect(maxAbsDiff(dropout.apply(tf.ones([2, 3])) as tf.Tensor, tf.ones([2, 3]))).toBe(0);
  });
});

describe("memory", () => {
  it.each([false, true])("fit, evaluate and predict leak no tensors across epochs (runEagerly: %s)", async (runEagerly) => {
    const { x, y } = toyClassification(70, 6, 3, 6);
    const model = buildModel();
    model.compile({
      optimizer: "adam",
      loss: "sparseCategoricalCrossentropy",
      metrics: ["accuracy", "sparseTopKCategoricalAccuracy"],
      runEagerly,
    });
    const silent = vi.spyOn(console, "log").mockImplementation(() => {});
    const round = async (epochs: number) => {
      await model.fit(x, y, { epochs, batchSize: 16, verbose: 0, validationSplit: 0.2 });
      tf.dispose(model.evaluate(x, y));
      tf.dispose(model.predict(x));
    };
    // The first round traces (traced functions keep their constants); later rounds allocate nothing that stays.
    await round(1);
    const before = tf.memory().numTensors;
    await round(3);
    expect(tf.memory().numTensors).toBe(before);
    silent.mockRestore();
  });
});
