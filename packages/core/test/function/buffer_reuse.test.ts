import { CpuBackend } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { BufferPool } from "../../src/plan/buffer_pool.js";
import { dataSlot } from "../../src/plan/slots.js";
import { liveMemory, useCpu } from "../setup.js";

useCpu();

// Plans keep dead intermediates' buffers and offer them to later kernels.
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

  it("stays within its byte budget by freeing its oldest buffers, and drain frees the rest", () => {
    const backend = new CpuBackend();
    const pool = new BufferPool(backend);
    const big = 4 * 1024 * 1024; // 16 MiB of float32
    const ids = [0, 1, 2].map(() => backend.write(new Float32Array(big), [big], "float32"));
    for (const id of ids) pool.keep(id, "float32", big);
    expect(backend.memory().numBuffers).toBe(2);
    // The newest two stay: the workload running now wins over what earlier ones left.
    const kept = [pool.take("float32", big), pool.take("float32", big)];
    expect(kept.includes(ids[1]) && kept.includes(ids[2])).toBe(true);
    for (const id of [ids[1]!, ids[2]!]) pool.keep(id, "float32", big);
    // A buffer larger than the whole budget is never kept.
    pool.keep(backend.write(new Float32Array(9 * big), [9 * big], "float32"), "float32", 9 * big);
    expect(backend.memory().numBuffers).toBe(2);
    pool.drain();
    expect(backend.memory()).toEqual({ numBuffers: 0, numBytes: 0 });
    expect(pool.take("float32", big)).toBeUndefined();
  });

  it("evicts across sizes and dtypes in the order buffers were kept", () => {
    const backend = new CpuBackend();
    const pool = new BufferPool(backend, 64);
    const a = backend.write(new Float32Array(8), [8], "float32"); // 32 bytes
    const b = backend.write(new Int32Array(4), [4], "int32"); // 16 bytes
    const c = backend.write(new Float32Array(6), [6], "float32"); // 24 bytes
    pool.keep(a, "float32", 8);
    pool.keep(b, "int32", 4);
    pool.keep(c, "float32", 6); // 72 > 64: a, the oldest, goes
    expect(pool.bytes).toBe(40);
    expect(pool.take("float32", 8)).toBeUndefined();
    expect(pool.take("int32", 4)).toBe(b);
    expect(pool.take("float32", 6)).toBe(c);
    expect(backend.memory().numBuffers).toBe(2);
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
    // The intermediates t1 and t2 have static shapes, so the plan gives them buffers ahead of
    // time (t2 cannot reuse t1's: t1 is its input). The result escapes the call; it takes t1's
    // buffer from the pool on later calls, once the plan's reservation is back in the pool.
    tf.releasePools();
    const f = tf.function((x: tf.Tensor) => twice(twice(twice(x))));
    const x = tf.tensor([1, 2, 3]);
    const before = liveMemory();
    offered.length = 0;
    const y = f(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([8, 16, 24]);
    expect(offered).toEqual([true, true, false]);
    expect(f.getConcreteFunction(x).planFor(tf.getRuntime().backends.active()).plannedBytes).toBe(24);
    y.dispose();
    expect(tf.memory().numBytes).toBe(before.numBytes);
    x.dispose();
  });

  it("a kernel that ignores the offer leaves the buffer in the pool, and nothing leaks", () => {
    const f = tf.function((x: tf.Tensor) => tf.concat([twice(twice(x)), x], 0).neg());
    const x = tf.tensor([1, 2]);
    const before = liveMemory();
    const y = f(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([-4, -8, -1, -2]);
    y.dispose();
    expect(tf.memory().numBytes).toBe(before.numBytes);
    x.dispose();
  });

  it("a While loop reuses the previous iteration's buffers and leaks nothing", () => {
    const f = tf.function(
      (x: tf.Tensor) =>
        tf.whileLoop(
          (i) => tf.less(i, 5),
          (i, v) => [i!.add(1), twice(v!)],
          [tf.scalar(0, "int32"), x],
        )[1]!,
    );
    const x = tf.tensor([1, -1]);
    tf.dispose(f(x)); // trace once
    const before = liveMemory();
    offered.length = 0;
    const y = f(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([32, -32]);
    // Every iteration writes into a dead buffer: the previous call's buffers wait in the
    // runtime's pool, and from iteration 2 on the value that just died is reused.
    expect(offered).toEqual([true, true, true, true, true]);
    y.dispose();
    expect(liveMemory()).toEqual(before);
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
      const before = liveMemory();
      const traced = tf.tidy(() => Array.from((f(x) as tf.Tensor).dataSync()));
      expect(traced).toEqual(eager);
      for (const cf of f.concreteFunctions()) cf.dispose();
      expect(liveMemory()).toEqual(before);
    }
    x.dispose();
  });

  it("a kernel that throws leaves no offered buffer behind", () => {
    const f = tf.function((x: tf.Tensor, idx: tf.Tensor) => tf.gather(tf.reverse(x.add(1)), idx));
    const x = tf.tensor([1, 2, 3]);
    tf.dispose(f(x, tf.tensor([0], [1], "int32")));
    const bad = tf.tensor([9], [1], "int32");
    const before = liveMemory();
    expect(() => f(x, bad)).toThrow();
    expect(liveMemory()).toEqual(before);
    for (const cf of f.concreteFunctions()) cf.dispose();
    tf.dispose([x, bad]);
  });
});

/** Counts the buffers the active backend creates while `fn` runs (every cpu buffer is made by `write`). */
function allocationsDuring(fn: () => void): number {
  const backend = tf.getRuntime().backends.active();
  const write = backend.write;
  let count = 0;
  backend.write = (...args) => {
    count++;
    return write.apply(backend, args);
  };
  try {
    fn();
  } finally {
    backend.write = write;
  }
  return count;
}

describe("memory reuse across calls (the runtime's pools)", () => {
  it("a steady traced training step allocates no new buffers, and updates variables in place", () => {
    const w = new tf.Variable(tf.randomNormal([8, 4], 0, 0.1, "float32", 1));
    const b = new tf.Variable(tf.zeros([4]));
    const x = tf.randomUniform([16, 8], 0, 1, "float32", 2);
    const y = tf.randomUniform([16, 4], 0, 1, "float32", 3);
    const step = tf.function((input: tf.Tensor, target: tf.Tensor) => {
      const tape = new tf.GradientTape();
      const loss = tape.record(() => tf.mean(tf.square(tf.sub(tf.relu(tf.add(tf.matMul(input, w), b)), target))));
      const [dw, db] = tape.gradient(loss, [w, b]);
      w.assignSub(tf.mul(dw!, 0.1));
      b.assignSub(tf.mul(db!, 0.1));
      return loss;
    });
    for (let i = 0; i < 3; i++) step(x, y).dispose();
    const weights = w.readForOp();
    expect(allocationsDuring(() => step(x, y).dispose())).toBe(0);
    // Nothing else held w's buffer, so the update wrote into it: the same tensor still holds it.
    expect(w.readForOp()).toBe(weights);
    tf.dispose([x, y, w, b]);
  });

  it("an in-place update never changes a snapshot: a held read keeps its value", () => {
    const v = new tf.Variable([1, 2]);
    const bump = tf.function(() => {
      v.assignAdd([10, 10]);
      return tf.constant(0);
    });
    bump().dispose();
    const before = v.read();
    bump().dispose();
    expect(before.arraySync()).toEqual([11, 12]);
    expect(v.read().arraySync()).toEqual([21, 22]);
    before.dispose();
    v.dispose();
  });

  it("disposed eager tensors' buffers are reused by later ops; tf.memory reports them apart and releasePools frees them", () => {
    tf.releasePools();
    const a = tf.ones([1000]);
    const start = liveMemory();
    tf.add(a, a).dispose();
    expect(tf.memory().pooledBytes).toBe(4000);
    expect(liveMemory()).toEqual(start);
    expect(allocationsDuring(() => tf.mul(a, a).dispose())).toBe(0);
    expect(tf.memory().backends.cpu!.pooledBytes).toBe(4000);
    tf.releasePools();
    expect(tf.memory().pooledBytes).toBe(0);
    expect(liveMemory()).toEqual(start);
    a.dispose();
  });

  it("with caps.writeReuse, a constant written eagerly is offered a disposed tensor's buffer of its dtype and size; one the backend declines stays pooled", () => {
    const backend = tf.getRuntime().backends.active();
    const caps = backend.caps;
    const write = backend.write;
    const offered: unknown[] = [];
    backend.write = (values, shape, dtype, reuse) => {
      offered.push(reuse);
      return write.call(backend, values, shape, dtype);
    };
    try {
      tf.releasePools();
      const start = liveMemory();
      tf.scalar(3).dispose();
      expect(tf.memory().pooledBytes).toBe(4);
      // Without the capability nothing is offered.
      tf.scalar(4).dispose();
      expect(offered).toEqual([undefined, undefined]);
      expect(tf.memory().pooledBytes).toBe(8);
      (backend as { caps: tf.BackendCapabilities }).caps = { ...caps, writeReuse: true };
      const five = tf.scalar(5);
      expect(offered[2]).toBeDefined();
      // The cpu backend ignores the offer: the buffer goes back to the pool, nothing leaks.
      expect(tf.memory().pooledBytes).toBe(8);
      expect(five.dataSync()).toEqual(new Float32Array([5]));
      // No dead int32 buffer of one element: nothing to offer.
      tf.scalar(1, "int32").dispose();
      expect(offered[3]).toBeUndefined();
      five.dispose();
      tf.releasePools();
      expect(liveMemory()).toEqual(start);
    } finally {
      (backend as { caps: tf.BackendCapabilities }).caps = caps;
      backend.write = write;
    }
  });

  it("a reused buffer never shows old values: ops that write part of their output still clear the rest", () => {
    tf.releasePools();
    const big = tf.fill([6], 7);
    big.dispose(); // its buffer now waits in the pool, full of 7s
    expect(tf.zeros([6]).arraySync()).toEqual([0, 0, 0, 0, 0, 0]);
    tf.fill([6], 7).dispose();
    expect(tf.zerosLike([1, 2, 3, 4, 5, 6]).arraySync()).toEqual([0, 0, 0, 0, 0, 0]);
    tf.fill([2, 3], 7).dispose();
    expect(
      tf
        .pad(tf.ones([2, 1]), [
          [0, 0],
          [1, 1],
        ])
        .arraySync(),
    ).toEqual([
      [0, 1, 0],
      [0, 1, 0],
    ]);
    tf.releasePools();
  });
});

describe("reshape-like ops are views of their input's buffer", () => {
  it("eagerly, reshape, expandDims and squeeze allocate nothing and outlive the original", () => {
    const x = tf.tensor([1, 2, 3, 4, 5, 6]);
    let y: tf.Tensor | undefined;
    expect(
      allocationsDuring(() => {
        y = tf.squeeze(tf.expandDims(tf.reshape(x, [2, 3]), 0), [0]);
      }),
    ).toBe(0);
    x.dispose();
    expect(y!.arraySync()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    y!.dispose();
  });

  it("in a traced function, returned views keep the right values and leak nothing, whatever holds the buffer", () => {
    const v = new tf.Variable([1, 2, 3, 4]);
    const f = tf.function((x: tf.Tensor) => {
      const doubled = x.mul(2);
      const read = v.read();
      v.assignAdd([1, 1, 1, 1]);
      return {
        intermediate: tf.reshape(doubled, [2, 2]), // a view of an intermediate: takes its buffer over
        twice: [tf.reshape(doubled, [4, 1]), doubled], // a view and its root, both returned
        input: tf.expandDims(x, 0), // a view of the caller's tensor: copied out
        variable: tf.reshape(read, [2, 2]), // a view of a pinned variable read
      };
    });
    const x = tf.tensor([1, 2, 3, 4]);
    for (let call = 0; call < 2; call++) {
      // The first call compiles the plan, whose constants stay alive with it.
      const before = call === 0 ? undefined : liveMemory();
      const out = f(x) as Record<string, unknown>;
      const values = JSON.parse(
        JSON.stringify(
          tf.tidy(() => ({
            intermediate: (out.intermediate as tf.Tensor).arraySync(),
            twice: (out.twice as tf.Tensor[]).map((t) => t.arraySync()),
            input: (out.input as tf.Tensor).arraySync(),
            variable: (out.variable as tf.Tensor).arraySync(),
          })),
        ),
      );
      expect(values).toEqual({
        intermediate: [
          [2, 4],
          [6, 8],
        ],
        twice: [
          [[2], [4], [6], [8]],
          [2, 4, 6, 8],
        ],
        input: [[1, 2, 3, 4]],
        variable:
          call === 0
            ? [
                [1, 2],
                [3, 4],
              ]
            : [
                [2, 3],
                [4, 5],
              ],
      });
      tf.dispose(out as never);
      if (before !== undefined) expect(liveMemory()).toEqual(before);
    }
    tf.dispose([x, v]);
  });
});
