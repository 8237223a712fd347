/**
 * @kiln/backend-webgpu: Kiln's WebGPU backend. WGSL kernels generated from core's tables,
 * fused kernels from traced graphs, one command buffer per traced call; in browsers
 * (`navigator.gpu`) and in Node (the `webgpu` package, Dawn).
 *
 * ```ts
 * import * as tf from "@kiln/core";
 * import { webgpu } from "@kiln/backend-webgpu";
 * tf.registerBackend(webgpu());
 * await tf.setBackend("webgpu");
 * ```
 */
import { BACKEND_API_VERSION, type BackendPlugin } from "@kiln/core";
import { type DeviceOptions, openDevice } from "./device/open_device.js";
import { kernelCompilers, webgpuKernels } from "./kernels/index.js";
import { type WebGPUBackendOptions, WebGPUBackend } from "./webgpu_backend.js";

export { WebGPUBackend, type WebGPUBackendOptions, type WebGPUStats } from "./webgpu_backend.js";
export { WebGPUUnavailableError, WebGPUDeviceError } from "./errors.js";
export { wgslDialect } from "./wgsl/dialect.js";
export { fusedKernelWgsl, type FusedKernelSource } from "./fusion/inspect.js";
export type { DeviceOptions } from "./device/open_device.js";

/** Options of the webgpu backend plugin (all optional). */
export interface WebGPUOptions extends DeviceOptions, WebGPUBackendOptions {
  /** The name it registers under (default "webgpu"). */
  readonly name?: string;
  /** Priority when no backend was chosen explicitly (default 0: select it with setBackend). */
  readonly priority?: number;
}

/**
 * The webgpu backend plugin for `tf.registerBackend`. Importing and registering never
 * touch the GPU; the device is opened when the backend is first selected, and a machine
 * without WebGPU makes `setBackend` reject with a WebGPUUnavailableError (as the cause of
 * core's BackendError) while the previous backend stays active.
 *
 * ```ts
 * tf.registerBackend(webgpu({ powerPreference: "high-performance" }));
 * await tf.setBackend("webgpu");
 * ```
 */
export function webgpu(options: WebGPUOptions = {}): BackendPlugin {
  const name = options.name ?? "webgpu";
  return {
    name,
    apiVersion: BACKEND_API_VERSION,
    priority: options.priority ?? 0,
    kernels: webgpuKernels(name),
    create: async () => new WebGPUBackend(name, await openDevice(options), kernelCompilers, options),
  };
}
