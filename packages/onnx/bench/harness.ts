/**
 * Timing for the benchmarks: medians of CPU time (user + system of the whole process, which
 * counts onnxruntime's native threads too), measured in alternation so load drifting on a
 * shared machine affects each side alike.
 *
 * ```ts
 * const [a, b] = await interleavedMedians([runKiln, runOrt], { warmup: 3, runs: 15 });
 * ```
 */

/** Milliseconds of CPU time this process has used so far. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median CPU and wall milliseconds of one function. */
export interface Timing {
  readonly cpu: number;
  readonly wall: number;
}

/** Median CPU and wall ms of each function, timed in alternation after `warmup` untimed rounds. */
export async function interleavedMedians(fns: readonly (() => Promise<unknown> | unknown)[], { warmup = 2, runs = 11 } = {}): Promise<Timing[]> {
  for (let i = 0; i < warmup; i++) for (const fn of fns) await fn();
  const cpu: number[][] = fns.map(() => []);
  const wall: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, fn] of fns.entries()) {
      const [startCpu, startWall] = [cpuMs(), performance.now()];
      await fn();
      cpu[k]!.push(cpuMs() - startCpu);
      wall[k]!.push(performance.now() - startWall);
    }
  }
  return fns.map((_, k) => ({ cpu: median(cpu[k]!), wall: median(wall[k]!) }));
}

/** An aligned plain-text table. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
}
