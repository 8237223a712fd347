import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@kiln/core";
import { cpu } from "@kiln/backend-cpu";
import { describe, expect, it } from "vitest";
import { WebGPUDeviceError, WebGPUUnavailableError, webgpu } from "../src/index.js";
import { buildProgram } from "../src/wgsl/shader.js";
import { gpu } from "./gpu.js";
import { gpuBackend, readAll, useWebGPU } from "./helpers.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Runs a snippet of TS in a fresh Node process (the package's sources), with a time limit. */
function runNode(source: string, env: Record<string, string | undefined> = {}): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", "--conditions", "source", "--input-type=module", "-e", source], {
    cwd: packageDir,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

// Typed errors (DESIGN: errors name the op or backend, what was received, what to do).
describe("set-up errors (no GPU needed)", () => {
  it("with no adapter, setBackend rejects with a BackendError caused by a WebGPUUnavailableError saying why, and the previous backend stays active", async () => {
    if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
    await tf.setBackend("cpu");
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    tf.registerBackend(webgpu({ name: "webgpu-no-adapter", gpu: noAdapter }));
    const error = await tf.setBackend("webgpu-no-adapter").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(tf.BackendError);
    expect((error as Error).message).toMatch(/webgpu-no-adapter.*no WebGPU adapter is available/);
    expect((error as Error).cause).toBeInstanceOf(WebGPUUnavailableError);
    expect(tf.getBackend()).toBe("cpu");
    tf.removeBackend("webgpu-no-adapter");
  });

  it("importing and registering the package touches no GPU and never crashes, even with no Vulkan driver", () => {
    const result = runNode(
      `import * as tf from "@kiln/core"; import { webgpu } from "./src/index.ts"; tf.registerBackend(webgpu()); console.log("registered", tf.listBackends().join(","));`,
      { VK_ICD_FILENAMES: "/nonexistent.json" },
    );
    expect(result.output).toContain("registered webgpu");
    expect(result.status).toBe(0);
  });
});

describe.runIf(gpu.available)("errors on the webgpu backend", () => {
  useWebGPU();

  it("dataSync and arraySync throw a BackendError that says to await data() (SPEC L2)", () => {
    const x = tf.tensor([1, 2, 3]);
    expect(() => x.dataSync()).toThrow(tf.BackendError);
    expect(() => x.dataSync()).toThrow(/await/);
    expect(() => x.arraySync()).toThrow(tf.BackendError);
    x.dispose();
  });

  it("a shader the GPU rejects fails the next read with a WebGPUDeviceError naming the kernel", async () => {
    const backend = gpuBackend();
    const broken = buildProgram({
      label: "deliberately_broken",
      inputs: [],
      outputs: ["f32"],
      params: 0,
      workgroupSize: 64,
      body: "out0[0] = undefined_name;",
    });
    const out = backend.allocate("float32", 1);
    backend.dispatch(broken, [], [out], undefined, [1, 1, 1]);
    await expect(backend.read(out)).rejects.toThrow(WebGPUDeviceError);
    backend.disposeData(out);
    const x = tf.tensor([1]);
    // The backend keeps working afterwards.
    expect(await readAll(() => x.add(1))).toEqual([[2]]);
    x.dispose();
  });

  it("gather indices computed on the device cannot be checked without a read: out of range they read 0, like TF's GPU kernels", async () => {
    const x = tf.tensor([10, 20, 30]);
    const indices = tf.tensor([0, 5, -1, 2], [4], "int32");
    expect(await readAll(() => tf.gather(x, indices.add(tf.scalar(0, "int32"))))).toEqual([[10, 0, 0, 30]]);
    // Indices written from JS are checked on the host, as on the cpu oracle.
    expect(() => tf.gather(x, indices)).toThrow(tf.ArgumentError);
    tf.dispose([x, indices]);
  });

  it("a disposed backend refuses work with a WebGPUDeviceError", async () => {
    const backend = (await webgpu({ name: "webgpu-disposable" }).create()) as ReturnType<typeof gpuBackend>;
    backend.dispose();
    expect(() => backend.write(new Float32Array([1]), [1], "float32")).toThrow(WebGPUDeviceError);
  });

  it("Node exits after the backend is disposed (Dawn's GPU object is kept, devices are destroyed)", () => {
    const result = runNode(
      `import * as tf from "@kiln/core"; import { webgpu } from "./src/index.ts";
       tf.registerBackend(webgpu()); await tf.setBackend("webgpu");
       const y = tf.square(tf.tensor([1, 2, 3])); console.log(Array.from(await y.data()).join(","));
       tf.removeBackend("webgpu");`,
    );
    expect(result.output).toContain("1,4,9");
    expect(result.status).toBe(0);
  });
});
