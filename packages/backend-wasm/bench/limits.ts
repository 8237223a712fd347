/**
 * The machine's physical limits as wasm sees them, measured with the probes in
 * csrc/probe.c: the SIMD128 mul+add ceiling of one thread (the GEMM micro-kernel's
 * instruction mix on L1-resident data) and the memory read bandwidth of one thread.
 */
import type { WasmBackend } from "../src/index.js";
import { median } from "./harness.js";

export interface MachineLimits {
  readonly peakGflops: number;
  readonly readGBps: number;
}

export function measureLimits(backend: WasmBackend): MachineLimits {
  const { exports, heap } = backend.module;
  backend.setThreads(1);
  const panels = heap.alloc(4 * 3328, "probe");
  heap.f32().fill(1e-3, panels >>> 2, (panels >>> 2) + 3328);
  const rounds = 20_000;
  const peak: number[] = [];
  exports.kiln_probe_peak(panels, 2000);
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    exports.kiln_probe_peak(panels, rounds);
    peak.push((rounds * 256 * 80) / (performance.now() - start) / 1e6);
  }
  const floats = 32 * 1024 * 1024;
  const buffer = heap.alloc(floats * 4, "probe");
  exports.kiln_fill(buffer, 4, 0x3f800000, floats); // touch every page first
  const read: number[] = [];
  exports.kiln_probe_read(buffer, floats);
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    exports.kiln_probe_read(buffer, floats);
    read.push((floats * 4) / (performance.now() - start) / 1e6);
  }
  heap.free(panels);
  heap.free(buffer);
  backend.setThreads(Number.POSITIVE_INFINITY);
  return { peakGflops: median(peak), readGBps: median(read) };
}
