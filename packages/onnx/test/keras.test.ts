/**
 * Keras models export through their predict function and give the same outputs in
 * onnxruntime: an MLP, the Fashion-MNIST CNN of the examples (briefly trained on the real data
 * when Debian's dataset-fashion-mnist is installed), and an LSTM (@kiln/keras's recurrent
 * layer when it has one, and always a hand-written LSTM cell loop over `tf.whileLoop`).
 * Tolerance: 1e-4 absolute on outputs of order 1 (float32 sums in a different order), and
 * the same predicted class for every example.
 */
import { fromBinary } from "@bufbuild/protobuf";
import * as keras from "@kiln/keras";
import { ModelProtoSchema } from "onnx-buf";
import { beforeAll, describe, expect, it } from "vitest";
import { fashionMnistAvailable, loadFashionMnist } from "../../../examples/fashion_mnist/data.mjs";
import { fashionCnn } from "../../../examples/fashion_mnist/model.mjs";
import { kerasToOnnx, toOnnx, toOnnxModel } from "../src/index.js";
import { expectSame, kilnValues, maxAbsDiff, runOnnx, session, tf, useCpu, type Values } from "./setup.js";

/** The documented tolerance for whole models. */
export const MODEL_TOLERANCE = { atol: 1e-4, rtol: 1e-4 };

beforeAll(useCpu);

/** Per-row argmax of a [n, classes] result. */
function classes(v: Values): number[] {
  const n = v.shape[0]!;
  const k = v.shape[1]!;
  return Array.from({ length: n }, (_, r) => {
    const row = v.data.slice(r * k, (r + 1) * k);
    return row.indexOf(Math.max(...row));
  });
}

/** Kiln's predict on `x` and onnxruntime's run of the export agree. */
async function agree(model: keras.Model, bytes: Uint8Array, x: tf.Tensor): Promise<void> {
  const expected = tf.tidy(() => kilnValues(model.predict(x) as tf.Tensor));
  const [actual] = await runOnnx(bytes, [x]);
  expectSame(actual!, expected, MODEL_TOLERANCE, "predictions");
  if (expected.shape.length === 2 && expected.shape[1]! > 1) expect(classes(actual!)).toEqual(classes(expected));
}

describe("Keras models export through their predict function", () => {
  it("an MLP with softmax outputs: names, batch dim 'batch', several batch sizes", async () => {
    const model = keras.sequential({
      name: "mlp",
      layers: [keras.layers.dense({ units: 32, activation: "relu", inputShape: [20] }), keras.layers.dense({ units: 5, activation: "softmax" })],
    });
    const bytes = kerasToOnnx(model);
    const s = await session(bytes);
    expect(s.inputNames).toEqual(model.inputNames);
    expect(s.outputNames).toEqual(model.outputNames);
    const input = fromBinary(ModelProtoSchema, bytes).graph!.input[0]!;
    const dims = input.type?.value.case === "tensorType" ? input.type.value.value.shape!.dim.map((d) => d.value.value) : [];
    expect(dims).toEqual(["batch", 20n]);
    for (const n of [1, 7, 64]) {
      const x = tf.randomUniform([n, 20], -1, 1, "float32", n);
      await agree(model, bytes, x);
      x.dispose();
    }
  });

  it("the Fashion-MNIST CNN (conv, max-pool, conv, flatten, dense) agrees on every prediction", async () => {
    const model = fashionCnn(keras);
    let x: tf.Tensor;
    if (fashionMnistAvailable()) {
      const train = await loadFashionMnist(tf, "train", { limit: 512 });
      await model.fit(train.images, train.labels, { epochs: 1, batchSize: 128, verbose: 0 });
      tf.dispose([train.images, train.labels]);
      x = (await loadFashionMnist(tf, "t10k", { limit: 200 })).images;
    } else {
      x = tf.randomUniform([200, 28, 28, 1], 0, 1, "float32", 7);
    }
    const bytes = kerasToOnnx(model);
    const ops = fromBinary(ModelProtoSchema, bytes).graph!.node.map((n) => n.opType);
    expect(ops).toEqual(expect.arrayContaining(["Conv", "MaxPool", "Relu", "Reshape", "MatMul"]));
    await agree(model, bytes, x);
    await agree(model, bytes, x.slice([0, 0, 0, 0], [3, 28, 28, 1]));
    x.dispose();
  });

  it("models of other common layers (normalization, dropout, embedding, conv1d, padding, upsampling, a two-input functional model)", async () => {
    const L = keras.layers;
    const a = keras.input({ shape: [4], name: "left" });
    const b = keras.input({ shape: [4], name: "right" });
    const joined = L.concatenate().apply([L.dense({ units: 3 }).apply(a) as keras.KerasTensor, b]) as keras.KerasTensor;
    const summed = L.add().apply([L.dense({ units: 7 }).apply(joined) as keras.KerasTensor, L.dense({ units: 7 }).apply(joined) as keras.KerasTensor]);
    const models: [keras.Model, tf.Tensor[]][] = [
      [
        keras.sequential({ layers: [L.dense({ units: 16, inputShape: [8] }), L.batchNormalization(), L.dropout({ rate: 0.5 }), L.dense({ units: 3, activation: "softmax" })] }),
        [tf.randomNormal([5, 8], 0, 1, "float32", 1)],
      ],
      [keras.sequential({ layers: [L.dense({ units: 16, inputShape: [8] }), L.layerNormalization(), L.dense({ units: 4, activation: "tanh" })] }), [tf.randomNormal([5, 8], 0, 1, "float32", 2)]],
      [
        keras.sequential({ layers: [L.embedding({ inputDim: 20, outputDim: 4, inputShape: [6] }), L.conv1d({ filters: 3, kernelSize: 2 }), L.globalAveragePooling1d(), L.dense({ units: 2 })] }),
        [tf.tensor([[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 0]])],
      ],
      [
        keras.sequential({
          layers: [
            L.zeroPadding2d({ padding: 1, inputShape: [8, 8, 3] }),
            L.conv2d({ filters: 4, kernelSize: 3, padding: "same", strides: 2 }),
            L.upSampling2d({ size: 2 }),
            L.averagePooling2d({ poolSize: 2 }),
            L.globalMaxPooling2d(),
          ],
        }),
        [tf.randomNormal([2, 8, 8, 3], 0, 1, "float32", 3)],
      ],
      [keras.model({ inputs: [a, b], outputs: summed as keras.KerasTensor }), [tf.randomNormal([3, 4], 0, 1, "float32", 4), tf.randomNormal([3, 4], 0, 1, "float32", 5)]],
    ];
    for (const [model, xs] of models) {
      const bytes = kerasToOnnx(model);
      const expected = tf.tidy(() => kilnValues(model.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor));
      const [actual] = await runOnnx(bytes, xs);
      expectSame(actual!, expected, MODEL_TOLERANCE, model.name);
      tf.dispose(xs);
    }
  });

  it("a Keras LSTM over sequences of unknown length (its While becomes a Loop)", async () => {
    const model = keras.sequential({
      name: "lstm_model",
      layers: [keras.layers.lstm({ units: 8, inputShape: [null, 3] }), keras.layers.dense({ units: 2 })],
    });
    const bytes = kerasToOnnx(model);
    expect(fromBinary(ModelProtoSchema, bytes).graph!.node.map((n) => n.opType)).toContain("Loop");
    for (const [n, steps] of [
      [2, 5],
      [3, 12],
      [1, 1],
    ] as const) {
      const x = tf.randomNormal([n, steps, 3], 0, 1, "float32", steps);
      await agree(model, bytes, x);
      x.dispose();
    }
  });
});

/** An LSTM cell written with core ops, run over time with tf.whileLoop (the shape Keras's layer takes). */
function lstmFunction(units: number, features: number) {
  const kernel = new tf.Variable(tf.tidy(() => tf.randomNormal([features, 4 * units], 0, 0.3, "float32", 11)), { name: "lstm/kernel" });
  const recurrent = new tf.Variable(tf.tidy(() => tf.randomNormal([units, 4 * units], 0, 0.3, "float32", 12)), { name: "lstm/recurrent_kernel" });
  const bias = new tf.Variable(tf.tidy(() => tf.randomNormal([4 * units], 0, 0.1, "float32", 13)), { name: "lstm/bias" });
  return tf.function(
    (x: tf.Tensor) => {
      const batch = tf.slice(tf.shape(x), [0], [1]);
      const zeros = tf.fill(tf.concat([batch, tf.tensor([units], [1], "int32")], 0), 0);
      const steps = tf.reshape(tf.slice(tf.shape(x), [1], [1]), []);
      const timeMajor = tf.transpose(x, [1, 0, 2]);
      const [, h] = tf.whileLoop(
        (t) => tf.less(t!, steps),
        (t, h, c) => {
          const xt = tf.gather(timeMajor, t!);
          const z = tf.add(tf.add(tf.matMul(xt, kernel), tf.matMul(h!, recurrent)), bias);
          const [i, f, g, o] = tf.split(z, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
          const cNext = tf.add(tf.mul(tf.sigmoid(f), c!), tf.mul(tf.sigmoid(i), tf.tanh(g)));
          return [t!.add(1), tf.mul(tf.sigmoid(o), tf.tanh(cNext)), cNext];
        },
        [tf.scalar(0, "int32"), zeros, zeros],
      );
      return h!;
    },
    { autograph: false, inputSignature: [new tf.TensorSpec([null, null, features])] },
  );
}

describe("Keras sequence models", () => {
  it("GRU, SimpleRNN returning sequences, a bidirectional LSTM and masked padding agree in onnxruntime for several lengths", async () => {
    const L = keras.layers;
    const models = [
      keras.sequential({ name: "gru_model", layers: [L.gru({ units: 6, inputShape: [null, 4] }), L.dense({ units: 3 })] }),
      keras.sequential({ name: "rnn_sequences", layers: [L.simpleRNN({ units: 5, returnSequences: true, inputShape: [null, 4] }), L.gru({ units: 3 })] }),
      keras.sequential({ name: "bidirectional_lstm", layers: [L.bidirectional({ layer: L.lstm({ units: 4 }), inputShape: [null, 4] }), L.dense({ units: 2 })] }),
      keras.sequential({ name: "masked_lstm", layers: [L.masking({ maskValue: 0, inputShape: [null, 4] }), L.lstm({ units: 5 })] }),
    ];
    for (const model of models) {
      const bytes = kerasToOnnx(model);
      for (const [n, steps] of [
        [2, 6],
        [1, 3],
      ] as const) {
        // The last two steps of the first sequence are zeros: padding, which the masked model skips.
        const keep = Array.from({ length: n * steps }, (_, i) => (i < steps && i >= steps - 2 ? 0 : 1));
        const x = tf.tidy(() => tf.mul(tf.randomNormal([n, steps, 4], 0, 1, "float32", n * 10 + steps), tf.tensor(keep, [n, steps, 1])));
        await agree(model, bytes, x);
        x.dispose();
      }
    }
  });
});

describe("an LSTM cell loop written with tf.whileLoop", () => {
  it("exports as a Loop over a data-dependent number of timesteps and agrees for several lengths and batch sizes", async () => {
    const f = lstmFunction(6, 4);
    const cf = f.getConcreteFunction();
    const model = toOnnxModel(cf);
    expect(model.graph!.node.map((n) => n.opType)).toContain("Loop");
    expect(model.graph!.input.map((i) => i.name)).toEqual(["x"]);
    const bytes = toOnnx(cf);
    for (const [n, steps] of [
      [1, 1],
      [3, 9],
      [5, 40],
    ] as const) {
      const x = tf.randomNormal([n, steps, 4], 0, 1, "float32", n * 100 + steps);
      const expected = tf.tidy(() => kilnValues(cf(x) as tf.Tensor));
      const [actual] = await runOnnx(bytes, [x]);
      expectSame(actual!, expected, MODEL_TOLERANCE, `batch ${n}, ${steps} steps`);
      expect(maxAbsDiff(actual!, expected)).toBeLessThan(MODEL_TOLERANCE.atol);
      x.dispose();
    }
  });
});
