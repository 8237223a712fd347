import { ArgumentError, formatShape } from "../base/errors.js";
import type { Shape } from "../base/shape.js";
import { checkInt, checkIntArray, show } from "./movement_args.js";

/**
 * TensorFlow's `StridedSlice` semantics, resolved once for shape inference and for every
 * backend's kernel (so none of them re-derives the mask rules).
 *
 * The attrs are a *sparse* spec: entry `i` of `begin`/`end`/`strides` describes one index
 * expression, and bit `i` of each mask changes its meaning (`beginMask`: ignore begin,
 * `endMask`: ignore end, `ellipsisMask`: this entry is `...`, `newAxisMask`: insert a size-1
 * axis, `shrinkAxisMask`: take the single index `begin[i]` and drop the axis). The spec is
 * expanded to a *dense* one with one entry per input dimension (an implicit `...` is added
 * at the end), then each dimension's begin is clamped like NumPy and its size computed.
 */
export type StridedSliceAttrs = {
  readonly begin: readonly number[];
  readonly end: readonly number[];
  readonly strides: readonly number[];
  readonly beginMask: number;
  readonly endMask: number;
  readonly ellipsisMask: number;
  readonly newAxisMask: number;
  readonly shrinkAxisMask: number;
};

/** A resolved strided slice: what to read from each input dimension, and the output shape. */
export interface StridedSliceSpec {
  /** Per input dimension: the first index read (meaningless where the dim is unknown). */
  readonly begin: readonly number[];
  /** Per input dimension: the step between reads (negative walks backwards). */
  readonly strides: readonly number[];
  /** Per input dimension: how many indices are read (`null` when unknown while tracing). */
  readonly sizes: readonly (number | null)[];
  /** The output shape: `sizes` with shrunk axes removed and new axes inserted. */
  readonly shape: readonly (number | null)[];
  /**
   * Per input dimension: the entry of the dense spec as given (before clamping), which the
   * gradient re-applies at run time where the dimension is unknown while tracing.
   */
  readonly dense: readonly StridedSliceEntry[];
  /** Per output dimension: the input dimension it reads, or `"new"` for an inserted axis. */
  readonly outputAxes: readonly (number | "new")[];
}

/** Bit `i` of a mask; arithmetic instead of `<<` so masks past bit 31 still work. */
function bit(mask: number, i: number): boolean {
  return Math.floor(mask / 2 ** i) % 2 === 1;
}

/** C-style integer division (truncating toward zero), as TF's size formula expects. */
function ceilDiv(length: number, stride: number): number {
  return Math.trunc(length / stride) + (length % stride !== 0 ? 1 : 0);
}

/** One entry of the dense spec: how one input dimension is indexed. */
export interface StridedSliceEntry {
  readonly begin: number;
  readonly end: number;
  readonly stride: number;
  readonly beginMasked: boolean;
  readonly endMasked: boolean;
  /** A single index (`x[3]`): the dimension is read at `begin` and dropped from the output. */
  readonly shrink: boolean;
}

/**
 * Resolves StridedSlice attrs against an input shape. Throws ArgumentError for more than
 * one ellipsis, a zero stride, more indexed dimensions than the input has, or a shrunk
 * index out of range.
 *
 * ```ts
 * stridedSliceSpec([4, 6], { begin: [0, 1], end: [0, 0], strides: [1, 2], beginMask: 1,
 *   endMask: 3, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 }).shape; // [4, 3]
 * ```
 */
export function stridedSliceSpec(input: Shape, attrs: StridedSliceAttrs, api = "stridedSlice"): StridedSliceSpec {
  const begin = checkIntArray(attrs.begin, api, "begin");
  const end = checkIntArray(attrs.end, api, "end");
  const strides = checkIntArray(attrs.strides, api, "strides");
  if (end.length !== begin.length || strides.length !== begin.length) {
    throw new ArgumentError(
      `${api}: begin, end and strides must have the same length, received ${show(begin)}, ${show(end)} and ${show(strides)}`,
    );
  }
  const beginMask = checkInt(attrs.beginMask, api, "beginMask", 0);
  const endMask = checkInt(attrs.endMask, api, "endMask", 0);
  const newAxisMask = checkInt(attrs.newAxisMask, api, "newAxisMask", 0);
  const shrinkMask = checkInt(attrs.shrinkAxisMask, api, "shrinkAxisMask", 0);
  let ellipsisMask = checkInt(attrs.ellipsisMask, api, "ellipsisMask", 0);
  const ellipses = Array.from({ length: begin.length }, (_, i) => i).filter((i) => bit(ellipsisMask, i));
  if (ellipses.length > 1)
    throw new ArgumentError(
      `${api}: ellipsisMask ${ellipsisMask} marks ${ellipses.length} ellipses; a slice may contain at most one '...'`,
    );

  // Sparse -> dense. Without an explicit ellipsis, one is implied after the last entry.
  let sparseDims = begin.length;
  if (ellipses.length === 0) {
    ellipsisMask = 2 ** sparseDims;
    sparseDims++;
  }
  const ellipsisAt = ellipses[0] ?? begin.length;
  let newAxesAfterEllipsis = 0;
  for (let i = ellipsisAt + 1; i < begin.length; i++) if (bit(newAxisMask, i) && !bit(ellipsisMask, i)) newAxesAfterEllipsis++;

  const rank = input.length;
  const dense: StridedSliceEntry[] = [];
  // For each output dimension: an input dimension, or "new" for an inserted size-1 axis.
  const gather: (number | "new" | "shrink")[] = [];
  for (let i = 0; i < sparseDims; i++) {
    if (bit(ellipsisMask, i)) {
      const next = Math.min(rank - (sparseDims - i) + 1 + newAxesAfterEllipsis, rank);
      while (dense.length < next) {
        gather.push(dense.length);
        dense.push({ begin: 0, end: 0, stride: 1, beginMasked: true, endMasked: true, shrink: false });
      }
    } else if (bit(newAxisMask, i)) {
      gather.push("new");
    } else {
      if (dense.length === rank) {
        throw new ArgumentError(
          `${api}: the slice indexes more dimensions than the input has: input shape ${formatShape(input)} has rank ${rank}`,
        );
      }
      const shrink = bit(shrinkMask, i);
      gather.push(shrink ? "shrink" : dense.length);
      dense.push({
        begin: begin[i]!,
        end: end[i]!,
        stride: strides[i]!,
        beginMasked: bit(beginMask, i),
        endMasked: bit(endMask, i),
        shrink,
      });
    }
  }

  const outBegin: number[] = [];
  const outStrides: number[] = [];
  const sizes: (number | null)[] = [];
  dense.forEach((entry, i) => {
    const dim = input[i]!;
    const { stride, shrink } = entry;
    if (stride === 0) throw new ArgumentError(`${api}: strides[${i}] is 0; a stride must be non-zero`);
    if (shrink && stride < 0)
      throw new ArgumentError(`${api}: a shrunk (single index) dimension ${i} needs a positive stride, received ${stride}`);
    outStrides.push(stride);
    if (dim === null) {
      outBegin.push(0);
      sizes.push(shrink ? 1 : null);
      return;
    }
    if (shrink) {
      const index = entry.begin < 0 ? entry.begin + dim : entry.begin;
      if (index < 0 || index >= dim) {
        throw new ArgumentError(
          `${api}: index ${entry.begin} is out of bounds for dimension ${i} with size ${dim}; valid indices are ${dim === 0 ? "none" : `${-dim}..${dim - 1}`}`,
        );
      }
      outBegin.push(index);
      sizes.push(1);
      return;
    }
    // Clamp like NumPy: forward slices live in [0, dim], backward ones in [-1, dim - 1].
    const lo = stride > 0 ? 0 : -1;
    const hi = stride > 0 ? dim : dim - 1;
    const canonical = (x: number, masked: boolean, isEnd: boolean): number => {
      if (masked) return stride > 0 === !isEnd ? lo : hi;
      const fwd = x < 0 ? x + dim : x;
      return Math.min(Math.max(fwd, lo), hi);
    };
    const b = canonical(entry.begin, entry.beginMasked, false);
    const e = canonical(entry.end, entry.endMasked, true);
    const length = e - b;
    outBegin.push(b);
    sizes.push(length === 0 || length < 0 !== stride < 0 ? 0 : ceilDiv(length, stride));
  });

  const shape: (number | null)[] = [];
  const outputAxes: (number | "new")[] = [];
  for (const g of gather) {
    if (g === "shrink") continue;
    shape.push(g === "new" ? 1 : sizes[g]!);
    outputAxes.push(g);
  }
  return { begin: outBegin, strides: outStrides, sizes, shape, dense, outputAxes };
}
