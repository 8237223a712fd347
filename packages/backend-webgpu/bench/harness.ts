/**
 * Timing for the webgpu benches. GPU work is asynchronous, so a run is timed from its first
 * call to `backend.sync()` (the queue drained): `runs` repetitions of `fn` between two
 * syncs, after `warmup` untimed ones (pipelines compiled, pools warm). Every number is the
 * median of `samples` such timings, per repetition.
 *
 * ```ts
 * const ms = await timeGpu(backend, () => f(x), { runs: 20 });
 * ```
 */
import * as tf from "@kiln/core";
import type { WebGPUBackend } from "../src/index.js";

export interface GpuTimeOptions {
  readonly warmup?: number;
  readonly runs?: number;
  readonly samples?: number;
}

export function median(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Milliseconds per call: in all (until the GPU is done), on the host (until the call
 * returned) and of process CPU time until the GPU is done (all threads: on a software GPU
 * that includes the GPU's work, and it is less skewed than wall time on a loaded machine).
 */
export interface GpuTime {
  readonly total: number;
  readonly host: number;
  readonly cpu: number;
}

/** Process CPU time in milliseconds (user + system, every thread). */
function cpuNow(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Milliseconds per call of `fn` (its results are disposed), the GPU's work included. */
export async function timeGpu(
  backend: WebGPUBackend,
  fn: () => unknown,
  { warmup = 2, runs = 10, samples = 3 }: GpuTimeOptions = {},
): Promise<number> {
  return (await timeGpuParts(backend, fn, { warmup, runs, samples })).total;
}

async function timeGpuParts(
  backend: WebGPUBackend,
  fn: () => unknown,
  { warmup = 2, runs = 10, samples = 3 }: GpuTimeOptions,
): Promise<GpuTime> {
  const once = () => tf.dispose(fn() as tf.Tensor | tf.Tensor[]);
  for (let i = 0; i < warmup; i++) once();
  await tf.asyncWait();
  await backend.sync();
  const totals: number[] = [];
  const hosts: number[] = [];
  const cpus: number[] = [];
  for (let s = 0; s < samples; s++) {
    const cpuStart = cpuNow();
    const start = performance.now();
    for (let i = 0; i < runs; i++) once();
    hosts.push((performance.now() - start) / runs);
    await tf.asyncWait();
    await backend.sync();
    totals.push((performance.now() - start) / runs);
    cpus.push((cpuNow() - cpuStart) / runs);
  }
  return { total: median(totals), host: median(hosts), cpu: median(cpus) };
}

/**
 * Milliseconds per call of `a` and of `b`, measured alternately (a, b, a, b, ...) so that
 * the load of a shared machine falls on both alike; medians of `samples` timings each.
 *
 * ```ts
 * const [eager, traced] = await compareGpu(backend, () => chain(x), () => f(x));
 * ```
 */
export async function compareGpu(
  backend: WebGPUBackend,
  a: () => unknown,
  b: () => unknown,
  { warmup = 2, runs = 5, samples = 7 }: GpuTimeOptions = {},
): Promise<[GpuTime, GpuTime]> {
  await timeGpuParts(backend, a, { warmup, runs: 1, samples: 1 });
  await timeGpuParts(backend, b, { warmup, runs: 1, samples: 1 });
  const ta: GpuTime[] = [];
  const tb: GpuTime[] = [];
  for (let s = 0; s < samples; s++) {
    ta.push(await timeGpuParts(backend, a, { warmup: 0, runs, samples: 1 }));
    tb.push(await timeGpuParts(backend, b, { warmup: 0, runs, samples: 1 }));
  }
  const pick = (times: GpuTime[]): GpuTime => ({
    total: median(times.map((t) => t.total)),
    host: median(times.map((t) => t.host)),
    cpu: median(times.map((t) => t.cpu)),
  });
  return [pick(ta), pick(tb)];
}

/** A table with aligned columns. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** Kernel ops of a traced function's graph: what would run as kernels one by one (no placeholders, constants, identities or variable ops). */
export function kernelOps(cf: tf.ConcreteFunction): number {
  const runtime = new Set([
    "Placeholder",
    "Const",
    "Identity",
    "ReadVariableOp",
    "AssignVariableOp",
    "AssignAddVariableOp",
    "AssignSubVariableOp",
    "NoOp",
    "StopGradient",
  ]);
  return cf.graph.getOperations().filter((op) => !runtime.has(op.type)).length;
}
