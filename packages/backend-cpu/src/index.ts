/**
 * @kiln/backend-cpu: the reference backend, kernels in TypeScript.
 *
 * ```ts
 * import * as tf from "@kiln/core";
 * import { cpu } from "@kiln/backend-cpu";
 * tf.registerBackend(cpu());
 * ```
 */
import { BACKEND_API_VERSION, type BackendPlugin } from "@kiln/core";
import { CpuBackend } from "./cpu_backend.js";
import { cpuKernels } from "./kernels/index.js";

export { CpuBackend } from "./cpu_backend.js";

/** The cpu backend plugin for `tf.registerBackend`. */
export function cpu(): BackendPlugin {
  return { name: "cpu", apiVersion: BACKEND_API_VERSION, priority: 1, kernels: cpuKernels, create: () => new CpuBackend() };
}
