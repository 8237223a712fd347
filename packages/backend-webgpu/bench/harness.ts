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

/** Milliseconds per call of `fn` (its results are disposed), the GPU's work included. */
export async function timeGpu(
  backend: WebGPUBackend,
  fn: () => unknown,
  { warmup = 2, runs = 10, samples = 3 }: GpuTimeOptions = {},
): Promise<number> {
  const once = () => tf.dispose(fn() as tf.Tensor | tf.Tensor[]);
  for (let i = 0; i < warmup; i++) once();
  await tf.asyncWait();
  await backend.sync();
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = performance.now();
    for (let i = 0; i < runs; i++) once();
    await tf.asyncWait();
    await backend.sync();
    times.push((performance.now() - start) / runs);
  }
  return median(times);
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
