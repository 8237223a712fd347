/**
 * A small benchmark harness: medians of repeated timings and a plain-text table. Times are
 * the process's CPU time (user + system), not wall time: the benchmarks are single-threaded
 * JS, and on a shared machine wall time swings with other people's load while CPU time
 * barely moves.
 *
 * ```ts
 * const ms = await medianMs(async () => { await work(); }, { warmup: 1, runs: 5 });
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

/** Median CPU time of `fn` in ms after `warmup` untimed runs; `fn` may return a divisor (e.g. steps run). */
export async function medianMs(fn: () => Promise<number | undefined> | number | undefined, { warmup = 1, runs = 5 } = {}): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = cpuMs();
    const divisor = (await fn()) ?? 1;
    times.push((cpuMs() - start) / divisor);
  }
  return median(times);
}

/**
 * Medians of several functions timed in alternation (a, b, a, b, ...), so drifting load on a
 * shared machine affects each side alike. Each function may return a divisor (steps run).
 *
 * ```ts
 * const [fitMs, handMs] = await interleavedMedians([fitEpoch, handEpoch], { warmup: 1, runs: 7 });
 * ```
 */
export async function interleavedMedians(
  fns: readonly (() => Promise<number | undefined> | number | undefined)[],
  { warmup = 1, runs = 5 } = {},
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) for (const fn of fns) await fn();
  const times: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, fn] of fns.entries()) {
      const start = cpuMs();
      const divisor = (await fn()) ?? 1;
      times[k]!.push((cpuMs() - start) / divisor);
    }
  }
  return times.map(median);
}

/** One comparison row: Kiln's time, the anchor's, and anchor / Kiln. */
export interface Row {
  name: string;
  kilnMs: number;
  anchorMs: number;
  anchor: string;
  target?: string;
}

/** Formats rows as an aligned text table. */
export function formatRows(rows: readonly Row[]): string {
  const table = [
    ["case", "kiln ms", "anchor", "anchor ms", "ratio", "target"],
    ...rows.map((r) => [
      r.name,
      r.kilnMs.toFixed(2),
      r.anchor,
      r.anchorMs.toFixed(2),
      `${(r.anchorMs / r.kilnMs).toFixed(2)}x`,
      r.target ?? "",
    ]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return table
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
