/**
 * Timing helpers: runs variants of the same computation alternately in rounds (so machine
 * load hits each alike) and reports the median wall time per call and, for two variants,
 * their ratio. (Process CPU time would mislead here: the wasm backend's worker threads
 * spin while they wait for work.)
 *
 * ```js
 * const r = await compare({ eager: () => f(x), traced: () => g(x) }, { rounds: 5, calls: 10 });
 * r.eager.median; r.traced.median; r.ratio; // milliseconds; eager / traced
 * ```
 */

/** Runs `fn` (which returns a tensor) `calls` times, awaiting each result; returns the wall times in ms. */
async function timeCalls(fn, calls) {
  const walls = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    const result = fn();
    await result.data();
    result.dispose();
    walls.push(performance.now() - start);
  }
  return walls;
}

/** The median of a non-empty list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Compares variants (an object of name -> function returning a tensor) after one warm-up
 * call each; resolves to `{ [name]: { median } }` in ms per call, plus, for two variants,
 * `ratio` (the first one's median over the second's).
 */
export async function compare(variants, { rounds = 5, calls = 10 } = {}) {
  const names = Object.keys(variants);
  const walls = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) await timeCalls(variants[name], 1);
  for (let round = 0; round < rounds; round++) {
    for (const name of names) walls[name].push(...(await timeCalls(variants[name], calls)));
  }
  const result = Object.fromEntries(names.map((name) => [name, { median: median(walls[name]) }]));
  if (names.length !== 2) return result;
  const [a, b] = names;
  return { ...result, ratio: result[a].median / result[b].median };
}
