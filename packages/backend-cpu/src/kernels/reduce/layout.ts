/**
 * Iteration layouts for reductions and scans. Instead of mapping every element's
 * multi-index (slow: divisions per element), a reduction is described as one or more
 * passes over an `[outer, size, inner]` view of row-major data: `outer` independent
 * blocks, each holding `size` rows of `inner` contiguous elements to combine. Inner loops
 * then run over contiguous memory.
 */

/** One pass: combine `size` consecutive rows of `inner` elements, `outer` times. */
export interface Pass {
  readonly outer: number;
  readonly size: number;
  readonly inner: number;
}

/** The `[outer, size, inner]` view of `shape` around one axis. */
export function splitAtAxis(shape: readonly number[], axis: number): Pass {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, size: shape[axis]!, inner };
}

/**
 * The passes that reduce a non-empty tensor of `shape` over `axes`. Adjacent reduced
 * axes merge into one run (and adjacent kept axes into one block), size-1 axes vanish, so
 * `[2,3,4]` over `[1,2]` is the single pass `[2, 12, 1]`. Runs that are separated by
 * kept axes need one pass each, largest first so later passes read less data; each pass
 * shrinks the data, so the total cost stays below twice one read of the input.
 * An empty list means nothing is reduced (every reduced axis has size 1).
 */
export function reductionPasses(shape: readonly number[], axes: readonly number[]): Pass[] {
  const reduced = new Set(axes);
  // Alternating runs, each [size, isReduced], with size-1 axes dropped.
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
    for (let i = 0; i < runs.length; i++) {
      if (runs[i]![1] && (best < 0 || runs[i]![0] > runs[best]![0])) best = i;
    }
    if (best < 0) return passes;
    let outer = 1;
    let inner = 1;
    for (let i = 0; i < best; i++) outer *= runs[i]![0];
    for (let i = best + 1; i < runs.length; i++) inner *= runs[i]![0];
    passes.push({ outer, size: runs[best]![0], inner });
    // Removing the run joins its two kept neighbours into one block.
    const before = runs[best - 1];
    const after = runs[best + 1];
    if (before !== undefined && after !== undefined) {
      before[0] *= after[0];
      runs.splice(best, 2);
    } else {
      runs.splice(best, 1);
    }
  }
}
