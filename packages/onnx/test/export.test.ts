/**
 * The model an export writes: inputs from the signature with `null` dims as named symbolic
 * dims (any size then runs), outputs named as asked, variables stored as initializers or
 * made graph inputs, captured tensors stored, files written by saveOnnx (on every backend,
 * async-only ones included), and every export passing the checker and loading in onnxruntime.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpu } from "@kiln/backend-cpu";
import { asyncOnly } from "@kiln/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkModel, saveOnnx, toOnnx, toOnnxModel } from "../src/index.js";
import { expectSame, kilnValues, runOnnx, session, tf, useCpu } from "./setup.js";

beforeAll(useCpu);

const dimsOf = (info: { type?: { value: { case?: string; value?: unknown } } }) => {
  const t = info.type?.value.case === "tensorType" ? (info.type.value.value as { shape?: { dim: { value: { value?: unknown } }[] } }) : undefined;
  return t?.shape?.dim.map((d) => (typeof d.value.value === "bigint" ? Number(d.value.value) : (d.value.value ?? null)));
};

describe("inputs and outputs", () => {
  it("null dims become named symbolic dims, and any size runs", async () => {
    const w = tf.tensor([[1, -1], [2, 0.5], [0, 3]]);
    const f = tf.function((x: tf.Tensor) => tf.relu(tf.matMul(x, w)), { inputSignature: [new tf.TensorSpec([null, 3], "float32", "features")] });
    const model = toOnnxModel(f);
    expect(model.graph!.input.map((i) => [i.name, dimsOf(i)])).toEqual([["features", ["features_dim0", 3]]]);
    expect(model.graph!.output.map((o) => [o.name, dimsOf(o)])).toEqual([["output_0", [null, 2]]]);
    const bytes = toOnnx(f);
    for (const n of [1, 2, 33, 256]) {
      const x = tf.randomNormal([n, 3], 0, 1, "float32", n);
      const [out] = await runOnnx(bytes, [x]);
      expectSame(out!, tf.tidy(() => kilnValues(f(x) as tf.Tensor)), { atol: 1e-6, rtol: 1e-6 }, `batch ${n}`);
      x.dispose();
    }
  });

  it("inputNames, outputNames and dimName name the graph's values", async () => {
    const f = tf.function((a: tf.Tensor, b: tf.Tensor) => [tf.add(a, b), tf.sub(a, b)], {
      inputSignature: [new tf.TensorSpec([null, null]), new tf.TensorSpec([null, null])],
    });
    const model = toOnnxModel(f, { inputNames: ["left", "right"], outputNames: ["sum", "difference"], dimName: (_, axis) => ["rows", "cols"][axis]! });
    expect(model.graph!.input.map((i) => [i.name, dimsOf(i)])).toEqual([
      ["left", ["rows", "cols"]],
      ["right", ["rows", "cols"]],
    ]);
    expect(model.graph!.output.map((o) => o.name)).toEqual(["sum", "difference"]);
    const s = await session(toOnnx(f, { outputNames: ["sum", "difference"] }));
    expect(s.outputNames).toEqual(["sum", "difference"]);
  });

  it("a function returning an input unchanged still has its own output value", async () => {
    const f = tf.function((x: tf.Tensor) => x, { inputSignature: [new tf.TensorSpec([2], "int32")] });
    const [out] = await runOnnx(toOnnx(f), [tf.tensor([4, 5], [2], "int32")]);
    expect(out!.data).toEqual([4, 5]);
  });
});

describe("variables and captured tensors", () => {
  let kernel: tf.Variable;
  let bias: tf.Tensor;
  let f: tf.PolymorphicFunction;
  beforeAll(() => {
    kernel = new tf.Variable(tf.tensor([[1, 2], [3, 4]]), { name: "dense/kernel" });
    bias = tf.tensor([0.5, -0.5]);
    f = tf.function((x: tf.Tensor) => tf.add(tf.matMul(x, kernel), bias), { inputSignature: [new tf.TensorSpec([null, 2])] });
  });
  afterAll(() => tf.dispose([kernel, bias]));

  it("are stored as initializers by default (the variable's current value)", async () => {
    const model = toOnnxModel(f);
    expect(model.graph!.initializer.map((t) => t.name)).toEqual(expect.arrayContaining(["dense_kernel"]));
    expect(model.graph!.input.map((i) => i.name)).toEqual(["x"]);
    const x = tf.tensor([[1, 1]]);
    const [out] = await runOnnx(toOnnx(f), [x]);
    expect(out!.data).toEqual([4.5, 5.5]);
  });

  it('become graph inputs with { variables: "inputs" }, so other weights can be fed', async () => {
    const model = toOnnxModel(f, { variables: "inputs" });
    expect(model.graph!.input.map((i) => [i.name, dimsOf(i)])).toEqual([
      ["x", ["x_dim0", 2]],
      ["dense_kernel", [2, 2]],
    ]);
    const [out] = await runOnnx(toOnnx(f, { variables: "inputs" }), { x: tf.tensor([[1, 1]]), dense_kernel: tf.tensor([[0, 1], [1, 0]]) });
    expect(out!.data).toEqual([1.5, 0.5]);
  });

  it("a variable passed as an argument is an input of its value's type", async () => {
    const g = tf.function((x: tf.Tensor, v: tf.Variable) => tf.mul(x, v.read()), { autograph: false });
    const cf = g.getConcreteFunction(new tf.TensorSpec([3]), new tf.Variable(tf.ones([3])));
    const model = toOnnxModel(cf);
    expect(model.graph!.input.map((i) => dimsOf(i))).toEqual([[3], [3]]);
    const [out] = await runOnnx(toOnnx(cf), [tf.tensor([1, 2, 3]), tf.tensor([2, 2, 2])]);
    expect(out!.data).toEqual([2, 4, 6]);
  });
});

describe("saveOnnx", () => {
  const f = tf.function((x: tf.Tensor) => tf.tanh(x), { inputSignature: [new tf.TensorSpec([null])] }) as tf.PolymorphicFunction;

  it("writes the model to a path and returns the bytes", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "kiln-onnx-")), "tanh.onnx");
    const bytes = await saveOnnx(f, path);
    expect(readFileSync(path)).toEqual(Buffer.from(bytes));
    expect(checkModel(readFileSync(path))).toEqual([]);
    expect(await saveOnnx(f, { bytes: true })).toEqual(bytes);
  });

  it("reads weights with await, so it exports from an async-only backend", async () => {
    const plugin = asyncOnly(cpu(), "cpu-async-onnx");
    if (!tf.listBackends().includes(plugin.name)) tf.registerBackend(plugin);
    await tf.setBackend(plugin.name);
    try {
      const w = new tf.Variable(tf.tensor([1, 2, 3]), { name: "w" });
      const g = tf.function((x: tf.Tensor) => tf.mul(x, w), { inputSignature: [new tf.TensorSpec([3])] });
      const bytes = await saveOnnx(g, { bytes: true });
      await tf.setBackend("cpu");
      const [out] = await runOnnx(bytes, { x: tf.tensor([1, 1, 2]) });
      expect(out!.data).toEqual([1, 2, 6]);
    } finally {
      await tf.setBackend("cpu");
    }
  });
});

describe("specialValues option", () => {
  const special = () => tf.tensor([Number.NaN, 1, 2, 3, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, 5, 0], [1, 2, 4, 1]);
  const f = tf.function((t: tf.Tensor) => [tf.maxPool(t, 2, 2, "valid"), tf.max(t, [2]), tf.argMax(tf.reshape(t, [2, 4]), 1)], { autograph: false });

  it("'kiln' (default) keeps Kiln's NaN and -Infinity rules in onnxruntime", async () => {
    const x = special();
    const cf = f.getConcreteFunction(x);
    const expected = tf.tidy(() => (cf(x) as tf.Tensor[]).map(kilnValues));
    const actual = await runOnnx(toOnnx(cf), [x]);
    expected.forEach((e, i) => expectSame(actual[i]!, e));
    expect(toOnnxModel(cf).graph!.node.map((n) => n.opType)).toContain("If");
  });

  it("'runtime' maps the ops to plain kernels (no guards) and agrees on ordinary values", async () => {
    const x = special();
    const cf = f.getConcreteFunction(x);
    const types = toOnnxModel(cf, { specialValues: "runtime" }).graph!.node.map((n) => n.opType);
    expect(types).not.toContain("If");
    expect(types).not.toContain("IsNaN");
    const ordinary = tf.tensor([4, 1, 2, 3, -1, -7, 5, 0], [1, 2, 4, 1]);
    const expected = tf.tidy(() => (cf(ordinary) as tf.Tensor[]).map(kilnValues));
    const actual = await runOnnx(toOnnx(cf, { specialValues: "runtime" }), [ordinary]);
    expected.forEach((e, i) => expectSame(actual[i]!, e));
  });

  it("an unknown value is an OnnxExportError naming the option and the valid values", () => {
    const x = special();
    const cf = f.getConcreteFunction(x);
    expect(() => toOnnx(cf, { specialValues: "fast" as never })).toThrow(/option specialValues must be "kiln" or "runtime", received "fast"/);
  });
});
