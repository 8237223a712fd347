export { dispose, keep, tidy } from "../trace/scope.js";

import type { MemoryInfo } from "../tensor/memory_tracker.js";
import { getRuntime } from "../trace/runtime.js";

/**
 * Live eager tensors and the bytes backends hold, overall and per backend. Dead buffers
 * kept for reuse are reported apart, as `pooledBytes` (see `releasePools`).
 *
 * ```ts
 * tf.memory(); // { numTensors: 3, numBytes: 48, numDataBuffers: 3, pooledBytes: 1024, backends: { cpu: {...} } }
 * ```
 */
export function memory(): MemoryInfo {
  return getRuntime().memory();
}

/**
 * Frees the dead buffers Kiln keeps for reuse (disposed tensors' buffers and function
 * intermediates, bounded per backend): `tf.memory().pooledBytes` drops to 0. Later ops and
 * calls allocate again until the pools refill.
 *
 * ```ts
 * tf.releasePools();
 * ```
 */
export function releasePools(): void {
  getRuntime().pools.drain();
}
