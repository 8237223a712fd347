/**
 * Save/load of the part-2 layers in tfjs's LayersModel format (SPEC M3): recurrent,
 * wrapper, attention, convolution-variant, noise and preprocessing layers round-trip
 * Kiln to Kiln with identical predictions, and interoperate with tfjs-layers 4.22 both
 * ways for every layer tfjs has (tfjs exports no attention layers: those round-trip through
 * Kiln's own files).
 */
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import * as keras from "../src/index.js";
import { maxAbsDiff, useCpu } from "./setup.js";
import { fromTfjs, tfc, tfl, toTfjs } from "./tfjs.js";

useCpu();

const L = keras.layers;
const T = tfl.layers;

/** Layers both libraries have, built by either (the same options). */
function sequenceLayers(lib: typeof L | typeof T) {
  const l = lib as typeof L;
  return [
    l.embedding({ inputDim: 12, outputDim: 4, maskZero: true, inputShape: [6] }),
    l.bidirectional({ layer: l.lstm({ units: 3, returnSequences: true, recurrentActivation: "sigmoid" }), mergeMode: "concat" }),
    l.gru({ units: 3, returnSequences: true, goBackwards: true }),
    l.timeDistributed({ layer: l.dense({ units: 2, activation: "elu" }) }),
    l.rnn({ cell: [l.simpleRNNCell({ units: 3 }), l.lstmCell({ units: 2 })], returnSequences: false }),
    l.dense({ units: 2 }),
  ];
}

function imageLayers(lib: typeof L | typeof T) {
  const l = lib as typeof L;
  return [
    l.rescaling({ scale: 0.5, offset: 0.1, inputShape: [8, 8, 2] }),
    l.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: "same" }),
    l.prelu({ sharedAxes: [1, 2] }),
    l.separableConv2d({ filters: 3, kernelSize: 3 }),
    l.leakyReLU({ alpha: 0.2 }),
    l.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: "same" }),
    l.cropping2D({
      cropping: [
        [1, 1],
        [2, 0],
      ],
    }),
    l.reLU({ maxValue: 2 }),
    l.gaussianNoise({ stddev: 0.1 }),
    l.thresholdedReLU({ theta: 0.1 }),
    l.flatten(),
    l.alphaDropout({ rate: 0.1 }),
    l.elu({}),
    l.gaussianDropout({ rate: 0.1 }),
    l.dense({ units: 3 }),
    l.softmax({ axis: -1 }),
  ];
}

const ids = () =>
  tf.tensor(
    Array.from({ length: 18 }, (_, i) => ((i * 7 + 3) % 12) * (i % 5 === 4 ? 0 : 1)),
    [3, 6],
  );

async function viaTfjsSave(model: tfl.LayersModel): Promise<keras.io.ModelArtifacts> {
  let saved: keras.io.ModelArtifacts | undefined;
  await model.save(
    tfc.io.withSaveHandler(async (artifacts) => {
      saved = artifacts as keras.io.ModelArtifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return saved!;
}

async function roundTrip(model: keras.Model): Promise<keras.Model> {
  const store = new keras.io.MemoryStore();
  await model.save(store);
  return keras.loadLayersModel(store);
}

describe("part-2 layers: Kiln to Kiln", () => {
  it("a masked recurrent model (embedding, bidirectional, gru, timeDistributed, stacked cells)", async () => {
    const model = keras.sequential({ layers: sequenceLayers(L) as keras.Layer[] });
    const loaded = await roundTrip(model);
    expect(maxAbsDiff(loaded.predict(ids()) as tf.Tensor, model.predict(ids()) as tf.Tensor)).toBe(0);
    expect(loaded.getConfig()).toEqual(model.getConfig());
    expect(loaded.weights.map((w) => w.name)).toEqual(model.weights.map((w) => w.name));
  });

  it("image layers with an adapted normalization", async () => {
    const norm = L.normalization({ inputShape: [8, 8, 2] });
    norm.adapt(tf.randomNormal([10, 8, 8, 2], 3, 2, "float32", 1));
    const model = keras.sequential({ layers: [norm, ...(imageLayers(L).slice(1) as keras.Layer[])] });
    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, "float32", 2);
    const loaded = await roundTrip(model);
    expect(maxAbsDiff(loaded.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBe(0);
    expect(maxAbsDiff((loaded.layers[0] as keras.layers.Normalization).mean!.read(), norm.mean!.read())).toBe(0);
  });

  it("a transformer block (multiHeadAttention, einsumDense, layerNormalization) and attention layers", async () => {
    const x = keras.input({ shape: [null, 6] });
    const attended = L.multiHeadAttention({ numHeads: 2, keyDim: 3, valueDim: 2 }).apply([x, x], {
      useCausalMask: true,
    }) as keras.KerasTensor;
    const h = L.layerNormalization().apply(L.add().apply([x, attended]) as keras.KerasTensor) as keras.KerasTensor;
    const projected = L.einsumDense({ equation: "abc,cd->abd", outputShape: [null, 6], biasAxes: "d", activation: "relu" }).apply(
      h,
    ) as keras.KerasTensor;
    const dot = L.attention({ useScale: true }).apply([projected, h]) as keras.KerasTensor;
    const additive = L.additiveAttention().apply([dot, h]) as keras.KerasTensor;
    const model = keras.model({ inputs: x, outputs: L.globalAveragePooling1d().apply(additive) as keras.KerasTensor });
    const data = tf.randomNormal([2, 5, 6], 0, 1, "float32", 3);
    const loaded = await roundTrip(model);
    expect(maxAbsDiff(loaded.predict(data) as tf.Tensor, model.predict(data) as tf.Tensor)).toBe(0);
    expect(loaded.getConfig()).toEqual(model.getConfig());
  });
});

describe("initial states in saved functional models", () => {
  it("an LSTM fed initial states from model inputs round-trips through Kiln's files (tfjs 4.22 cannot run such a model itself)", async () => {
    const x = keras.input({ shape: [5, 3] });
    const h = keras.input({ shape: [4] });
    const c = keras.input({ shape: [4] });
    const out = L.lstm({ units: 4 }).apply(x, { initialState: [h, c] }) as keras.KerasTensor;
    const model = keras.model({ inputs: [x, h, c], outputs: L.dense({ units: 1 }).apply(out) as keras.KerasTensor });
    const data = [
      tf.randomNormal([2, 5, 3], 0, 1, "float32", 6),
      tf.randomNormal([2, 4], 0, 1, "float32", 7),
      tf.randomNormal([2, 4], 0, 1, "float32", 8),
    ];
    const loaded = await roundTrip(model);
    expect(maxAbsDiff(loaded.predict(data) as tf.Tensor, model.predict(data) as tf.Tensor)).toBe(0);
  });
});

describe("part-2 layers interoperate with tfjs-layers 4.22", () => {
  it("Kiln-saved recurrent and image models load in tfjs with identical predictions", async () => {
    for (const [layers, input] of [
      [sequenceLayers, ids()],
      [imageLayers, tf.randomNormal([2, 8, 8, 2], 0, 1, "float32", 4)],
    ] as const) {
      const model = keras.sequential({ layers: layers(L) as keras.Layer[] });
      const store = new keras.io.MemoryStore();
      await model.save(store);
      const tfjsModel = await tfl.loadLayersModel(tfc.io.fromMemory(store.artifacts as never));
      expect(maxAbsDiff(fromTfjs(tfjsModel.predict(toTfjs(input)) as tfc.Tensor), model.predict(input) as tf.Tensor)).toBeLessThan(1e-5);
    }
  });

  it("tfjs-saved recurrent and image models load in Kiln with identical predictions", async () => {
    for (const [layers, input] of [
      [sequenceLayers, ids()],
      [imageLayers, tf.randomNormal([2, 8, 8, 2], 0, 1, "float32", 5)],
    ] as const) {
      const tfjsModel = tfl.sequential({ layers: layers(T) as unknown as tfl.layers.Layer[] });
      const loaded = await keras.loadLayersModel(keras.io.fromMemory(await viaTfjsSave(tfjsModel)));
      expect(maxAbsDiff(loaded.predict(input) as tf.Tensor, fromTfjs(tfjsModel.predict(toTfjs(input)) as tfc.Tensor))).toBeLessThan(1e-5);
    }
  });

  it("a tfjs functional model with masking, spatial dropout and an LSTM's states", async () => {
    const x = tfl.input({ shape: [5, 3] });
    const masked = T.masking({ maskValue: 0 }).apply(x) as tfl.SymbolicTensor;
    const dropped = T.spatialDropout1d({ rate: 0.3 }).apply(masked) as tfl.SymbolicTensor;
    const [out, hOut, cOut] = T.lstm({ units: 4, returnState: true }).apply(dropped) as tfl.SymbolicTensor[];
    const model = tfl.model({ inputs: x, outputs: [T.dense({ units: 1 }).apply(out!) as tfl.SymbolicTensor, hOut!, cOut!] });
    const data = tf.mul(tf.randomNormal([2, 5, 3], 0, 1, "float32", 6), tf.tensor([1, 1, 0, 1, 0, 1, 1, 1, 1, 1], [2, 5, 1]));
    const loaded = await keras.loadLayersModel(keras.io.fromMemory(await viaTfjsSave(model)));
    const kilnOut = loaded.predict(data) as tf.Tensor[];
    (model.predict(toTfjs(data)) as tfc.Tensor[]).forEach((t, i) => expect(maxAbsDiff(kilnOut[i]!, fromTfjs(t))).toBeLessThan(1e-5));
  });
});
