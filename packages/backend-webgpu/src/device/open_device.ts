/// <reference types="@webgpu/types" />
import { WebGPUUnavailableError } from "../errors.js";

/** How to find a GPU (every field optional). */
export interface DeviceOptions {
  /**
   * A `GPU` object to use: `navigator.gpu`, or in Node the result of the `webgpu`
   * package's `create([...])`. Default: `navigator.gpu` where it exists, else the `webgpu`
   * package (Dawn), loaded when the backend is first selected.
   */
  readonly gpu?: GPU;
  /** Flags for the `webgpu` package's `create` (Node only), e.g. `["backend=vulkan"]`. */
  readonly dawnFlags?: readonly string[];
  readonly powerPreference?: GPUPowerPreference;
}

/** An open device, and the objects that must stay referenced as long as it lives. */
export interface OpenDevice {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  /** The GPU object (in Node, Dawn's shared instance, see `acquireDawn`); the backend keeps it until `dispose`. */
  readonly gpu: GPU;
  readonly adapterInfo: { readonly vendor: string; readonly architecture: string; readonly device: string; readonly description: string };
  /** True for a CPU implementation (SwiftShader, llvmpipe): dispatches cost more there than reads. */
  readonly software: boolean;
}

/** True when running in Node (where `navigator.gpu` does not exist). */
function inNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string";
}

/** The GPU object: the one given, the browser's, or Dawn's from the `webgpu` package. */
async function findGpu(options: DeviceOptions): Promise<GPU> {
  if (options.gpu !== undefined) return options.gpu;
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu !== undefined) return nav.gpu;
  if (!inNode()) {
    throw new WebGPUUnavailableError(
      "webgpu backend: this browser has no WebGPU (navigator.gpu is undefined); use a browser with WebGPU enabled (Chrome 113+, or Chromium with --enable-unsafe-webgpu), or select another backend",
    );
  }
  return acquireDawn(options.dawnFlags ?? []);
}

/**
 * Dawn's GPU objects in this process, one per flag set, kept for the life of the process.
 * Dawn crashes (at random, in its own threads) when a `create()` result is collected while a
 * device lives, or before a later `create()`'s devices are done; holding the object costs
 * nothing once its devices are destroyed (Node still exits), so it is never let go.
 */
const dawnInstances = new Map<string, GPU>();

async function acquireDawn(flags: readonly string[]): Promise<GPU> {
  const key = flags.join(" ");
  const shared = dawnInstances.get(key);
  if (shared !== undefined) return shared;
  // A computed specifier keeps bundlers from pulling the Node-only package into browser builds.
  const name = "webgpu";
  let dawn: { create(flags: string[]): GPU };
  try {
    dawn = (await import(/* @vite-ignore */ name)) as typeof dawn;
  } catch (error) {
    throw new WebGPUUnavailableError(
      `webgpu backend: in Node, WebGPU comes from the 'webgpu' package (Dawn), which could not be loaded (${(error as Error).message}); install it with npm i webgpu@0.6.2, or pass { gpu } to webgpu()`,
    );
  }
  const gpu = dawnInstances.get(key) ?? dawn.create([...flags]);
  dawnInstances.set(key, gpu);
  return gpu;
}

/** Limits worth raising above WebGPU's defaults when the adapter allows (storage buffers per stage, big buffers). */
const RAISED_LIMITS = [
  "maxStorageBuffersPerShaderStage",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
] as const;

/**
 * Finds an adapter and opens a device with the adapter's best limits for compute. Rejects
 * with a WebGPUUnavailableError saying why when there is no GPU to use.
 *
 * ```ts
 * const { device, gpu } = await openDevice({});
 * ```
 */
export async function openDevice(options: DeviceOptions): Promise<OpenDevice> {
  return openOn(await findGpu(options), options);
}

async function openOn(gpu: GPU, options: DeviceOptions): Promise<OpenDevice> {
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter(options.powerPreference !== undefined ? { powerPreference: options.powerPreference } : {});
  } catch (error) {
    throw new WebGPUUnavailableError(`webgpu backend: requestAdapter failed: ${(error as Error).message}`);
  }
  if (adapter === null) {
    throw new WebGPUUnavailableError(
      "webgpu backend: no WebGPU adapter is available (requestAdapter returned null). " +
        (inNode()
          ? "In Node, Dawn needs a Vulkan driver: a GPU driver, or SwiftShader's CPU driver (Debian: apt-get install libvulkan1 chromium, then VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)"
          : "The browser may block WebGPU on this GPU or need --enable-unsafe-webgpu"),
    );
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits });
  } catch (error) {
    throw new WebGPUUnavailableError(`webgpu backend: the adapter refused a device: ${(error as Error).message}`);
  }
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const adapterInfo = {
    vendor: info.vendor ?? "",
    architecture: info.architecture ?? "",
    device: info.device ?? "",
    description: info.description ?? "",
  };
  const fallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const software = fallback || /swiftshader|llvmpipe|lavapipe|software/i.test(Object.values(adapterInfo).join(" "));
  return { device, adapter, gpu, adapterInfo, software };
}
