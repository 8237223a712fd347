import { BackendError } from "@kiln/core";

/**
 * WebGPU cannot be used here: no `navigator.gpu` and no `webgpu` package (Node), no
 * adapter, or the device request failed. The message says which and what to do;
 * `tf.setBackend("webgpu")` rejects with it (as the cause of core's BackendError) and the
 * previous backend stays active.
 *
 * ```ts
 * try { await tf.setBackend("webgpu"); } catch (e) { console.log((e as Error).cause instanceof WebGPUUnavailableError); }
 * ```
 */
export class WebGPUUnavailableError extends BackendError {
  static override readonly errorName: string = "WebGPUUnavailableError";
}

/**
 * The GPU reported an error for work this backend issued (a shader that failed to compile,
 * a validation error, out of memory) or the device was lost. Reads reject with it, naming
 * the kernels involved.
 */
export class WebGPUDeviceError extends BackendError {
  static override readonly errorName: string = "WebGPUDeviceError";
}
