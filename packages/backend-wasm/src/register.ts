/**
 * `import "@kiln/backend-wasm/register"`: registers the wasm backend with its default
 * options, as importing `@tensorflow/tfjs-backend-wasm` does in tfjs. Its priority (2) is
 * above cpu's, so it becomes the active backend on first use (`await tf.ready()`, since the
 * binary loads asynchronously). Importing it twice, or after `tf.registerBackend(wasm())`,
 * does nothing more.
 *
 * ```ts
 * import * as tf from "@kiln/core";
 * import "@kiln/backend-wasm/register";
 * await tf.ready();
 * tf.tensor([1, 2, 3]).square().print();
 * ```
 */
import { listBackends, registerBackend } from "@kiln/core";
import { wasm } from "./index.js";

if (!listBackends().includes("wasm")) registerBackend(wasm());
