/** One reduction pass: combine `size` consecutive rows of `inner` elements, `outer` times. */
export interface Pass {
  readonly outer: number;
  readonly size: number;
  readonly inner: number;
}

/**
 * The passes that reduce `shape` over `axes` (normalized), each over an `[outer, size,
 * inner]` view of row-major data. Adjacent reduced axes merge into one run and adjacent
 * kept axes into one block, size-1 axes vanish, so `[2,3,4]` over `[1,2]` is the single
 * pass `[2, 12, 1]`. Runs separated by kept axes need one pass each, largest first. When
 * nothing is reduced (every reduced axis has size 1) the result is one pass of size 1, a copy.
 *
 * ```ts
 * reductionPasses([2, 3, 4], [0, 2]); // [{ outer: 2, size: 4... }] largest run first
 * ```
 */
export function reductionPasses(shape: readonly number[], axes: readonly number[]): Pass[] {
  const reduced = new Set(axes);
  const runs: [number, boolean][] = [];
  for (let i = 0; i < shape.length; i++) {
    const size = shape[i]!;
    if (size === 1) continue;
    const isReduced = reduced.has(i);
    const last = runs.at(-1);
    if (last !== undefined && last[1] === isReduced) last[0] *= size;
    else runs.push([size, isReduced]);
  }
  const passes: Pass[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < runs.length; i++) if (runs[i]![1] && (best < 0 || runs[i]![0] > runs[best]![0])) best = i;
    if (best < 0) break;
    let outer = 1;
    let inner = 1;
    for (let i = 0; i < best; i++) outer *= runs[i]![0];
    for (let i = best + 1; i < runs.length; i++) inner *= runs[i]![0];
    passes.push({ outer, size: runs[best]![0], inner });
    const before = runs[best - 1];
    const after = runs[best + 1];
    if (before !== undefined && after !== undefined) {
      before[0] *= after[0];
      runs.splice(best, 2);
    } else runs.splice(best, 1);
  }
  if (passes.length === 0) {
    const total = shape.reduce((a, b) => a * b, 1);
    passes.push({ outer: total, size: 1, inner: 1 });
  }
  return passes;
}

/** The `[outer, size, inner]` view of `shape` around one axis. */
export function splitAtAxis(shape: readonly number[], axis: number): Pass {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, size: shape[axis]!, inner };
}
