/**
 * A tiny benchmark harness: warm-up runs, then the median of timed runs, with Kiln and the
 * anchor libraries interleaved so a machine that gets busier halfway slows both alike.
 *
 * ```ts
 * const [kilnMs, tfjsMs] = await timeAll([() => kilnWork(), () => tfjsWork()], { runs: 7 });
 * ```
 */

/** Untimed warm-up runs, then timed runs. */
export interface TimeOptions {
  readonly warmup?: number;
  readonly runs?: number;
}

/** The median of a list (the mean of the middle two for an even count). */
export function median(times: readonly number[]): number {
  if (times.length === 0) return Number.NaN;
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Times each function (undefined entries are skipped and give NaN), their runs
 * interleaved; returns the median milliseconds of each.
 */
export async function timeAll(
  fns: readonly ((() => unknown) | undefined)[],
  { warmup = 2, runs = 7 }: TimeOptions = {},
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) for (const fn of fns) if (fn !== undefined) await fn();
  const times: number[][] = fns.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < fns.length; k++) {
      const fn = fns[k];
      if (fn === undefined) continue;
      const start = performance.now();
      await fn();
      times[k]!.push(performance.now() - start);
    }
  }
  return times.map(median);
}

/** Formats rows of cells as a plain-text table with right-aligned columns. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  const line = (row: readonly string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Deterministic values in [-1, 1), so every library computes on the same numbers. */
export function randomArray(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** A number with `digits` decimals, or "n/a" for NaN. */
export function show(value: number, digits = 2): string {
  return Number.isNaN(value) ? "n/a" : value.toFixed(digits);
}
