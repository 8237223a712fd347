import * as tf from "@kiln/core";
import { CpuBackend, cpu } from "@kiln/backend-cpu";
import { describe, expect, it } from "vitest";

/** The cpu backend under another name, recording the optional contract hooks core calls. */
class ProbeBackend extends CpuBackend {
  override readonly name = "probe";
  readonly calls: string[] = [];
  readonly prepared: tf.PlanPreparation[] = [];

  async prepare(work: tf.PlanPreparation): Promise<void> {
    this.prepared.push(work);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }

  beginRun(): void {
    this.calls.push("begin");
  }

  endRun(): void {
    this.calls.push("end");
  }
}

/** A runtime whose active backend is the probe, with a Neg kernel compiled per rank. */
async function probeRuntime(): Promise<{ run: <T>(fn: () => T) => T; backend: ProbeBackend; compiled: tf.KernelKey[] }> {
  const runtime = new tf.Runtime();
  const compiled: tf.KernelKey[] = [];
  const backend = new ProbeBackend();
  const plugin = cpu();
  const neg: tf.CompiledKernelRegistration<{}, CpuBackend> = {
    op: "Neg",
    backend: "probe",
    specializeOn: { rank: true },
    compile: (key) => {
      compiled.push(key);
      return ({ inputs: [x], outputs: [out], backend: b }) => [b.write(Float32Array.from(b.values(x!.dataId), (v) => -v), out!.shape, out!.dtype)];
    },
  };
  // Sum compiled per rank and keepDims, running the cpu kernel.
  const cpuSum = plugin.kernels.find((k) => k.op === "Sum") as tf.PlainKernelRegistration<any, CpuBackend>;
  const sum: tf.CompiledKernelRegistration<any, CpuBackend> = {
    op: "Sum",
    backend: "probe",
    specializeOn: { rank: true, attrs: ["keepDims"] },
    compile: (key) => {
      compiled.push(key);
      return cpuSum.run;
    },
  };
  runtime.backends.register({
    name: "probe",
    apiVersion: tf.BACKEND_API_VERSION,
    kernels: [...plugin.kernels.map((k) => ({ ...k, backend: "probe" })), neg, sum],
    create: () => backend,
  });
  await runtime.setBackend("probe");
  return { run: (fn) => runtime.run(fn), backend, compiled };
}

describe("Backend contract v2", () => {
  it("is version 2 and refuses plugins built for another version", () => {
    expect(tf.BACKEND_API_VERSION).toBe(2);
    const runtime = new tf.Runtime();
    expect(() => runtime.backends.register({ ...cpu(), apiVersion: 1 })).toThrow(/speaks Backend API version 1, but this @kiln\/core speaks version 2/);
  });

  it("compiles a kernel once per key of what it declares it depends on (rank here), eagerly and in plans", async () => {
    const { run, compiled } = await probeRuntime();
    const values = run(() => {
      const outs = [tf.neg([1, 2]), tf.neg([1, 2, 3]), tf.neg([[1, 2]]), tf.neg([[3]])];
      return outs.map((t) => t.arraySync());
    });
    expect(values).toEqual([[-1, -2], [-1, -2, -3], [[-1, -2]], [[-3]]]);
    expect(compiled.map((k) => k.id)).toEqual(['float32/1>float32/1|{}', 'float32/2>float32/2|{}']);
    expect(compiled[0]!.inputs).toEqual([{ dtype: "float32", rank: 1 }]);
    // A traced function reuses the compiled kernel for its (static) specialization.
    run(() => {
      const f = tf.function((x: tf.Tensor) => tf.neg(tf.neg(x)), { autograph: false });
      expect((f(tf.tensor([4, 5])) as tf.Tensor).arraySync()).toEqual([4, 5]);
    });
    expect(compiled).toHaveLength(2);
  });

  it("offers each new plan to `prepare` with its compiled kernels' keys and fused clusters", async () => {
    const { run, backend } = await probeRuntime();
    run(() => {
      const f = tf.function((x: tf.Tensor) => tf.sum(x.add(1).mul(2), 1), { autograph: false });
      expect((f(tf.tensor([[1, 2]])) as tf.Tensor).arraySync()).toEqual([10]);
    });
    expect(backend.prepared).toHaveLength(1);
    expect(backend.prepared[0]!.kernels.map((k) => [k.op.name, k.key.id])).toEqual([["Sum", 'float32/2>float32/1|{"keepDims":false}']]);
    expect(backend.prepared[0]!.clusters.map((c) => c.ops.map((o) => o.op.name))).toEqual([["AddV2", "Mul"]]);
  });

  it("calls beginRun and endRun around each top-level call (also when it throws)", async () => {
    const { run, backend } = await probeRuntime();
    run(() => {
      const inner = tf.function((x: tf.Tensor) => x.add(1), { autograph: false });
      const outer = tf.function((x: tf.Tensor) => (inner(x) as tf.Tensor).mul(2), { autograph: false });
      tf.dispose(outer(tf.scalar(1)) as tf.Tensor);
      tf.dispose(outer(tf.scalar(2)) as tf.Tensor);
      const reshape = tf.function((x: tf.Tensor) => tf.reshape(x, [3]), { autograph: false, inputSignature: [new tf.TensorSpec([null])] });
      expect(() => reshape(tf.tensor([1, 2]))).toThrow(tf.ShapeError);
    });
    expect(backend.calls).toEqual(["begin", "end", "begin", "end", "begin", "end"]);
  });

  it("capabilities are one record: reads, dtypes, fusion", () => {
    const caps = new CpuBackend().caps;
    expect(caps.reads).toBe("sync");
    expect(tf.readsSync(new CpuBackend())).toBe(true);
    expect(caps.fusion.broadcast).toBe(true);
  });
});
