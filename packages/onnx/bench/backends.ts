/**
 * Kiln's backends that can run here: cpu always, and wasm when @kiln/backend-wasm is built
 * and exports its plugin (the benchmark compares onnxruntime with the fastest of them).
 *
 * ```ts
 * const names = await availableBackends(); // ["cpu"] or ["cpu", "wasm"]
 * ```
 */
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";

/** Registers every Kiln backend that loads here; returns their names. */
export async function availableBackends(): Promise<string[]> {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
  const names = ["cpu"];
  try {
    // An optional workspace package: not a dependency, so this benchmark runs without it.
    const specifier = "@kiln/backend-wasm";
    const wasm = (await import(specifier)) as { wasm?: () => tf.BackendPlugin };
    if (typeof wasm.wasm === "function") {
      if (!tf.listBackends().includes("wasm")) tf.registerBackend(wasm.wasm());
      await tf.setBackend("wasm");
      names.push("wasm");
    }
  } catch {
    // Not built or not implemented: cpu only.
  }
  await tf.setBackend("cpu");
  return names;
}
