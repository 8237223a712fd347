/**
 * Feature detection for the binaries: WebAssembly SIMD128 (all need it), relaxed SIMD (the
 * relaxed ones: Node 22+, Chrome 114+, Firefox 146+; Node 20 only with
 * `--experimental-wasm-relaxed-simd`) and shared memory with atomics (the threaded ones;
 * browsers allow it only on cross-origin isolated pages).
 */

/** A minimal module using one SIMD instruction (i8x16.splat), validated without running it. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** `v128.const 0`, an operand of the relaxed probe. */
const ZERO_V128 = [253, 12, ...new Array<number>(16).fill(0)];

/** A minimal module using one relaxed SIMD instruction (f32x4.relaxed_madd on three zero vectors). */
const RELAXED_PROBE = new Uint8Array([
  ...[0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0],
  ...ZERO_V128,
  ...ZERO_V128,
  ...ZERO_V128,
  ...[253, 133, 2, 11],
]);

/** What this JS engine can run. */
export interface WasmFeatures {
  readonly simd: boolean;
  /** Relaxed SIMD (fused multiply-add), which the relaxed binaries use. */
  readonly relaxedSimd: boolean;
  readonly threads: boolean;
  /** Why threads are unavailable, when they are. */
  readonly threadsUnavailable?: string;
}

/**
 * Probes the engine. Threads need SharedArrayBuffer, a shared WebAssembly.Memory, and (in
 * browsers) cross-origin isolation.
 *
 * ```ts
 * detectFeatures(); // { simd: true, relaxedSimd: false, threads: true } in Node 20
 * ```
 */
export function detectFeatures(): WasmFeatures {
  const simd = typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
  const relaxedSimd = simd && WebAssembly.validate(RELAXED_PROBE);
  const reason = threadsUnavailable();
  return reason === undefined ? { simd, relaxedSimd, threads: true } : { simd, relaxedSimd, threads: false, threadsUnavailable: reason };
}

function threadsUnavailable(): string | undefined {
  if (typeof SharedArrayBuffer !== "function") return "SharedArrayBuffer is not available";
  const scope = globalThis as { crossOriginIsolated?: boolean; process?: { versions?: { node?: string } } };
  const isNode = scope.process?.versions?.node !== undefined;
  if (!isNode && scope.crossOriginIsolated !== true) return "the page is not cross-origin isolated (COOP/COEP headers)";
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return "shared WebAssembly memory is not supported";
  }
  return undefined;
}

/** True in Node.js (where the main thread may block and binaries are read from files). */
export function isNode(): boolean {
  return (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== undefined;
}
