export { dispose, keep, tidy } from "../trace/scope.js";

import type { MemoryInfo } from "../tensor/memory_tracker.js";
import { getRuntime } from "../trace/runtime.js";

/**
 * Live eager tensors and the bytes backends hold, overall and per backend.
 *
 * ```ts
 * tf.memory(); // { numTensors: 3, numBytes: 48, numDataBuffers: 3, backends: { cpu: {...} } }
 * ```
 */
export function memory(): MemoryInfo {
  return getRuntime().memory();
}
