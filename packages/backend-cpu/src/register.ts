/**
 * `import "@kiln/backend-cpu/register"`: registers the cpu backend (with kernels chosen as
 * `cpu()` chooses them), as importing `@tensorflow/tfjs-backend-cpu` does in tfjs. It
 * becomes the active backend on first use unless a backend of higher priority is
 * registered too. Importing it twice, or after `tf.registerBackend(cpu())`, does nothing more.
 *
 * ```ts
 * import * as tf from "@kiln/core";
 * import "@kiln/backend-cpu/register";
 * tf.tensor([1, 2, 3]).square().print();
 * ```
 */
import { listBackends, registerBackend } from "@kiln/core";
import { cpu } from "./index.js";

if (!listBackends().includes("cpu")) registerBackend(cpu());
