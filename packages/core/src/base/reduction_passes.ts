// How a reduction walks row-major data, shared by every backend's reduction and scan
// kernels so axes are merged and ordered one way everywhere. Instead of mapping every
// element's multi-index (divisions per element), a reduction is one or more passes over an
// `[outer, size, inner]` view: `outer` independent blocks, each holding `size` rows of
// `inner` contiguous elements to combine, so inner loops run over contiguous memory.

import { ArgumentError, AxisError } from "./errors.js";
import { checkShape } from "./shape.js";

/** One pass of a reduction: combine `size` consecutive rows of `inner` elements, `outer` times. */
export interface ReductionPass {
  readonly outer: number;
  readonly size: number;
  readonly inner: number;
}

/** A received value for an error message (typed arrays, symbols, bigints and cycles included). */
function shown(value: unknown): string {
  if (typeof value === "number" || typeof value === "symbol" || typeof value === "bigint") return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name} [${Array.from(value as unknown as ArrayLike<number>).join(", ")}]`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Rejects an axis that is not a normalized axis of a rank-`rank` shape. The loops below run
 * up to the axis, so an unchecked `1e12` would spin for half an hour instead of failing.
 */
function checkAxis(axis: unknown, rank: number, fn: string): void {
  if (!Number.isInteger(axis) || (axis as number) < 0 || (axis as number) >= rank) {
    throw new AxisError(
      `${fn}: axis ${shown(axis)} is not a normalized axis of a rank-${rank} shape; valid axes are ${rank === 0 ? "none (scalar)" : `0..${rank - 1}`}`,
    );
  }
}

/**
 * The `[outer, size, inner]` view of `shape` around one (normalized) axis. Throws a
 * `ShapeError` for a malformed shape and an `AxisError` for an axis outside `0..rank-1`.
 *
 * ```ts
 * splitAtAxis([2, 3, 4], 1); // { outer: 2, size: 3, inner: 4 }
 * ```
 */
export function splitAtAxis(shape: readonly number[], axis: number): ReductionPass {
  checkShape(shape, "splitAtAxis");
  checkAxis(axis, shape.length, "splitAtAxis");
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, size: shape[axis]!, inner };
}

/**
 * The passes that reduce a non-empty tensor of `shape` over `axes` (normalized), each over
 * an `[outer, size, inner]` view of row-major data. Adjacent reduced axes merge into one
 * run (and adjacent kept axes into one block), size-1 axes vanish, so `[2,3,4]` over
 * `[1,2]` is the single pass `[2, 12, 1]`. Runs separated by kept axes need one pass each,
 * largest first so later passes read less data; each pass shrinks the data, so the total
 * cost stays below twice one read of the input. An empty list means nothing is reduced
 * (every reduced axis has size 1). Throws a `ShapeError` for a malformed shape, an
 * `ArgumentError` when `axes` is not an array, and an `AxisError` for an axis outside
 * `0..rank-1`.
 *
 * ```ts
 * reductionPasses([2, 3, 4], [1, 2]); // [{ outer: 2, size: 12, inner: 1 }]
 * ```
 */
export function reductionPasses(shape: readonly number[], axes: readonly number[]): ReductionPass[] {
  checkShape(shape, "reductionPasses");
  if (!Array.isArray(axes)) throw new ArgumentError(`reductionPasses: 'axes' must be an array of normalized axes, received ${shown(axes)}`);
  for (const axis of axes) checkAxis(axis, shape.length, "reductionPasses");
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
  const passes: ReductionPass[] = [];
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
