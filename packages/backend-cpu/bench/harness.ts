/**
 * A tiny benchmark harness shared by the cpu backend's benches: time a function (warm-up
 * runs first, then the median of timed runs) and print rows comparing Kiln with an anchor
 * implementation (tfjs) measured in the same process.
 *
 * ```ts
 * const kilnMs = await timeIt(() => tf.matMul(a, b).dispose(), { warmup: 2, runs: 7 });
 * ```
 */

/** One comparison: Kiln's time, the anchor's time for the same work, and `anchorMs / kilnMs`. */
export interface BenchRow {
  name: string;
  kilnMs: number;
  anchorMs: number;
  /** `anchorMs / kilnMs`: above 1 means Kiln is faster. */
  ratio: number;
  note?: string;
}

/** How many untimed warm-up runs (JIT, caches) precede how many timed ones. */
export interface TimeOptions {
  readonly warmup?: number;
  readonly runs?: number;
}

/**
 * The median of a list of times (the mean of the middle two for an even count). The
 * median ignores the occasional GC pause or scheduler hiccup that would skew a mean.
 *
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(times: readonly number[]): number {
  if (times.length === 0) return Number.NaN;
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `fn` `warmup` times untimed, then `runs` times timed, and returns the median
 * milliseconds. An async `fn` is awaited inside its timing.
 *
 * ```ts
 * const ms = await timeIt(() => work(), { warmup: 1, runs: 5 });
 * ```
 */
export async function timeIt(fn: () => unknown, { warmup = 2, runs = 5 }: TimeOptions = {}): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < Math.max(runs, 1); i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

/**
 * Like `timeIt`, but the median CPU time this process spent (user + system, all threads,
 * milliseconds): on a shared machine whose other jobs take the cores away, this stays near
 * what an idle machine's wall clock shows, where wall-clock time does not.
 *
 * ```ts
 * const cpuMs = await cpuTimeIt(() => tf.exp(x).dispose(), { runs: 9 });
 * ```
 */
export async function cpuTimeIt(fn: () => unknown, { warmup = 2, runs = 5 }: TimeOptions = {}): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < Math.max(runs, 1); i++) {
    const start = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  return median(times);
}

/**
 * Times Kiln and the anchor on the same work with their runs interleaved (after both
 * warm up), so a machine that gets busier halfway through slows both sides alike and the
 * ratio stays honest. Returns the median milliseconds of each.
 *
 * ```ts
 * const { kilnMs, anchorMs } = await timePair(() => kilnWork(), () => tfjsWork(), { runs: 7 });
 * ```
 */
export async function timePair(
  kiln: () => unknown,
  anchor: () => unknown,
  { warmup = 2, runs = 5 }: TimeOptions = {},
): Promise<{ kilnMs: number; anchorMs: number }> {
  for (let i = 0; i < warmup; i++) {
    await kiln();
    await anchor();
  }
  const kilnTimes: number[] = [];
  const anchorTimes: number[] = [];
  for (let i = 0; i < Math.max(runs, 1); i++) {
    let start = performance.now();
    await kiln();
    kilnTimes.push(performance.now() - start);
    start = performance.now();
    await anchor();
    anchorTimes.push(performance.now() - start);
  }
  return { kilnMs: median(kilnTimes), anchorMs: median(anchorTimes) };
}

/** A row of `BenchRow` values from two timings. */
export function benchRow(name: string, kilnMs: number, anchorMs: number, note?: string): BenchRow {
  return { name, kilnMs, anchorMs, ratio: anchorMs / kilnMs, ...(note === undefined ? {} : { note }) };
}

/**
 * Formats rows of cells as a plain-text table with right-aligned columns.
 *
 * ```ts
 * console.log(formatTable(["size", "ms"], [[128, "1.20"]]));
 * ```
 */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  const line = (row: readonly string[]) => row.map((cell, i) => cell.padStart(widths[i]!)).join("  ");
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/**
 * Deterministic inputs in [-1, 1) (a linear congruential generator), so Kiln and the anchor
 * library compute on exactly the same numbers.
 *
 * ```ts
 * const values = randomArray(1024, 1);
 * ```
 */
export function randomArray(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
