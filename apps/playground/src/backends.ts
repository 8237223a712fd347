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
 * browser supports, so it never shows an option that cannot run.
 *
 * Extension point: `@kiln/backend-wasm` and `@kiln/backend-webgpu` are placeholders that
 * export no plugin yet. When they do, add them to `package.json`'s dependencies and here,
 * imported lazily so their binaries load only when picked:
 *
 * ```ts
 * { name: "wasm", plugin: async () => (await import("@kiln/backend-wasm")).wasm() },
 * { name: "webgpu", plugin: async () => (await import("@kiln/backend-webgpu")).webgpu(), supported: () => "gpu" in navigator },
 * ```
 *
 * The page then shows the code each backend generates for fused kernels (WGSL on webgpu)
 * through `Backend.fusedKernelSource`, with no other change.
 */
const INSTALLED: readonly InstalledBackend[] = [{ name: "cpu", plugin: () => cpu() }];

/**
 * Registers every installed backend the browser supports (once) and returns their names,
 * highest priority first (`tf.listBackends()`).
 *
 * ```ts
 * const names = await registerBackends(); // ["cpu"]
 * ```
 */
export async function registerBackends(): Promise<string[]> {
  for (const backend of INSTALLED) {
    if (tf.listBackends().includes(backend.name) || backend.supported?.() === false) continue;
    tf.registerBackend(await backend.plugin());
  }
  return tf.listBackends();
}
