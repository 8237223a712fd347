/**
 * Recurrent layers against tfjs-layers 4.22 with identical weights (outputs, final states,
 * output masks), their gradients against finite differences on the eager (JS loop) and the
 * traced (one While plus a backpropagation-through-time While) paths, and the options:
 * masking, initial states, goBackwards, unroll, stateful, dropout, stacked and custom cells.
 */
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import * as keras from "../src/index.js";
import { runTimeLoop } from "../src/layers/recurrent/time_loop.js";
import { checkLayerGradients } from "./gradient_check.js";
import { maxAbsDiff, useCpu } from "./setup.js";
import { fromTfjs, tfc, tfl, toTfjs } from "./tfjs.js";

useCpu();

const L = keras.layers;
const T = tfl.layers;

type Out = tf.Tensor | tf.Tensor[];
const list = <T>(o: T | T[]): T[] => (Array.isArray(o) ? o : [o]);

/** Applies a Kiln layer and a tfjs layer with the Kiln layer's weights to the same input. */
function compare(
  kiln: keras.Layer,
  tfjs: tfl.layers.Layer,
  x: tf.Tensor,
  options: Record<string, unknown> = {},
  tolerance = 1e-5,
): tf.Tensor[] {
  const kilnOut = list(kiln.apply(x, options) as Out);
  tfjs.apply(toTfjs(x));
  tfjs.setWeights(kiln.getWeights().map(toTfjs));
  const tfjsOut = list(tfjs.apply(toTfjs(x), options) as tfc.Tensor | tfc.Tensor[]).map(fromTfjs);
  expect(kilnOut.length).toBe(tfjsOut.length);
  kilnOut.forEach((k, i) => {
    expect(k.shape).toEqual(tfjsOut[i]!.shape);
    expect(maxAbsDiff(k, tfjsOut[i]!)).toBeLessThan(tolerance);
  });
  return kilnOut;
}

const x3 = () => tf.randomNormal([2, 5, 4], 0, 1, "float32", 3);

describe("recurrent layers match tfjs-layers 4.22 with identical weights", () => {
  const layerCases: [string, (a: any) => keras.Layer, (a: any) => tfl.layers.Layer, Record<string, unknown>][] = [
    ["simpleRNN", L.simpleRNN, T.simpleRNN, { units: 3 }],
    ["simpleRNN relu, sequences", L.simpleRNN, T.simpleRNN, { units: 3, activation: "relu", returnSequences: true }],
    ["lstm", L.lstm, T.lstm, { units: 3 }],
    ["lstm sequences and states", L.lstm, T.lstm, { units: 3, returnSequences: true, returnState: true }],
    [
      "lstm backwards, sigmoid gates, forget bias",
      L.lstm,
      T.lstm,
      { units: 2, goBackwards: true, recurrentActivation: "sigmoid", unitForgetBias: true, returnSequences: true },
    ],
    ["lstm without bias", L.lstm, T.lstm, { units: 3, useBias: false, returnState: true }],
    ["gru", L.gru, T.gru, { units: 3, returnSequences: true, returnState: true }],
    ["gru backwards", L.gru, T.gru, { units: 2, goBackwards: true }],
  ];
  for (const [name, kiln, tfjs, args] of layerCases) {
    it(`${name}, eagerly and traced`, () => {
      const layer = kiln(structuredClone(args));
      const x = x3();
      const eager = compare(layer, tfjs(structuredClone(args)), x);
      const traced = list(tf.function((x: tf.Tensor) => layer.apply(x), { autograph: false })(x) as Out);
      traced.forEach((t, i) => expect(maxAbsDiff(t, eager[i]!)).toBeLessThan(1e-6));
    });
  }

  it("rnn over one cell and over stacked cells (states listed last cell first, like tfjs)", () => {
    compare(
      L.rnn({ cell: L.gruCell({ units: 3 }), returnSequences: true }),
      T.rnn({ cell: T.gruCell({ units: 3 }), returnSequences: true }),
      x3(),
    );
    const kiln = L.rnn({ cell: [L.lstmCell({ units: 3 }), L.simpleRNNCell({ units: 2 })], returnState: true });
    const tfjs = T.rnn({ cell: [T.lstmCell({ units: 3 }), T.simpleRNNCell({ units: 2 })], returnState: true });
    const out = compare(kiln, tfjs, x3());
    expect(out.map((o) => o.shape)).toEqual([
      [2, 2],
      [2, 2],
      [2, 3],
      [2, 3],
    ]);
  });

  it("cells called on one step match tfjs's cells", () => {
    for (const [kiln, tfjs, states] of [
      [L.lstmCell({ units: 3 }), T.lstmCell({ units: 3 }), 2],
      [L.gruCell({ units: 3 }), T.gruCell({ units: 3 }), 1],
      [L.simpleRNNCell({ units: 3 }), T.simpleRNNCell({ units: 3 }), 1],
    ] as const) {
      const inputs = [
        tf.randomNormal([2, 4], 0, 1, "float32", 1),
        ...Array.from({ length: states }, (_, i) => tf.randomNormal([2, 3], 0, 1, "float32", 2 + i)),
      ];
      const out = kiln.apply(inputs) as tf.Tensor[];
      tfjs.build([2, 4]);
      tfjs.setWeights(kiln.getWeights().map(toTfjs));
      const expected = (tfjs.call(inputs.map(toTfjs), {}) as tfc.Tensor[]).map(fromTfjs);
      out.forEach((o, i) => expect(maxAbsDiff(o, expected[i]!)).toBeLessThan(1e-5));
    }
  });

  it("initial states given to apply, eagerly and in a functional model", () => {
    const h0 = tf.randomNormal([2, 3], 0, 1, "float32", 8);
    const c0 = tf.randomNormal([2, 3], 0, 1, "float32", 9);
    const layer = L.lstm({ units: 3, returnState: true });
    const tfjs = T.lstm({ units: 3, returnState: true });
    const x = x3();
    const kilnOut = layer.apply(x, { initialState: [h0, c0] }) as tf.Tensor[];
    tfjs.apply(toTfjs(x));
    tfjs.setWeights(layer.getWeights().map(toTfjs));
    const tfjsOut = (tfjs.apply(toTfjs(x), { initialState: [toTfjs(h0), toTfjs(c0)] }) as tfc.Tensor[]).map(fromTfjs);
    kilnOut.forEach((k, i) => expect(maxAbsDiff(k, tfjsOut[i]!)).toBeLessThan(1e-5));
    const input = keras.input({ shape: [5, 4] });
    const h = keras.input({ shape: [3] });
    const c = keras.input({ shape: [3] });
    const model = keras.model({ inputs: [input, h, c], outputs: layer.apply(input, { initialState: [h, c] }) as keras.KerasTensor[] });
    (model.predict([x, h0, c0]) as tf.Tensor[]).forEach((p, i) => expect(maxAbsDiff(p, kilnOut[i]!)).toBeLessThan(1e-6));
  });

  it("a masked sequence (masking layer) matches tfjs, and the mask follows returnSequences", () => {
    const values = tf.randomNormal([2, 5, 4], 0, 1, "float32", 4);
    const keep = tf.tensor(
      [
        [1, 1, 0, 1, 0],
        [0, 1, 1, 1, 1],
      ],
      [2, 5, 1],
    );
    const x = tf.mul(values, keep);
    const kiln = keras.sequential({
      layers: [L.masking({ maskValue: 0, inputShape: [5, 4] }), L.lstm({ units: 3, returnSequences: true }), L.gru({ units: 2 })],
    });
    const tfjs = tfl.sequential({
      layers: [T.masking({ maskValue: 0, inputShape: [5, 4] }), T.lstm({ units: 3, returnSequences: true }), T.gru({ units: 2 })],
    });
    tfjs.setWeights(kiln.getWeights().map(toTfjs));
    const kilnOut = kiln.predict(x) as tf.Tensor;
    expect(maxAbsDiff(kilnOut, fromTfjs(tfjs.predict(toTfjs(x)) as tfc.Tensor))).toBeLessThan(1e-5);
    const eager = kiln.apply(x) as tf.Tensor;
    expect(maxAbsDiff(eager, kilnOut)).toBeLessThan(1e-6);
    // The LSTM's sequence output carries the mask; the GRU's last output does not.
    const masked = L.masking().apply(x) as tf.Tensor;
    const seq = L.lstm({ units: 2, returnSequences: true }).apply(masked) as tf.Tensor;
    expect(keras.getMask(seq)!.arraySync()).toEqual([
      [true, true, false, true, false],
      [false, true, true, true, true],
    ]);
    expect(keras.getMask(L.lstm({ units: 2 }).apply(masked) as tf.Tensor)).toBeUndefined();
  });

  it("embedding maskZero masks the ids that are 0 through a bidirectional-free stack, like tfjs", () => {
    const ids = tf.tensor(
      [
        [3, 1, 0, 0],
        [5, 0, 2, 7],
      ],
      [2, 4],
      "int32",
    );
    const kiln = keras.sequential({
      layers: [
        L.embedding({ inputDim: 8, outputDim: 3, maskZero: true, inputShape: [4] }),
        L.simpleRNN({ units: 2, returnSequences: true }),
        L.dense({ units: 2 }),
      ],
    });
    const tfjs = tfl.sequential({
      layers: [
        T.embedding({ inputDim: 8, outputDim: 3, maskZero: true, inputShape: [4] }),
        T.simpleRNN({ units: 2, returnSequences: true }),
        T.dense({ units: 2 }),
      ],
    });
    tfjs.setWeights(kiln.getWeights().map(toTfjs));
    const tids = tfc.tensor(ids.dataSync() as Int32Array, [2, 4], "int32");
    expect(maxAbsDiff(kiln.predict(ids) as tf.Tensor, fromTfjs(tfjs.predict(tids) as tfc.Tensor))).toBeLessThan(1e-5);
    const out = kiln.apply(ids) as tf.Tensor;
    expect(keras.getMask(out)!.arraySync()).toEqual([
      [true, true, false, false],
      [true, false, true, true],
    ]);
  });
});

describe("bidirectional and timeDistributed match tfjs-layers 4.22", () => {
  for (const mergeMode of ["concat", "sum", "mul", "ave", null] as const) {
    it(`bidirectional lstm, mergeMode ${mergeMode}, eagerly and traced`, () => {
      const make = (lib: typeof L | typeof T) =>
        (lib as typeof L).bidirectional({
          layer: (lib as typeof L).lstm({ units: 3, returnSequences: mergeMode !== "sum" }) as never,
          mergeMode,
        });
      const layer = make(L);
      const eager = compare(layer, make(T as never) as never, x3());
      const traced = list(tf.function((x: tf.Tensor) => layer.apply(x), { autograph: false })(x3()) as Out);
      traced.forEach((t, i) => expect(maxAbsDiff(t, eager[i]!)).toBeLessThan(1e-6));
    });
  }

  it("bidirectional gru with states, masked by an embedding, in a model", () => {
    const ids = tf.tensor(
      [
        [3, 1, 0, 0],
        [5, 0, 2, 7],
      ],
      [2, 4],
      "int32",
    );
    const kiln = keras.sequential({
      layers: [
        L.embedding({ inputDim: 8, outputDim: 3, maskZero: true, inputShape: [4] }),
        L.bidirectional({ layer: L.gru({ units: 2, returnSequences: true }) }),
        L.lstm({ units: 2 }),
      ],
    });
    const tfjs = tfl.sequential({
      layers: [
        T.embedding({ inputDim: 8, outputDim: 3, maskZero: true, inputShape: [4] }),
        T.bidirectional({ layer: T.gru({ units: 2, returnSequences: true }) as never }),
        T.lstm({ units: 2 }),
      ],
    });
    tfjs.setWeights(kiln.getWeights().map(toTfjs));
    const tids = tfc.tensor(ids.dataSync() as Int32Array, [2, 4], "int32");
    expect(maxAbsDiff(kiln.predict(ids) as tf.Tensor, fromTfjs(tfjs.predict(tids) as tfc.Tensor))).toBeLessThan(1e-5);
    const bidi = L.bidirectional({ layer: L.simpleRNN({ units: 2, returnState: true }) });
    const out = bidi.apply(x3()) as tf.Tensor[];
    expect(out.map((o) => o.shape)).toEqual([
      [2, 4],
      [2, 2],
      [2, 2],
    ]);
    expect(bidi.weights.map((w) => w.name)).toEqual([
      `${bidi.name}/forward_${bidi.forwardLayer.name.slice(8)}/kernel`,
      `${bidi.name}/forward_${bidi.forwardLayer.name.slice(8)}/recurrent_kernel`,
      `${bidi.name}/forward_${bidi.forwardLayer.name.slice(8)}/bias`,
      `${bidi.name}/backward_${bidi.forwardLayer.name.slice(8)}/kernel`,
      `${bidi.name}/backward_${bidi.forwardLayer.name.slice(8)}/recurrent_kernel`,
      `${bidi.name}/backward_${bidi.forwardLayer.name.slice(8)}/bias`,
    ]);
  });

  it("timeDistributed dense and conv layers, eagerly and traced with an unknown length", () => {
    const dense = L.timeDistributed({ layer: L.dense({ units: 2, activation: "tanh" }) });
    compare(dense, T.timeDistributed({ layer: T.dense({ units: 2, activation: "tanh" }) }), x3());
    expect(dense.weights.map((w) => w.name)).toEqual([`${dense.name}/kernel`, `${dense.name}/bias`]);
    const images = tf.randomNormal([2, 3, 5, 5, 1], 0, 1, "float32", 2);
    compare(
      L.timeDistributed({ layer: L.conv2d({ filters: 2, kernelSize: 3 }) }),
      T.timeDistributed({ layer: T.conv2d({ filters: 2, kernelSize: 3 }) }),
      images,
    );
    const fn = tf.function((x: tf.Tensor) => dense.apply(x), { autograph: false, inputSignature: [new tf.TensorSpec([null, null, 4])] });
    expect((fn(x3()) as tf.Tensor).shape).toEqual([2, 5, 2]);
    expect(maxAbsDiff(fn(x3()) as tf.Tensor, dense.apply(x3()) as tf.Tensor)).toBeLessThan(1e-6);
  });
});

describe("recurrent gradients match finite differences", () => {
  const gradCases: [string, () => keras.Layer, { mask?: boolean; states?: number }][] = [
    ["simpleRNN with sequences", () => L.simpleRNN({ units: 3, returnSequences: true }), {}],
    ["lstm with states and an initial state", () => L.lstm({ units: 3, returnState: true }), { states: 2 }],
    [
      "lstm masked, backwards",
      () => L.lstm({ units: 2, goBackwards: true, returnSequences: true, recurrentActivation: "sigmoid" }),
      { mask: true },
    ],
    ["gru", () => L.gru({ units: 3, returnSequences: true }), {}],
    ["gru resetAfter with an initial state", () => L.gru({ units: 2, resetAfter: true, returnState: true }), { states: 1 }],
    ["stacked cells", () => L.rnn({ cell: [L.gruCell({ units: 3 }), L.lstmCell({ units: 2 })], returnSequences: true }), {}],
    ["bidirectional lstm, masked", () => L.bidirectional({ layer: L.lstm({ units: 2, returnSequences: true }) }), { mask: true }],
    ["timeDistributed dense", () => L.timeDistributed({ layer: L.dense({ units: 2, activation: "tanh" }) }), {}],
  ];
  for (const traced of [false, true]) {
    for (const [name, make, opts] of gradCases) {
      it(`${name} (${traced ? "traced: While + backward While" : "eager: JS loop"})`, () => {
        const layer = make();
        const x = tf.randomNormal([2, 4, 3], 0, 1, "float32", 5);
        const states = Array.from({ length: opts.states ?? 0 }, (_, i) =>
          tf.randomNormal([2, i === 0 || opts.states === 2 ? (layer as keras.layers.LSTM).units : 2], 0, 1, "float32", 9 + i),
        );
        const mask =
          opts.mask === true
            ? tf.tensor(
                [
                  [1, 0, 1, 1],
                  [1, 1, 1, 0],
                ],
                [2, 4],
                "bool",
              )
            : undefined;
        checkLayerGradients(layer, [x, ...states], { traced, ...(mask === undefined ? {} : { callOptions: { mask } }) });
      });
    }
  }
});

describe("time loop structure (SPEC M4)", () => {
  const opsOf = (fn: tf.PolymorphicFunction, type: string) =>
    fn
      .concreteFunctions()
      .map((cf) => cf.graph.getOperations().filter((op) => op.type === type || (type === "While" && op.type === "StatelessWhile")).length);

  it("a traced LSTM is one While for any sequence length, with one trace when the length is declared unknown", () => {
    const model = keras.sequential({ layers: [L.lstm({ units: 4, inputShape: [null, 3] }), L.dense({ units: 1 })] });
    const outputs = [5, 9, 2].map((t) => model.predict(tf.randomNormal([2, t, 3], 0, 1, "float32", t)) as tf.Tensor);
    expect(outputs.map((o) => o.shape)).toEqual([
      [2, 1],
      [2, 1],
      [2, 1],
    ]);
    const predict = (model as unknown as { predictFunction(): { traced: tf.PolymorphicFunction } }).predictFunction().traced;
    expect(predict.tracingCount).toBe(1);
    expect(opsOf(predict, "While")).toEqual([1]);
    expect(opsOf(predict, "MatMul")[0]).toBeLessThan(4);
  });

  it("unroll runs one copy of the step per timestep inside a trace, with the same numbers", () => {
    const layer = L.gru({ units: 3, unroll: true, returnSequences: true });
    const x = x3();
    const fn = tf.function((x: tf.Tensor) => layer.apply(x), { autograph: false });
    const unrolled = fn(x) as tf.Tensor;
    const looped = tf.function((x: tf.Tensor) => L.gru({ units: 3, returnSequences: true, weights: layer.getWeights() }).apply(x), {
      autograph: false,
    })(x) as tf.Tensor;
    expect(maxAbsDiff(unrolled, looped)).toBeLessThan(1e-6);
    expect(opsOf(fn as unknown as tf.PolymorphicFunction, "While")).toEqual([0]);
    const dynamic = tf.function((x: tf.Tensor) => layer.apply(x), { autograph: false, inputSignature: [new tf.TensorSpec([2, null, 4])] });
    expect(() => dynamic(x)).toThrow(/unroll: true needs a known sequence length/);
  });
});

describe("stateful layers, dropout and custom cells", () => {
  it("a stateful LSTM carries its states from batch to batch until resetStates", () => {
    const layer = L.lstm({ units: 3, stateful: true, batchInputShape: [2, 4, 3] });
    const stateless = L.lstm({ units: 3 });
    const a = tf.randomNormal([2, 4, 3], 0, 1, "float32", 1);
    const b = tf.randomNormal([2, 4, 3], 0, 1, "float32", 2);
    layer.apply(a);
    stateless.apply(a);
    stateless.setWeights(layer.getWeights());
    const second = layer.apply(b) as tf.Tensor;
    // The same as running the two batches as one sequence.
    const joined = stateless.apply(tf.concat([a, b], 1)) as tf.Tensor;
    expect(maxAbsDiff(second, joined)).toBeLessThan(1e-5);
    layer.resetStates();
    expect(maxAbsDiff(layer.apply(b) as tf.Tensor, stateless.apply(b) as tf.Tensor)).toBeLessThan(1e-6);
    expect(() => layer.apply(tf.zeros([3, 4, 3]))).toThrow(keras.InputShapeError);
    expect(() => stateless.resetStates()).toThrow(/not stateful/);
    expect(() => L.lstm({ units: 3, stateful: true }).apply(tf.zeros([2, 4, 3]))).not.toThrow();
  });

  it("dropout and recurrentDropout act in training only, with one mask per sequence", () => {
    const layer = L.simpleRNN({
      units: 4,
      dropout: 0.5,
      recurrentDropout: 0.5,
      returnSequences: true,
      activation: "linear",
      useBias: false,
    });
    const x = tf.ones([64, 6, 3]);
    const inference = layer.apply(x) as tf.Tensor;
    const plain = L.simpleRNN({ units: 4, returnSequences: true, activation: "linear", useBias: false, weights: layer.getWeights() }).apply(
      x,
    ) as tf.Tensor;
    expect(maxAbsDiff(inference, plain)).toBe(0);
    const training = layer.apply(x, { training: true }) as tf.Tensor;
    expect(maxAbsDiff(training, inference)).toBeGreaterThan(1e-3);
    // With recurrent dropout off, the first step's output is the dropped input times the kernel: same mask at every step.
    const inputOnly = L.simpleRNN({
      units: 4,
      dropout: 0.5,
      activation: "linear",
      useBias: false,
      returnSequences: true,
      recurrentInitializer: "zeros",
    });
    const y = inputOnly.apply(x, { training: true }) as tf.Tensor;
    const steps = tf.unstack(y, 1);
    steps.forEach((s) => expect(maxAbsDiff(s, steps[0]!)).toBe(0));
    expect(() => L.lstm({ units: 2, dropout: 1 })).toThrow(keras.ConfigError);
  });

  it("with dropout masks, backpropagation through the While gives the unrolled loop's gradients (same masks)", () => {
    // Seeded masks, so the check below that something was dropped does not depend on luck.
    for (const cell of [L.lstmCell({ units: 3, dropout: 0.3, recurrentDropout: 0.4, seed: 5 }), L.simpleRNNCell({ units: 3, recurrentDropout: 0.5, seed: 5 })]) {
      cell.build([2, 4]);
      const w = tf.randomNormal([5, 2, 3], 0, 1, "float32", 21);
      const grads = tf.function((xs: tf.Tensor) => {
        // One recurrence (masks drawn once), run as a While with its BPTT and as a JS loop.
        const rec = cell.recurrence(xs, { training: true });
        const h0 = tf.zeros([2, 3]);
        const initial = cell instanceof keras.layers.LSTMCell ? [h0, tf.zeros([2, 3])] : [h0];
        return [false, true].flatMap((unroll) => {
          const tape = new tf.GradientTape();
          const loss = tape.record(() => {
            tape.watch([xs, ...rec.params]);
            const { outputs } = runTimeLoop(rec, initial, { goBackwards: false, unroll, returnSequences: true, mask: undefined, layer: "test" });
            return tf.sum(tf.mul(tf.transpose(outputs!, [1, 0, 2]), w));
          });
          return tape.gradient(loss, [xs, ...rec.params]) as tf.Tensor[];
        });
      });
      const all = grads(tf.randomNormal([5, 2, 4], 0, 1, "float32", 22)) as tf.Tensor[];
      const half = all.length / 2;
      expect(all[0]!.shape).toEqual([5, 2, 4]);
      for (let i = 0; i < half; i++) expect(maxAbsDiff(all[i]!, all[half + i]!), `gradient ${i}`).toBeLessThan(1e-5);
      // The masks really dropped something: the input gradient has zeros where units were dropped.
      expect(Array.from(all[0]!.dataSync()).some((v) => v === 0)).toBe(cell instanceof keras.layers.LSTMCell);
    }
  });

  it("a custom cell runs in the generic loop, eagerly and traced, and its gradients reach its weights", () => {
    class MinimalCell extends keras.layers.RNNCell {
      static override className = "TestMinimalCell";
      readonly stateSize = [3];
      kernel!: tf.Variable;
      recurrent!: tf.Variable;
      override build(shape: keras.Shape): void {
        this.kernel = this.addWeight("kernel", [shape.at(-1)!, 3], "float32", keras.initializers.glorotUniform({ seed: 1 }));
        this.recurrent = this.addWeight("recurrent", [3, 3], "float32", keras.initializers.glorotUniform({ seed: 2 }));
      }
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
        const [x, h] = inputs as tf.Tensor[];
        const y = tf.tanh(tf.add(tf.matMul(x!, this.kernel), tf.matMul(h!, this.recurrent)));
        return [y, y];
      }
    }
    const layer = L.rnn({ cell: new MinimalCell(), returnSequences: true });
    const x = tf.randomNormal([2, 4, 3], 0, 1, "float32", 6);
    const eager = layer.apply(x) as tf.Tensor;
    const reference = L.simpleRNN({ units: 3, useBias: false, returnSequences: true, weights: layer.getWeights() }).apply(x) as tf.Tensor;
    expect(maxAbsDiff(eager, reference)).toBeLessThan(1e-6);
    checkLayerGradients(layer, [x], { traced: true });
    expect(layer.getWeights().map((w) => w.shape)).toEqual([
      [3, 3],
      [3, 3],
    ]);
  });
});
