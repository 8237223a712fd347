/**
 * @kiln/backend-wasm: Kiln's WebAssembly backend, C kernels compiled with emscripten to
 * SIMD128, with worker threads where the engine allows shared memory.
 *
 * ```ts
 * import * as tf from "@kiln/core";
 * import { wasm } from "@kiln/backend-wasm";
 * tf.registerBackend(wasm());
 * await tf.setBackend("wasm");
 * ```
 */
import { BACKEND_API_VERSION, type BackendPlugin } from "@kiln/core";
import { wasmKernelRegistrations } from "./kernels/index.js";
import { type ModuleOptions, WasmModule } from "./runtime/module.js";
import { WasmBackend } from "./wasm_backend.js";

export { WasmBackend, type WasmBackendInfo } from "./wasm_backend.js";
export { WasmOutOfMemoryError, WasmKernelError } from "./errors.js";
export type { WasmVariant } from "./runtime/binaries.js";
export { detectFeatures, type WasmFeatures } from "./runtime/features.js";

/** Options of the wasm backend plugin (all optional). */
export interface WasmOptions extends ModuleOptions {
  /** The name it registers under (default "wasm"). */
  readonly name?: string;
  /** Priority when no backend was chosen explicitly (default 2, above cpu's 1). */
  readonly priority?: number;
}

/**
 * The wasm backend plugin for `tf.registerBackend`. Nothing is loaded until the backend
 * is first selected; then the binary is compiled (threads when the engine allows them,
 * relaxed SIMD when it runs that) and the worker threads start.
 *
 * ```ts
 * tf.registerBackend(wasm({ threads: 2 }));
 * await tf.setBackend("wasm");
 * (tf.backend() as WasmBackend).info; // { variant: "simd-threads", threads: 2 }
 * ```
 */
export function wasm(options: WasmOptions = {}): BackendPlugin {
  const name = options.name ?? "wasm";
  return {
    name,
    apiVersion: BACKEND_API_VERSION,
    priority: options.priority ?? 2,
    kernels: wasmKernelRegistrations(name),
    create: async () => new WasmBackend(name, await WasmModule.load(options)),
  };
}
