/**
 * The backends `@kiln/tfjs` registers on import, as `@tensorflow/tfjs` registers its own:
 * cpu, active at once so ops run synchronously right after the import (as tfjs programs
 * expect), and wasm, registered below cpu so `await tf.setBackend("wasm")` switches to it,
 * as with tfjs's wasm backend. wasm is not made active automatically: its binary loads
 * asynchronously, and waiting for it here would need a top-level `await`, which would make
 * the package impossible to `require()` and still leave ops unusable until it settled.
 *
 * ```ts
 * import * as tf from "@kiln/tfjs";
 * tf.getBackend();            // "cpu"
 * await tf.setBackend("wasm"); // the faster backend, once its binary has loaded
 * ```
 */
import { listBackends, registerBackend } from "@kiln/core";
import "@kiln/backend-cpu/register";
import { wasm } from "@kiln/backend-wasm";

/** Below cpu's priority (1): cpu stays the default, wasm is one `setBackend` away. */
const WASM_PRIORITY = 0;

if (!listBackends().includes("wasm")) registerBackend(wasm(), { priority: WASM_PRIORITY });
