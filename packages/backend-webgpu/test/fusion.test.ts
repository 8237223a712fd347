import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { fusedKernelWgsl } from "../src/index.js";
import { gpu } from "./gpu.js";
import { disposeFunctions, gpuBackend, readAll, useWebGPU } from "./helpers.js";

// Fusion on webgpu: elementwise clusters and epilogues of contractions and
// reductions become single generated kernels; a traced call is one command buffer; the
// generated WGSL can be printed (snapshots below pin it down).
describe.runIf(gpu.available)("fused kernels on webgpu", () => {
  useWebGPU();

  /** Dispatches and submits of one call of `f` (results read afterwards, not counted). */
  async function count(
    f: (...xs: tf.Tensor[]) => tf.TensorLike | unknown,
    inputs: tf.Tensor[],
  ): Promise<{ dispatches: number; submits: number; values: number[] }> {
    const before = gpuBackend().stats();
    const y = tf.tidy(() => f(...inputs) as tf.Tensor);
    // Submitted at the end of this JS task (the read below would submit too).
    await Promise.resolve();
    const after = gpuBackend().stats();
    const values = Array.from(await y.data());
    y.dispose();
    return { dispatches: after.dispatches - before.dispatches, submits: after.submits - before.submits, values };
  }

  const chain = (x: tf.Tensor) => {
    let y = x;
    for (const step of [tf.exp, tf.neg, tf.sigmoid, tf.square, tf.sqrt, tf.tanh, tf.abs, tf.relu, tf.log1p, tf.sin]) y = step(y);
    return y;
  };

  it("a traced 10-op elementwise chain is one dispatch in one command buffer; eagerly it is one dispatch per primitive op", async () => {
    const x = tf.tensor(Array.from({ length: 64 }, (_, i) => (i - 32) / 16));
    const f = tf.function(chain);
    await count(f, [x]);
    const traced = await count(f, [x]);
    expect(traced.dispatches).toBe(1);
    expect(traced.submits).toBe(1);
    const eager = await count(chain, [x]);
    expect(eager.dispatches).toBeGreaterThanOrEqual(10);
    expect(traced.values).toEqual(eager.values);
    x.dispose();
    disposeFunctions(f);
  });

  it("relu(matMul(x, w) + b) is one matmul dispatch storing through the epilogue, equal to eager bit for bit", async () => {
    const x = tf.randomUniform([5, 12], -1, 1, "float32", 1);
    const w = tf.randomUniform([12, 8], -1, 1, "float32", 2);
    const b = tf.randomUniform([8], -1, 1, "float32", 3);
    const dense = (a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.relu(tf.add(tf.matMul(a, ww), bb));
    const f = tf.function(dense);
    await count(f, [x, w, b]);
    const traced = await count(f, [x, w, b]);
    expect(traced.dispatches).toBe(1);
    expect(traced.values).toEqual((await readAll(() => dense(x, w, b)))[0]);
    tf.dispose([x, w, b]);
    disposeFunctions(f);
  });

  it("sqrt(mean(x, 1)) + 1 is one reduction dispatch with the epilogue in its last pass", async () => {
    const x = tf.randomUniform([6, 300], 0, 2, "float32", 4);
    const g = (a: tf.Tensor) => tf.sqrt(tf.mean(a, 1)).add(1);
    const f = tf.function(g);
    await count(f, [x]);
    const traced = await count(f, [x]);
    expect(traced.dispatches).toBe(1);
    expect(traced.values).toEqual((await readAll(() => g(x)))[0]);
    x.dispose();
    disposeFunctions(f);
  });

  it("a repeated traced call compiles no pipeline and creates no GPU buffer or bind group (pooled buffers, cached pipelines and bind groups)", async () => {
    const x = tf.randomUniform([16, 32], -1, 1, "float32", 5);
    const w = tf.randomUniform([32, 32], -1, 1, "float32", 6);
    const mlp = tf.function((a: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.tanh(tf.matMul(tf.relu(tf.matMul(a, ww)), ww))));
    for (let i = 0; i < 2; i++) (await readAll(() => mlp(x, w) as tf.Tensor))[0];
    const before = gpuBackend().stats();
    for (let i = 0; i < 3; i++) await readAll(() => mlp(x, w) as tf.Tensor);
    const after = gpuBackend().stats();
    expect(after.pipelines - before.pipelines).toBe(0);
    expect(after.buffersCreated - before.buffersCreated).toBe(0);
    expect(after.bindGroupsCreated - before.bindGroupsCreated).toBe(0);
    expect(after.dispatches - before.dispatches).toBeGreaterThan(0);
    tf.dispose([x, w]);
    disposeFunctions(mlp);
  });

  describe("generated WGSL (fusedKernelWgsl)", () => {
    it("an elementwise chain with a broadcast bias row", async () => {
      const f = tf.function((x: tf.Tensor, b: tf.Tensor) => tf.sigmoid(tf.add(x, b)).mul(x).sub(1));
      const cf = f.getConcreteFunction(new tf.TensorSpec([4, 8]), new tf.TensorSpec([8]));
      const kernels = fusedKernelWgsl(cf, gpuBackend());
      expect(kernels.map((k) => [k.head, k.ops])).toEqual([[undefined, ["AddV2", "Sigmoid", "Mul", "Sub"]]]);
      await expect(kernels[0]!.wgsl).toMatchFileSnapshot("__snapshots__/bias_sigmoid_chain.wgsl");
      disposeFunctions(f);
    });

    it("a dense layer: the tiled matMul with bias and relu as its epilogue", async () => {
      const f = tf.function((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.relu(tf.add(tf.matMul(x, w), b)));
      const cf = f.getConcreteFunction(new tf.TensorSpec([128, 64]), new tf.TensorSpec([64, 32]), new tf.TensorSpec([32]));
      const kernels = fusedKernelWgsl(cf, gpuBackend());
      expect(kernels.map((k) => [k.head, k.ops])).toEqual([["MatMul", ["AddV2", "Relu"]]]);
      await expect(kernels[0]!.wgsl).toMatchFileSnapshot("__snapshots__/dense_relu.wgsl");
      disposeFunctions(f);
    });

    it("a reduction with an elementwise epilogue", async () => {
      const f = tf.function((x: tf.Tensor) => tf.sqrt(tf.mean(x, -1)));
      const cf = f.getConcreteFunction(new tf.TensorSpec([8, 16]));
      const kernels = fusedKernelWgsl(cf, gpuBackend());
      expect(kernels.map((k) => [k.head, k.ops])).toEqual([["Mean", ["Sqrt"]]]);
      await expect(kernels[0]!.wgsl).toMatchFileSnapshot("__snapshots__/mean_sqrt.wgsl");
      disposeFunctions(f);
    });
  });

  describe("Backend.fusedKernelSource (what cf.planSummary() and the playground show)", () => {
    it("is the WGSL of every program compileFused dispatches for the cluster, and the plan summary's fused step shows it", async () => {
      const f = tf.function((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.relu(tf.add(tf.matMul(x, w), b)));
      const cf = f.getConcreteFunction(new tf.TensorSpec([16, 8]), new tf.TensorSpec([8, 4]), new tf.TensorSpec([4]));
      const backend = gpuBackend();
      const [cluster] = cf.planFor(backend).clusters;
      const compiled = backend.compileFused(cluster!) as { programs?: readonly { source: string }[] } | undefined;
      const source = backend.fusedKernelSource(cluster!);
      expect(source).toEqual({ language: "wgsl", code: compiled!.programs!.map((p) => p.source).join("\n") });
      expect(source!.code).toContain("@compute");
      const fused = cf.planSummary().steps.filter((step) => step.source !== undefined);
      expect(fused.map((step) => step.source)).toEqual([source]);
      disposeFunctions(f);
    });

    it("is undefined for a cluster the backend declines (more storage buffers than a shader may bind), as compileFused is", async () => {
      const f = tf.function((x: tf.Tensor, y: tf.Tensor) => tf.relu(tf.add(x, y)));
      const cf = f.getConcreteFunction(new tf.TensorSpec([4]), new tf.TensorSpec([4]));
      const backend = gpuBackend();
      const [real] = cf.planFor(backend).clusters;
      const add = real!.ops[0]!;
      // A sum of as many inputs as a shader stage may bind storage buffers: with its output, one too many.
      const n = backend.limits.maxStorageBuffersPerShaderStage;
      const wide: tf.FusedCluster = {
        shape: [4],
        inputs: Array.from({ length: n }, () => real!.inputs[0]!),
        ops: Array.from({ length: n - 1 }, (_, i) => ({
          op: add.op,
          attrs: add.attrs,
          operands: [i === 0 ? { input: 0 } : { op: i - 1 }, { input: i + 1 }],
          dtype: "float32" as const,
        })),
        outputs: [n - 2],
      };
      expect(backend.compileFused(wide)).toBeUndefined();
      expect(backend.fusedKernelSource(wide)).toBeUndefined();
      disposeFunctions(f);
    });
  });

  it("a fused broadcasting cluster over an empty shape compiles (its zero dim is not baked as a divisor) and the device stays error-free", async () => {
    const a = tf.zeros([2, 0, 3]);
    const b = tf.tensor([1, 2, 3, 4, 5, 6], [2, 1, 3]);
    const f = tf.function((x: tf.Tensor, y: tf.Tensor) => tf.relu(tf.mul(tf.add(x, y), y)));
    const [empty] = await readAll(() => f(a, b));
    expect(empty).toEqual([]);
    // A shader that failed to compile would surface as a WebGPUDeviceError at this read.
    expect(await readAll(() => tf.add(b, 1))).toEqual([[2, 3, 4, 5, 6, 7]]);
    tf.dispose([a, b]);
    disposeFunctions(f);
  });
});
