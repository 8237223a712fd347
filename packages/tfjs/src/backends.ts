/**
 * The backends `@kiln/tfjs` registers on import, as `@tensorflow/tfjs` registers its own:
 * cpu always, and wasm (priority 2, the faster one) made active when its binary loads in
 * this environment; if it cannot load, wasm is unregistered and cpu stays active. The
 * module awaits this at top level, so ops can run synchronously right after the import,
 * as in tfjs.
 *
 * ```ts
 * import * as tf from "@kiln/tfjs";
 * tf.getBackend(); // "wasm" where its binary loads, else "cpu"
 * ```
 */
import { listBackends, ready, removeBackend } from "@kiln/core";
import "@kiln/backend-cpu/register";
import "@kiln/backend-wasm/register";

try {
  await ready();
} catch {
  // The wasm binary did not load here (no WebAssembly, a CSP without 'wasm-unsafe-eval'):
  // fall back to cpu, which needs nothing.
  if (listBackends().includes("wasm")) removeBackend("wasm");
  await ready();
}
