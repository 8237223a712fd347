import * as tf from "@kiln/core";
import { CpuBackend } from "@kiln/backend-cpu";
import { describe, expect, it } from "vitest";
import { BufferPool } from "../../src/plan/buffer_pool.js";
import { dataSlot } from "../../src/plan/slots.js";
import { useCpu } from "../setup.js";

useCpu();

// DESIGN 5: plans keep dead intermediates' buffers and offer them to later kernels.
describe("BufferPool", () => {
  it("hands back only buffers of the same dtype and element count", () => {
    const backend = new CpuBackend();
    const pool = new BufferPool(backend);
    const f16 = backend.write(new Float32Array(16), [4, 4], "float32");
    const i16 = backend.write(new Int32Array(16), [16], "int32");
    pool.keep(f16, "float32", 16);
    pool.keep(i16, "int32", 16);
    expect(pool.take("float32", 8)).toBeUndefined();
    expect(pool.take("bool", 16)).toBeUndefined();
    expect(pool.take("float32", 16)).toBe(f16);
    expect(pool.take("float32", 16)).toBeUndefined();
    expect(pool.take("int32", 16)).toBe(i16);
    backend.disposeData(f16);
    backend.disposeData(i16);
    expect(backend.memory().numBuffers).toBe(0);
  });

  it("keeps owned buffers of its backend, and frees or releases everything else as before", () => {
    const backend = new CpuBackend();
    const other = new CpuBackend();
    const pool = new BufferPool(backend);
    const owned = dataSlot(backend, backend.write(new Float32Array(4), [4], "float32"), [4], "float32", true);
    const elsewhere = dataSlot(other, other.write(new Float32Array(4), [4], "float32"), [4], "float32", true);
    let released = 0;
    const borrowed = dataSlot(backend, backend.write(new Float32Array(4), [4], "float32"), [4], "float32", false, () => released++);
    pool.give(owned);
    pool.give(elsewhere);
    pool.give(borrowed);
    expect(other.memory().numBuffers).toBe(0);
    expect(released).toBe(1);
    expect(pool.take("float32", 4)).toBe(owned.dataId);
    expect(pool.take("float32", 4)).toBeUndefined();
    backend.disposeData(owned.dataId);
    backend.disposeData(borrowed.dataId);
  });

  it("frees at once what would take it past its byte budget, and drain frees the rest", () => {
    const backend = new CpuBackend();
    const pool = new BufferPool(backend);
    const big = 4 * 1024 * 1024; // 16 MiB of float32
    for (let i = 0; i < 3; i++) pool.keep(backend.write(new Float32Array(big), [big], "float32"), "float32", big);
    expect(backend.memory().numBuffers).toBe(2);
    pool.drain();
    expect(backend.memory()).toEqual({ numBuffers: 0, numBytes: 0 });
    expect(pool.take("float32", big)).toBeUndefined();
  });
});

describe("plans offer dead buffers to kernels (KernelArgs.out)", () => {
  const offered: boolean[] = [];
  const Twice = tf.defineOp({
    name: "TwiceForPoolTest",
    api: "twiceForPoolTest",
    family: "opaque",
    inputs: ["x"],
    grad: "none",
    infer: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
  });
  tf.registerKernel({
    op: Twice,
    backend: "cpu",
    run: (args) => {
      const backend = args.backend as CpuBackend;
      const out = args.out?.[0];
      offered.push(out !== undefined);
      const x = backend.values(args.inputs[0]!.dataId);
      const result = out !== undefined ? (backend.values(out) as Float32Array) : new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) result[i] = 2 * x[i]!;
      return [out ?? backend.write(result, args.outputs[0]!.shape, "float32")];
    },
  });
  const twice = (x: tf.Tensor) => tf.bind1(Twice, [x], {});

  it("a kernel may write into the buffer of an intermediate that died earlier in the call", () => {
    // t1 dies once t2 is made, so t3 (same size) is offered t1's buffer.
    const f = tf.function((x: tf.Tensor) => twice(twice(twice(x))));
    const x = tf.tensor([1, 2, 3]);
    const before = tf.memory();
    offered.length = 0;
    const y = f(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([8, 16, 24]);
    expect(offered).toEqual([false, false, true]);
    y.dispose();
    expect(tf.memory().numBytes).toBe(before.numBytes);
    x.dispose();
  });

  it("a kernel that ignores the offer leaves the buffer in the pool, and nothing leaks", () => {
    const f = tf.function((x: tf.Tensor) => tf.concat([twice(twice(x)), x], 0).neg());
    const x = tf.tensor([1, 2]);
    const before = tf.memory();
    const y = f(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([-4, -8, -1, -2]);
    y.dispose();
    expect(tf.memory().numBytes).toBe(before.numBytes);
    x.dispose();
  });

  it("a While loop reuses the previous iteration's buffers and leaks nothing", () => {
    const f = tf.function((x: tf.Tensor) => tf.whileLoop((i) => tf.less(i, 5), (i, v) => [i!.add(1), twice(v!)], [tf.scalar(0, "int32"), x])[1]!);
    const x = tf.tensor([1, -1]);
    tf.dispose(f(x)); // trace once
    const before = tf.memory();
    offered.length = 0;
    const y = f(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([32, -32]);
    // Iteration 1 writes a fresh buffer; from then on the value that just died is reused.
    expect(offered).toEqual([false, false, true, true, true]);
    y.dispose();
    expect(tf.memory()).toEqual(before);
    x.dispose();
  });
});

describe("buffer reuse: aliases and errors", () => {
  it("a loop value that aliases another's buffer keeps it alive after the original dies", () => {
    // `a` is returned twice (as b and c): the second is an alias of the first's buffer, and
    // when b dies next iteration its buffer must not be reused while c (then d) still reads it.
    const loop = (x: tf.Tensor, options: { maximumIterations?: number }) =>
      tf.whileLoop(
        (i) => tf.less(i, 6),
        (i, e, a, _b, c, d) => [i!.add(1), e!.add(tf.reverse(d!)), a!.add(1), a!, a!, c!],
        [tf.scalar(0, "int32"), tf.zeros([2]), x, tf.zeros([2]), tf.zeros([2]), tf.zeros([2])],
        options,
      )[1]!;
    const x = tf.tensor([1, 2]);
    const eager = tf.tidy(() => Array.from(loop(x, {}).dataSync()));
    for (const options of [{}, { maximumIterations: 100 }]) {
      const f = tf.function((t: tf.Tensor) => loop(t, options));
      const before = tf.memory();
      const traced = tf.tidy(() => Array.from((f(x) as tf.Tensor).dataSync()));
      expect(traced).toEqual(eager);
      for (const cf of f.concreteFunctions()) cf.dispose();
      expect(tf.memory()).toEqual(before);
    }
    x.dispose();
  });

  it("a kernel that throws leaves no offered buffer behind", () => {
    const f = tf.function((x: tf.Tensor, idx: tf.Tensor) => tf.gather(tf.reverse(x.add(1)), idx));
    const x = tf.tensor([1, 2, 3]);
    tf.dispose(f(x, tf.tensor([0], [1], "int32")));
    const bad = tf.tensor([9], [1], "int32");
    const before = tf.memory();
    expect(() => f(x, bad)).toThrow();
    expect(tf.memory()).toEqual(before);
    for (const cf of f.concreteFunctions()) cf.dispose();
    tf.dispose([x, bad]);
  });
});
