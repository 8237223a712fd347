import * as tf from "@kiln/core";
import { CpuBackend, cpu } from "@kiln/backend-cpu";
import { describe, expect, it } from "vitest";

// Each test builds its own Runtime, so registrations, the active backend and the "warned
// once" memory never leak between tests. `run(fn)` calls the public `tf.*` API against it.

const opName = (op: tf.AnyOpDef | string) => (typeof op === "string" ? op : op.name);
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** The cpu backend under another name. */
function renamedCpu(name: string): CpuBackend {
  const backend = new CpuBackend();
  Object.defineProperty(backend, "name", { value: name });
  return backend;
}

/** A second synchronous backend: the cpu backend renamed, with only the kernels for `ops`. */
function partialCpu(name: string, ops: readonly string[], priority = 0): tf.BackendPlugin {
  return {
    name,
    apiVersion: tf.BACKEND_API_VERSION,
    priority,
    kernels: cpu()
      .kernels.filter((k) => ops.includes(opName(k.op)))
      .map((k) => ({ ...k, backend: name })),
    create: () => renamedCpu(name),
  };
}

/** A fake GPU: data can only be read asynchronously (no readSync), like WebGPU. */
class AsyncOnlyBackend implements tf.Backend {
  readonly apiVersion = tf.BACKEND_API_VERSION;
  readonly name = "gpu";
  readonly caps: tf.BackendCapabilities = { reads: "async", dtypes: ["float32", "int32", "bool"], fusion: { elementwise: false, broadcast: false, epilogues: [] } };
  readonly #buffers = new Map<tf.DataId, tf.DataArray>();

  write(values: tf.DataArray, _shape: tf.ConcreteShape, _dtype: tf.DType): tf.DataId {
    const id = {};
    this.#buffers.set(id, values);
    return id;
  }
  async read(dataId: tf.DataId): Promise<tf.DataArray> {
    await tick();
    return this.values(dataId);
  }
  values(dataId: tf.DataId): tf.DataArray {
    const values = this.#buffers.get(dataId);
    if (values === undefined) throw new Error("gpu: unknown buffer");
    return values;
  }
  disposeData(dataId: tf.DataId): void {
    this.#buffers.delete(dataId);
  }
  memory(): tf.BackendMemory {
    let numBytes = 0;
    for (const v of this.#buffers.values()) numBytes += v.byteLength;
    return { numBytes, numBuffers: this.#buffers.size };
  }
  dispose(): void {
    this.#buffers.clear();
  }
}

/** The fake GPU's plugin: it initializes asynchronously and has kernels for Fill and same-shape AddV2 only. */
function asyncGpu(): tf.BackendPlugin {
  const kernels: tf.KernelRegistration<any, AsyncOnlyBackend>[] = [
    {
      op: "Fill",
      backend: "gpu",
      run: ({ attrs, outputs: [out], backend }) => [backend.write(tf.allocate(out!.dtype, tf.sizeOf(out!.shape)).fill(attrs.value as number), out!.shape, out!.dtype)],
    },
    {
      op: "AddV2",
      backend: "gpu",
      run: ({ inputs: [a, b], outputs: [out], backend }) => {
        const x = backend.values(a!.dataId);
        const y = backend.values(b!.dataId);
        const result = tf.allocate(out!.dtype, x.length);
        for (let i = 0; i < x.length; i++) result[i] = x[i]! + y[i]!;
        return [backend.write(result, out!.shape, out!.dtype)];
      },
    },
  ];
  return {
    name: "gpu",
    apiVersion: tf.BACKEND_API_VERSION,
    priority: 0,
    kernels,
    create: async () => {
      await tick(); // e.g. requesting an adapter
      return new AsyncOnlyBackend();
    },
  };
}

/** A fresh runtime with the given plugins registered, and its warnings captured. */
function runtime(...plugins: tf.BackendPlugin[]): { run: <T>(fn: () => T) => T; warnings: string[]; rt: tf.Runtime } {
  const rt = new tf.Runtime();
  const warnings: string[] = [];
  rt.warn = (message) => warnings.push(message);
  for (const plugin of plugins) rt.backends.register(plugin);
  return { run: (fn) => rt.run(fn), warnings, rt };
}

describe("backend registry", () => {
  it("lists backends highest priority first and picks the highest when none was chosen", () => {
    const { run } = runtime();
    run(() => {
      tf.registerBackend(cpu());
      tf.registerBackend(partialCpu("cpu2", ["AddV2", "Fill"], 5));
      tf.registerBackend(partialCpu("low", ["Fill"], 3), { priority: -1 });
      expect(tf.listBackends()).toEqual(["cpu2", "cpu", "low"]);
      expect(tf.getBackend()).toBe("cpu2");
      expect(tf.backend().name).toBe("cpu2");
      expect(tf.ones([2]).arraySync()).toEqual([1, 1]);
    });
  });

  it("the priority given to registerBackend overrides the plugin's own", () => {
    const { run } = runtime();
    run(() => {
      tf.registerBackend(cpu());
      tf.registerBackend(partialCpu("cpu2", ["Fill"], 0), { priority: 10 });
      expect(tf.listBackends()).toEqual(["cpu2", "cpu"]);
    });
  });

  it("removeBackend unregisters it (and its kernels); the next op picks the best remaining one", () => {
    const { run } = runtime(cpu(), partialCpu("cpu2", ["Fill"], 5));
    run(() => {
      expect(tf.getBackend()).toBe("cpu2");
      tf.removeBackend("cpu2");
      expect(tf.listBackends()).toEqual(["cpu"]);
      expect(tf.getBackend()).toBe("cpu");
      expect(() => tf.removeBackend("cpu2")).toThrow(tf.BackendError);
      expect(() => tf.removeBackend("cpu2")).toThrow(/removeBackend: no backend named 'cpu2'; registered: cpu/);
    });
  });

  it("running an op with no backend registered explains how to register one", () => {
    const { run } = runtime();
    run(() => {
      expect(() => tf.ones([1])).toThrow(tf.BackendError);
      expect(() => tf.ones([1])).toThrow(/no backend is registered.*tf\.registerBackend\(cpu\(\)\)/);
    });
  });

  it("rejects a plugin built for another Backend API version", () => {
    const { run } = runtime(cpu());
    run(() => {
      const old = { ...partialCpu("old", []), apiVersion: tf.BACKEND_API_VERSION + 1 };
      expect(() => tf.registerBackend(old)).toThrow(tf.BackendError);
      expect(() => tf.registerBackend(old)).toThrow(new RegExp(`backend 'old' speaks Backend API version ${tf.BACKEND_API_VERSION + 1}, but this @kiln/core speaks version ${tf.BACKEND_API_VERSION}`));
      expect(tf.listBackends()).toEqual(["cpu"]);
    });
  });

  it("rejects a second backend with the same name", () => {
    const { run } = runtime(cpu());
    run(() => {
      expect(() => tf.registerBackend(cpu())).toThrow(tf.BackendError);
      expect(() => tf.registerBackend(cpu())).toThrow(/a backend named 'cpu' is already registered; call removeBackend\('cpu'\) first/);
    });
  });

  it("setBackend on an unknown name rejects and names the registered ones", async () => {
    const { run } = runtime(cpu());
    await expect(run(() => tf.setBackend("webgl"))).rejects.toThrow(tf.BackendError);
    await expect(run(() => tf.setBackend("webgl"))).rejects.toThrow(/no backend named 'webgl' is registered; registered: cpu/);
  });

  it("a plugin whose async create() fails rejects setBackend, keeps the active backend, and can be retried", async () => {
    let attempts = 0;
    const flaky: tf.BackendPlugin = {
      ...partialCpu("flaky", ["Fill"]),
      create: async () => {
        attempts++;
        await tick();
        if (attempts === 1) throw new Error("no adapter found");
        return renamedCpu("flaky");
      },
    };
    const { run } = runtime(cpu(), flaky);
    await run(() => tf.setBackend("cpu"));
    await expect(run(() => tf.setBackend("flaky"))).rejects.toThrow(tf.BackendError);
    await expect(run(() => tf.setBackend("flaky"))).resolves.toBeUndefined();
    expect(attempts).toBe(2);
    expect(run(() => tf.getBackend())).toBe("flaky");

    const broken: tf.BackendPlugin = { ...partialCpu("broken", []), create: () => Promise.reject(new Error("no adapter found")) };
    const second = runtime(cpu(), broken);
    await second.run(() => tf.setBackend("cpu"));
    await expect(second.run(() => tf.setBackend("broken"))).rejects.toThrow(/setBackend: backend 'broken' failed to initialize: no adapter found/);
    expect(second.run(() => tf.getBackend())).toBe("cpu");
  });

  it("an async backend must be awaited with setBackend before ops run on it", async () => {
    const { run } = runtime(cpu(), { ...asyncGpu(), priority: 5 });
    expect(() => run(() => tf.getBackend())).toThrow(tf.BackendError);
    expect(() => run(() => tf.ones([1]))).toThrow(/backend 'gpu' (initializes asynchronously|is still initializing); await tf\.setBackend\('gpu'\)/);
    await run(() => tf.ready());
    expect(run(() => tf.getBackend())).toBe("gpu");
  });

  it("tf.ready() initializes the highest-priority async backend when nothing touched the backends before (as after a side-effect registration)", async () => {
    const { run } = runtime(cpu(), { ...asyncGpu(), priority: 5 });
    await run(() => tf.ready());
    expect(run(() => tf.getBackend())).toBe("gpu");
    const ones = run(() => tf.ones([2]));
    expect(await run(() => ones.array())).toEqual([1, 1]);
  });

  it("tf.ready() with no backend registered is the BackendError that says how to register one", async () => {
    const { run } = runtime();
    await expect(run(() => tf.ready())).rejects.toThrow(/no backend is registered.*registerBackend\(cpu\(\)\)/);
  });
});

describe("swapping backends at run time", () => {
  it("existing tensors stay usable; their data moves lazily when an op on the new backend needs it", async () => {
    const { run } = runtime(cpu(), partialCpu("cpu2", ["AddV2", "Fill"]));
    await run(() => tf.setBackend("cpu"));
    const x = run(() => tf.tensor([1, 2, 3]));
    const bytes = (name: string) => run(() => tf.memory().backends[name]?.numBytes ?? 0);
    expect(bytes("cpu")).toBe(12);

    await run(() => tf.setBackend("cpu2"));
    expect(run(() => tf.getBackend())).toBe("cpu2");
    // Nothing moved yet: x is still on cpu and still readable.
    expect(bytes("cpu")).toBe(12);
    expect(x.arraySync()).toEqual([1, 2, 3]);

    const y = run(() => tf.tidy(() => tf.add(x, 10)));
    expect(y.arraySync()).toEqual([11, 12, 13]);
    // x moved to cpu2 to feed the kernel there (and left cpu).
    expect(bytes("cpu")).toBe(0);
    expect(bytes("cpu2")).toBe(12 + 12);
    expect(x.arraySync()).toEqual([1, 2, 3]);

    await run(() => tf.setBackend("cpu"));
    const z = run(() => tf.add(x, y));
    expect(z.arraySync()).toEqual([12, 14, 16]);
    run(() => tf.dispose([x, y, z]));
    expect(run(() => tf.memory())).toMatchObject({ numTensors: 0, numBytes: 0 });
  });

  it("memory() reports each backend separately", async () => {
    const { run } = runtime(cpu(), partialCpu("cpu2", ["Fill"]));
    await run(() => tf.setBackend("cpu"));
    const a = run(() => tf.zeros([4]));
    await run(() => tf.setBackend("cpu2"));
    const b = run(() => tf.zeros([2], "int32"));
    const m = run(() => tf.memory());
    expect(m.backends).toEqual({ cpu: { numBytes: 16, numBuffers: 1, pooledBytes: 0 }, cpu2: { numBytes: 8, numBuffers: 1, pooledBytes: 0 } });
    expect([m.numTensors, m.numBytes, m.numDataBuffers]).toEqual([2, 24, 2]);
    run(() => tf.dispose([a, b]));
  });
});

describe("missing kernels", () => {
  it("fall back to cpu with exactly one warning naming the op and the backend", async () => {
    const { run, warnings } = runtime(cpu(), partialCpu("cpu2", ["AddV2", "Fill"]));
    await run(() => tf.setBackend("cpu2"));
    const r = run(() => tf.range(0, 3));
    expect(r.arraySync()).toEqual([0, 1, 2]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/backend 'cpu2' has no kernel for Range \(range\); running it on 'cpu' instead/);
    // The result lives on the fallback backend.
    expect(run(() => tf.memory().backends.cpu!.numBytes)).toBe(12);

    run(() => tf.range(0, 5).dispose());
    run(() => tf.range(1, 2).dispose());
    expect(warnings).toHaveLength(1);

    // Another op warns once on its own; inputs on cpu2 move to cpu for it.
    const x = run(() => tf.ones([2]));
    const z = run(() => tf.zerosLike(x));
    expect(z.arraySync()).toEqual([0, 0]);
    run(() => tf.zerosLike(x).dispose());
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/backend 'cpu2' has no kernel for ZerosLike \(zerosLike\)/);
    run(() => tf.dispose([r, x, z]));
  });

  it("with no cpu fallback registered, an op without a kernel is a BackendError naming the op", async () => {
    const { run, warnings } = runtime(partialCpu("cpu2", ["Fill"]));
    await run(() => tf.setBackend("cpu2"));
    expect(() => run(() => tf.range(3))).toThrow(tf.BackendError);
    expect(() => run(() => tf.range(3))).toThrow(/range: no kernel for op Range on backend 'cpu2'/);
    expect(warnings).toEqual([]);
  });

  it("registerKernel overrides a kernel for one backend only", async () => {
    const { run } = runtime(cpu(), partialCpu("cpu2", ["AddV2", "Fill"]));
    run(() =>
      tf.registerKernel({
        op: "AddV2",
        backend: "cpu2",
        // A deliberately different kernel, so the test can see which one ran.
        run: ({ inputs: [a, b], outputs: [out], backend }) => {
          const x = (backend as CpuBackend).values(a!.dataId);
          const y = (backend as CpuBackend).values(b!.dataId);
          return [backend.write(Float32Array.from(x, (v, i) => v * y[i]!), out!.shape, out!.dtype)];
        },
      }),
    );
    await run(() => tf.setBackend("cpu2"));
    expect(run(() => tf.add(tf.fill([2], 3), tf.fill([2], 4)).arraySync())).toEqual([12, 12]);
    await run(() => tf.setBackend("cpu"));
    expect(run(() => tf.add(tf.fill([2], 3), tf.fill([2], 4)).arraySync())).toEqual([7, 7]);
  });

  it("registerKernel accepts the op definition itself", () => {
    const { run } = runtime(cpu());
    run(() => {
      tf.registerKernel({ op: tf.OnesLike, backend: "cpu", run: ({ outputs: [out], backend }) => [backend.write(tf.allocate(out!.dtype, tf.sizeOf(out!.shape)).fill(2), out!.shape, out!.dtype)] });
      expect(tf.onesLike([0, 0]).arraySync()).toEqual([2, 2]);
    });
  });
});

describe("an async-only backend (no readSync)", () => {
  it("reads asynchronously, and its tensors move when `await tf.setBackend()` switches away", async () => {
    const { run, warnings } = runtime(cpu(), asyncGpu());
    await run(() => tf.setBackend("gpu"));
    const x = run(() => tf.fill([3], 2));
    const y = run(() => tf.add(x, x));
    expect(run(() => tf.memory().backends.gpu)).toEqual({ numBytes: 24, numBuffers: 2, pooledBytes: 0 });

    expect(() => x.dataSync()).toThrow(/dataSync: this tensor lives on backend 'gpu', which reads only asynchronously; use await tensor.data\(\)/);
    expect(() => x.arraySync()).toThrow(tf.KilnError);
    expect(x.toString()).toBe("tf.Tensor(<on gpu>, shape=(3,), dtype=float32)");
    expect(Array.from(await y.data())).toEqual([4, 4, 4]);
    expect(await x.array()).toEqual([2, 2, 2]);

    // A cpu fallback cannot read gpu data synchronously: the op waits for the read (SPEC L2, L4).
    const zeros = run(() => tf.zerosLike(x));
    expect(zeros.isPending).toBe(true);
    expect(await zeros.array()).toEqual([0, 0, 0]);
    expect(warnings.some((w) => w.includes("ZerosLike"))).toBe(true);
    zeros.dispose();

    await run(() => tf.setBackend("cpu"));
    expect(run(() => tf.memory().backends.gpu)).toEqual({ numBytes: 0, numBuffers: 0, pooledBytes: 0 });
    expect(x.dataSync()).toEqual(new Float32Array([2, 2, 2]));
    expect(y.arraySync()).toEqual([4, 4, 4]);
    expect(String(y)).toBe("tf.Tensor([4. 4. 4.], shape=(3,), dtype=float32)");
    expect(run(() => tf.zerosLike(x).arraySync())).toEqual([0, 0, 0]);
    run(() => tf.dispose([x, y]));
  });

  it("disposing a tensor on the async backend frees its buffer there", async () => {
    const { run } = runtime(cpu(), asyncGpu());
    await run(() => tf.setBackend("gpu"));
    const x = run(() => tf.zeros([4]));
    expect(run(() => tf.memory().backends.gpu!.numBuffers)).toBe(1);
    x.dispose();
    expect(run(() => tf.memory())).toMatchObject({ numTensors: 0, numBytes: 0 });
  });
});
