/**
 * Random ops export with their seeds. onnxruntime draws with its own generator, so values are
 * compared by what they must satisfy, not element by element: shape and dtype, the range of
 * uniform draws (integers in [minval, maxval)), the mean and spread of normal draws, the
 * two-standard-deviation bound of truncated normals (redrawn in a data-dependent Loop), and a
 * seeded model drawing the same values on every run of one session.
 */
import { describe, expect, it, beforeAll } from "vitest";
import { toOnnx, toOnnxModel } from "../src/index.js";
import { runOnnx, session, tf, useCpu, type Values } from "./setup.js";

beforeAll(useCpu);

const stats = (v: Values) => {
  const n = v.data.length;
  const mean = v.data.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(v.data.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { mean, sd, min: Math.min(...v.data), max: Math.max(...v.data) };
};

async function drawOnce(f: tf.PolymorphicFunction, inputs: tf.Tensor[] = []): Promise<{ values: Values; bytes: Uint8Array }> {
  const bytes = toOnnx(f);
  const [values] = await runOnnx(bytes, inputs);
  return { values: values!, bytes };
}

describe("random ops keep their distributions and seeds", () => {
  it("randomUniform float32: shape, range, seed attribute", async () => {
    const f = tf.function(() => tf.randomUniform([100, 50], -2, 3, "float32", 42), { inputSignature: [] });
    const node = toOnnxModel(f).graph!.node.find((n) => n.opType === "RandomUniform")!;
    expect(node.attribute.find((a) => a.name === "seed")?.f).toBe(42);
    const { values } = await drawOnce(f);
    expect(values.shape).toEqual([100, 50]);
    const s = stats(values);
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThan(3);
    expect(Math.abs(s.mean - 0.5)).toBeLessThan(0.1);
  });

  it("randomUniform int32 draws integers in [minval, maxval)", async () => {
    const f = tf.function(() => tf.randomUniform([2000], -3, 4, "int32", 5), { inputSignature: [] });
    const { values } = await drawOnce(f);
    expect(values.dtype).toBe("int32");
    expect(new Set(values.data)).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
  });

  it("randomNormal with a run-time shape (RandomNormalLike): mean and standard deviation", async () => {
    const f = tf.function((x: tf.Tensor) => tf.randomNormal(tf.shape(x), 5, 2, "float32", 9), { inputSignature: [new tf.TensorSpec([null, null])] });
    const x = tf.zeros([200, 60]);
    const { values } = await drawOnce(f, [x]);
    expect(values.shape).toEqual([200, 60]);
    const s = stats(values);
    expect(Math.abs(s.mean - 5)).toBeLessThan(0.1);
    expect(Math.abs(s.sd - 2)).toBeLessThan(0.1);
  });

  it("truncatedNormal stays within two standard deviations (a Loop redraws the rest)", async () => {
    const f = tf.function(() => tf.truncatedNormal([5000], 1, 0.5, "float32", 3), { inputSignature: [] });
    expect(toOnnxModel(f).graph!.node.map((n) => n.opType)).toContain("Loop");
    const { values } = await drawOnce(f);
    const s = stats(values);
    expect(s.min).toBeGreaterThanOrEqual(0);
    expect(s.max).toBeLessThanOrEqual(2);
    // A normal truncated at 2 sigma has a standard deviation of about 0.88 sigma.
    expect(Math.abs(s.sd - 0.88 * 0.5)).toBeLessThan(0.03);
  });

  it("a seeded op draws the same sequence in every new session (and new values on each run of one)", async () => {
    const seeded = tf.function(() => tf.randomNormal([8], 0, 1, "float32", 1), { inputSignature: [] });
    const bytes = toOnnx(seeded);
    const copy = Uint8Array.from(bytes); // a second, separate session
    const runs = async (b: Uint8Array) => [(await runOnnx(b, []))[0]!.data, (await runOnnx(b, []))[0]!.data];
    const [first, second] = await runs(bytes);
    const [again, againSecond] = await runs(copy);
    expect(again).toEqual(first);
    expect(againSecond).toEqual(second);
    expect(second).not.toEqual(first);
    expect((await session(bytes)).inputNames).toEqual([]);
  });
});

describe("stateless (tensor-seeded) random ops export as the runtime's draws", () => {
  it("a constant seed tensor becomes the seed attribute: a uniform draw in [minval, maxval)", async () => {
    const f = tf.function(() => tf.statelessRandomUniform([100, 50], [5, 1], { minval: -2, maxval: 3 }), { inputSignature: [] });
    const node = toOnnxModel(f).graph!.node.find((n) => n.opType === "RandomUniform")!;
    // [lo, hi] as hi * 2^32 + lo, the JS seed with the same Philox key (a float attribute).
    expect(node.attribute.find((a) => a.name === "seed")?.f).toBe(2 ** 32 + 5);
    const { values } = await drawOnce(f);
    expect(values.shape).toEqual([100, 50]);
    const s = stats(values);
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThan(3);
    expect(Math.abs(s.mean - 0.5)).toBeLessThan(0.1);
  });

  it("a seed computed at run time has no ONNX form: no seed attribute, new values on each run; int32 draws stay in range", async () => {
    const f = tf.function((seed: tf.Tensor, x: tf.Tensor) => tf.statelessRandomUniform(tf.shape(x), seed, { minval: -3, maxval: 4, dtype: "int32" }), {
      inputSignature: [new tf.TensorSpec([2], "int32"), new tf.TensorSpec([null])],
    });
    const model = toOnnxModel(f);
    const node = model.graph!.node.find((n) => n.opType === "RandomUniformLike")!;
    expect(node.attribute.find((a) => a.name === "seed")).toBeUndefined();
    const seed = tf.tensor([1, 2], [2], "int32");
    const x = tf.zeros([2000]);
    const bytes = toOnnx(f);
    const [first] = await runOnnx(bytes, [seed, x]);
    const [second] = await runOnnx(bytes, [seed, x]);
    expect(first!.dtype).toBe("int32");
    expect(new Set(first!.data)).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
    expect(second!.data).not.toEqual(first!.data);
    tf.dispose([seed, x]);
  });

  it("statelessRandomNormal and statelessTruncatedNormal keep their distributions", async () => {
    const normal = await drawOnce(tf.function(() => tf.statelessRandomNormal([20000], [3, 0], { mean: 5, stdDev: 2 }), { inputSignature: [] }));
    const n = stats(normal.values);
    expect(Math.abs(n.mean - 5)).toBeLessThan(0.1);
    expect(Math.abs(n.sd - 2)).toBeLessThan(0.1);
    const truncated = await drawOnce(tf.function(() => tf.statelessTruncatedNormal([5000], [3, 0], { mean: 1, stdDev: 0.5 }), { inputSignature: [] }));
    const t = stats(truncated.values);
    expect(t.min).toBeGreaterThanOrEqual(0);
    expect(t.max).toBeLessThanOrEqual(2);
  });
});
