import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";

/** A backend package the playground is built with, and whether this browser can run it. */
interface InstalledBackend {
  readonly name: string;
  readonly plugin: () => tf.BackendPlugin | Promise<tf.BackendPlugin>;
  /** False where the browser lacks what the backend needs (WebGPU: `navigator.gpu`). */
  readonly supported?: () => boolean;
}

/**
 * The backends this build offers. The picker lists those registered here that the
 * browser supports, so it never shows an option that cannot run. Heavy backends are
 * imported lazily (their own chunk), and load their binaries only when first selected.
 *
 * webgpu is offered only where the browser has WebGPU (`navigator.gpu`); the page shows the
 * WGSL it generates for fused kernels through `Backend.fusedKernelSource` (see `view.ts`),
 * as it shows the cpu backend's generated loops. Another backend package is one line here
 * (and a dependency in `package.json`):
 *
 * ```ts
 * { name: "webgpu", plugin: async () => (await import("@kiln/backend-webgpu")).webgpu(), supported: () => "gpu" in navigator },
 * ```
 */
const INSTALLED: readonly InstalledBackend[] = [
  // Priority 2 (above cpu): the default. Threads where the page is cross-origin isolated.
  { name: "wasm", plugin: async () => (await import("@kiln/backend-wasm")).wasm(), supported: () => typeof WebAssembly === "object" },
  { name: "cpu", plugin: () => cpu() },
  // Priority 0: offered, selected from the picker. Its device opens on first selection.
  { name: "webgpu", plugin: async () => (await import("@kiln/backend-webgpu")).webgpu(), supported: () => "gpu" in navigator },
];

/**
 * Registers every installed backend the browser supports (once) and returns their names,
 * highest priority first (`tf.listBackends()`).
 *
 * ```ts
 * const names = await registerBackends(); // ["wasm", "cpu", "webgpu"] (webgpu where the browser has navigator.gpu)
 * ```
 */
export async function registerBackends(): Promise<string[]> {
  for (const backend of INSTALLED) {
    if (tf.listBackends().includes(backend.name) || backend.supported?.() === false) continue;
    tf.registerBackend(await backend.plugin());
  }
  return tf.listBackends();
}

/**
 * What the active backend reports about itself (`caps.details`), in one line:
 * `wasm: variant relaxed-simd-threads, simd true, relaxedSimd true, threads 2`.
 */
export function backendDetails(): string {
  const backend = tf.backend();
  const details = Object.entries(backend.caps.details ?? {}).map(
    ([key, value]) => `${key} ${Array.isArray(value) ? value.join("/") : String(value)}`,
  );
  return details.length === 0 ? backend.name : `${backend.name}: ${details.join(", ")}`;
}
