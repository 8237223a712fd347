/**
 * Attention layers: `multiHeadAttention` and `einsumDense` against tfjs-layers 4.22's own
 * (unexported) MultiHeadAttention and EinsumDense with identical weights (outputs and
 * attention scores, with attention, Keras and causal masks); `attention` and
 * `additiveAttention` (which tfjs lacks) against a direct computation; gradients against
 * finite differences, eagerly and traced; and a small transformer block that trains.
 */
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import * as keras from "../src/index.js";
import { checkLayerGradients } from "./gradient_check.js";
import { maxAbsDiff, useCpu } from "./setup.js";
import { fromTfjs, tfc, toTfjs } from "./tfjs.js";
// tfjs's attention layers are not exported: they come from its ES modules, a second copy of
// tfjs-layers whose classes (initializers included) must register after the main bundle's.
import { EinsumDense as TfjsEinsumDense } from "@tensorflow/tfjs-layers/dist/layers/nlp/einsum_dense.js";
import { MultiHeadAttention as TfjsMultiHeadAttention } from "@tensorflow/tfjs-layers/dist/layers/nlp/multihead_attention.js";

useCpu();

const L = keras.layers;
const randn = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float32", seed);

type Settable = { setWeights(w: tfc.Tensor[]): void };

/** tfjs's MHA; its `setWeights` sets its four projections (tfjs does not track them as its weights). */
function newTfjsAttention(args: Record<string, unknown>) {
  const layer = new TfjsMultiHeadAttention(args as never) as unknown as Record<
    "queryDense" | "keyDense" | "valueDense" | "outputDense",
    Settable
  > &
    Settable;
  layer.setWeights = (w: tfc.Tensor[]) =>
    [layer.queryDense, layer.keyDense, layer.valueDense, layer.outputDense].forEach((dense, i) =>
      dense.setWeights(w.slice(2 * i, 2 * i + 2)),
    );
  return layer;
}

/** tfjs's MHA with Kiln's weights, on the same inputs. */
function tfjsAttention(
  kiln: keras.layers.MultiHeadAttention,
  args: Record<string, unknown>,
  query: tf.Tensor,
  value: tf.Tensor,
  options: Record<string, unknown> = {},
) {
  const layer = newTfjsAttention(args) as unknown as {
    callAndReturnAttentionScores(q: tfc.Tensor, o: Record<string, unknown>): [tfc.Tensor, tfc.Tensor];
    setWeights(w: tfc.Tensor[]): void;
  };
  const q = toTfjs(query);
  const v = toTfjs(value);
  layer.callAndReturnAttentionScores(q, { value: v });
  layer.setWeights(kiln.getWeights().map(toTfjs));
  return layer.callAndReturnAttentionScores(q, { value: v, ...options }).map(fromTfjs);
}

describe("multiHeadAttention and einsumDense match tfjs-layers 4.22's", () => {
  it("einsumDense projections", () => {
    for (const [equation, outputShape, biasAxes, shape] of [
      ["abc,cde->abde", [null, 2, 3], "de", [2, 4, 5]],
      ["abcd,cde->abe", [null, 6], "e", [2, 4, 2, 3]],
      ["ab,bc->ac", [4], null, [3, 5]],
    ] as const) {
      const x = randn([...shape], 1);
      const kiln = L.einsumDense({ equation, outputShape: [...outputShape], biasAxes, activation: "relu" });
      const out = kiln.apply(x) as tf.Tensor;
      const tfjs = new TfjsEinsumDense({
        equation,
        outputShape: [...outputShape],
        biasAxes: biasAxes ?? undefined,
        activation: "relu",
      } as never) as unknown as {
        apply(x: tfc.Tensor): tfc.Tensor;
        setWeights(w: tfc.Tensor[]): void;
      };
      tfjs.apply(toTfjs(x));
      tfjs.setWeights(kiln.getWeights().map(toTfjs));
      expect(maxAbsDiff(out, fromTfjs(tfjs.apply(toTfjs(x))))).toBeLessThan(1e-5);
      expect(kiln.computeOutputShape([null, ...shape.slice(1)])).toEqual([null, ...out.shape.slice(1)]);
    }
  });

  const args = { numHeads: 2, keyDim: 3 };
  it("self- and cross-attention: outputs and attention scores", () => {
    const query = randn([2, 4, 5], 2);
    const value = randn([2, 6, 5], 3);
    const mha = L.multiHeadAttention(args);
    const [out, scores] = mha.apply([query, value], { returnAttentionScores: true }) as tf.Tensor[];
    const [tout, tscores] = tfjsAttention(mha, args, query, value);
    expect(out!.shape).toEqual([2, 4, 5]);
    expect(scores!.shape).toEqual([2, 2, 4, 6]);
    expect(maxAbsDiff(out!, tout!)).toBeLessThan(1e-5);
    expect(maxAbsDiff(scores!, tscores!)).toBeLessThan(1e-5);
    expect(mha.weights.map((w) => w.name.slice(mha.name.length + 1))).toEqual([
      "query/kernel",
      "query/bias",
      "key/kernel",
      "key/bias",
      "value/kernel",
      "value/bias",
      "attention_output/kernel",
      "attention_output/bias",
    ]);
  });

  it("an explicit attention mask and the causal mask", () => {
    const x = randn([2, 5, 4], 4);
    const mha = L.multiHeadAttention({ ...args, valueDim: 2, outputShape: 3 });
    const attentionMask = tf.tensor(
      Array.from({ length: 50 }, (_, i) => (i * 7) % 3 !== 0),
      [2, 5, 5],
      "bool",
    );
    const masked = mha.apply([x, x], { attentionMask }) as tf.Tensor;
    const [tmasked] = tfjsAttention(mha, { ...args, valueDim: 2, outputShape: [3] }, x, x, {
      attentionMask: tfc.tensor(attentionMask.dataSync() as Uint8Array, [2, 5, 5], "bool"),
    });
    expect(maxAbsDiff(masked, tmasked!)).toBeLessThan(1e-5);
    const [causal, scores] = mha.apply([x, x], { useCausalMask: true, returnAttentionScores: true }) as tf.Tensor[];
    const [tcausal] = tfjsAttention(mha, { ...args, valueDim: 2, outputShape: [3] }, x, x, { useCausalMask: true });
    expect(maxAbsDiff(causal!, tcausal!)).toBeLessThan(1e-5);
    // No weight on later positions.
    const s = scores!.arraySync() as number[][][][];
    expect(s[0]![1]![1]!.slice(2).every((v) => v === 0)).toBe(true);
  });

  it("Keras masks of query and value (from an embedding) mask the attention, and the output keeps the query's mask", () => {
    const ids = tf.tensor(
      [
        [4, 2, 0, 0],
        [1, 3, 3, 0],
      ],
      [2, 4],
      "int32",
    );
    const embedded = L.embedding({ inputDim: 6, outputDim: 4, maskZero: true }).apply(ids) as tf.Tensor;
    const mha = L.multiHeadAttention(args);
    const out = mha.apply([embedded, embedded]) as tf.Tensor;
    expect(keras.getMask(out)!.arraySync()).toEqual([
      [true, true, false, false],
      [true, true, true, false],
    ]);
    const q = toTfjs(embedded);
    (q as unknown as { kerasMask: tfc.Tensor }).kerasMask = tfc.tensor(keras.getMask(embedded)!.dataSync() as Uint8Array, [2, 4], "bool");
    const tfjs = newTfjsAttention(args) as unknown as {
      callAndReturnAttentionScores(q: tfc.Tensor, o: object): tfc.Tensor[];
      setWeights(w: tfc.Tensor[]): void;
    };
    tfjs.callAndReturnAttentionScores(q, { value: q });
    tfjs.setWeights(mha.getWeights().map(toTfjs));
    expect(maxAbsDiff(out, fromTfjs(tfjs.callAndReturnAttentionScores(q, { value: q })[0]!))).toBeLessThan(1e-5);
  });

  it("runs traced with unknown batch and lengths, and takes tfjs's call form (query, { value })", () => {
    const mha = L.multiHeadAttention({ numHeads: 3, keyDim: 2 });
    const q = randn([2, 3, 4], 5);
    const v = randn([2, 7, 4], 6);
    const eager = mha.apply(q, { value: v }) as tf.Tensor;
    const traced = tf.function((a: tf.Tensor, b: tf.Tensor) => mha.apply([a, b], { useCausalMask: false }), {
      autograph: false,
      inputSignature: [new tf.TensorSpec([null, null, 4]), new tf.TensorSpec([null, null, 4])],
    });
    expect(maxAbsDiff(traced(q, v) as tf.Tensor, eager)).toBeLessThan(1e-6);
    expect(() => mha.apply([q])).toThrow(keras.InputShapeError);
    expect(() => L.multiHeadAttention({ numHeads: 0, keyDim: 2 })).toThrow(keras.ConfigError);
  });
});

/** Keras 3's dense attention, written out: softmax(scores + mask) · value, zeroed at masked queries. */
function referenceAttention(scores: tf.Tensor, value: tf.Tensor, valueMask?: tf.Tensor, queryMask?: tf.Tensor, causal = false): tf.Tensor {
  return tf.tidy(() => {
    let s = scores;
    const [, tq, tv] = scores.shape as number[];
    if (valueMask !== undefined) s = tf.add(s, tf.mul(tf.sub(1, tf.expandDims(tf.cast(valueMask, "float32"), 1)), -1e9));
    if (causal) {
      const lower = tf.tensor(
        Array.from({ length: tq! * tv! }, (_, i) => (Math.floor(i / tv!) >= i % tv! ? 0 : -1e9)),
        [1, tq!, tv!],
      );
      s = tf.add(s, lower);
    }
    let out = tf.matMul(tf.softmax(s, -1), value);
    if (queryMask !== undefined) out = tf.mul(out, tf.expandDims(tf.cast(queryMask, "float32"), -1));
    return out;
  });
}

describe("attention and additiveAttention (Keras 3 semantics)", () => {
  const q = randn([2, 3, 4], 7);
  const v = randn([2, 5, 4], 8);
  const k = randn([2, 5, 4], 9);
  const valueMask = tf.tensor(
    [
      [1, 1, 1, 0, 0],
      [1, 1, 1, 1, 1],
    ],
    [2, 5],
    "bool",
  );
  const queryMask = tf.tensor(
    [
      [1, 0, 1],
      [1, 1, 1],
    ],
    [2, 3],
    "bool",
  );

  it("dot-product attention: plain, scaled, with a key, with masks, causal, with scores", () => {
    expect(maxAbsDiff(L.attention().apply([q, v]) as tf.Tensor, referenceAttention(tf.matMul(q, v, false, true), v))).toBeLessThan(1e-5);
    const scaled = L.attention({ useScale: true });
    scaled.apply([q, v, k]);
    scaled.setWeights([tf.scalar(0.5)]);
    expect(maxAbsDiff(scaled.apply([q, v, k]) as tf.Tensor, referenceAttention(tf.mul(tf.matMul(q, k, false, true), 0.5), v))).toBeLessThan(
      1e-5,
    );
    const masked = L.attention().apply([q, v], { mask: [queryMask, valueMask] }) as tf.Tensor;
    expect(maxAbsDiff(masked, referenceAttention(tf.matMul(q, v, false, true), v, valueMask, queryMask))).toBeLessThan(1e-5);
    const self = randn([2, 4, 3], 10);
    const [causal, weights] = L.attention().apply([self, self], { useCausalMask: true, returnAttentionScores: true }) as tf.Tensor[];
    expect(maxAbsDiff(causal!, referenceAttention(tf.matMul(self, self, false, true), self, undefined, undefined, true))).toBeLessThan(
      1e-5,
    );
    expect(weights!.shape).toEqual([2, 4, 4]);
  });

  it("concat scores and additive attention", () => {
    const concat = L.attention({ scoreMode: "concat" });
    const scores = tf.sum(tf.tanh(tf.add(tf.expandDims(q, 2), tf.expandDims(v, 1))), -1);
    expect(maxAbsDiff(concat.apply([q, v]) as tf.Tensor, referenceAttention(scores, v))).toBeLessThan(1e-5);
    const additive = L.additiveAttention();
    const out = additive.apply([q, v, k], { mask: [undefined, valueMask] }) as tf.Tensor;
    const scale = additive.getWeights()[0]!;
    const additiveScores = tf.sum(tf.mul(tf.tanh(tf.add(tf.expandDims(q, 2), tf.expandDims(k, 1))), scale), -1);
    expect(maxAbsDiff(out, referenceAttention(additiveScores, v, valueMask))).toBeLessThan(1e-5);
    expect(L.additiveAttention({ useScale: false }).apply([q, v]) as tf.Tensor).toBeTruthy();
  });

  it("the output keeps the query's mask; dropout acts in training only", () => {
    const masked = L.masking().apply(tf.mul(q, tf.expandDims(tf.cast(queryMask, "float32"), -1))) as tf.Tensor;
    const out = L.attention().apply([masked, v]) as tf.Tensor;
    expect(keras.getMask(out)!.arraySync()).toEqual(queryMask.arraySync());
    const dropped = L.attention({ dropout: 0.5 });
    expect(maxAbsDiff(dropped.apply([q, v]) as tf.Tensor, L.attention().apply([q, v]) as tf.Tensor)).toBe(0);
    expect(maxAbsDiff(dropped.apply([q, v], { training: true }) as tf.Tensor, L.attention().apply([q, v]) as tf.Tensor)).toBeGreaterThan(
      1e-3,
    );
  });
});

describe("attention gradients match finite differences", () => {
  const cases: [string, () => keras.Layer, number[][], Record<string, unknown>][] = [
    [
      "multiHeadAttention, causal",
      () => L.multiHeadAttention({ numHeads: 2, keyDim: 2 }),
      [
        [2, 3, 3],
        [2, 3, 3],
      ],
      { useCausalMask: true },
    ],
    [
      "multiHeadAttention, cross with a key",
      () => L.multiHeadAttention({ numHeads: 1, keyDim: 2, valueDim: 3, outputShape: 2 }),
      [
        [1, 2, 3],
        [1, 4, 3],
        [1, 4, 3],
      ],
      {},
    ],
    [
      "attention, scaled",
      () => L.attention({ useScale: true }),
      [
        [2, 3, 2],
        [2, 4, 2],
      ],
      {},
    ],
    [
      "attention, concat",
      () => L.attention({ scoreMode: "concat" }),
      [
        [2, 3, 2],
        [2, 4, 2],
      ],
      {},
    ],
    [
      "additiveAttention",
      () => L.additiveAttention(),
      [
        [2, 3, 2],
        [2, 4, 2],
        [2, 4, 2],
      ],
      {},
    ],
    ["einsumDense", () => L.einsumDense({ equation: "abc,cde->abde", outputShape: [null, 2, 2], biasAxes: "de" }), [[2, 3, 2]], {}],
  ];
  for (const traced of [false, true]) {
    for (const [name, make, shapes, callOptions] of cases) {
      it(`${name} (${traced ? "traced" : "eager"})`, () => {
        const layer = make();
        const inputs = shapes.map((s, i) => randn(s, 20 + i));
        checkLayerGradients(layer, inputs, { traced, callOptions });
      });
    }
  }
});

describe("a small transformer block", () => {
  function block(seed: number): keras.Functional {
    const x = keras.input({ shape: [null, 8] });
    const attended = L.multiHeadAttention({ numHeads: 2, keyDim: 4, kernelInitializer: keras.initializers.glorotUniform({ seed }) }).apply(
      [x, x],
      { useCausalMask: true },
    ) as keras.KerasTensor;
    const h = L.layerNormalization().apply(L.add().apply([x, attended]) as keras.KerasTensor) as keras.KerasTensor;
    const ff = L.dense({ units: 8, kernelInitializer: keras.initializers.glorotUniform({ seed: seed + 1 }) }).apply(
      L.dense({ units: 16, activation: "gelu", kernelInitializer: keras.initializers.glorotUniform({ seed: seed + 2 }) }).apply(
        h,
      ) as keras.KerasTensor,
    ) as keras.KerasTensor;
    const y = L.layerNormalization().apply(L.add().apply([h, ff]) as keras.KerasTensor) as keras.KerasTensor;
    return keras.model({
      inputs: x,
      outputs: L.dense({ units: 1, kernelInitializer: keras.initializers.glorotUniform({ seed: seed + 3 }) }).apply(y) as keras.KerasTensor,
    });
  }

  it("trains traced with one trace for two lengths, and matches runEagerly training", async () => {
    const x1 = randn([8, 6, 8], 30);
    const x2 = randn([8, 9, 8], 31);
    const target = (x: tf.Tensor) => tf.cumsum(tf.mean(x, -1, true), 1);
    const traced = block(1);
    const eager = block(1);
    traced.compile({ optimizer: keras.optimizers.adam(0.01), loss: "meanSquaredError" });
    eager.compile({ optimizer: keras.optimizers.adam(0.01), loss: "meanSquaredError", runEagerly: true });
    const a: number[] = [];
    const b: number[] = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      for (const x of [x1, x2]) {
        a.push(...(await traced.fit(x, target(x), { epochs: 1, batchSize: 8, verbose: 0 })).history.loss!);
        b.push(...(await eager.fit(x, target(x), { epochs: 1, batchSize: 8, verbose: 0 })).history.loss!);
      }
    }
    expect(traced.trainFunction().traced!.tracingCount).toBe(1);
    a.forEach((l, i) => expect(Math.abs(l - b[i]!)).toBeLessThan(1e-4));
    expect(a.at(-1)!).toBeLessThan(a[0]!);
  });
});
