import { shapesEqual } from "../base/shape.js";
import type { GradArgs } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";
import { tensor, zerosLike } from "./creation.js";
import { gather } from "./gather.js";
import { carriesGradient, padAxis, placeAlongAxis, staticReshapeTarget, stridedPlacement } from "./movement_grad_utils.js";
import { expandDims, pad, reshape, reverse, squeeze } from "./shape_ops.js";
import type { SliceAttrs } from "./slicing.js";
import { type StridedSliceAttrs, type StridedSliceEntry, stridedSliceSpec } from "./strided_slice_spec.js";

// Gradient rules of Slice and StridedSlice (TF's SliceGrad / StridedSliceGrad): the input
// elements that were read get dy back at their positions, all others get zero. Instead of a
// dedicated kernel the rules compose public ops, per input axis: nothing for an axis read
// whole; one `pad` for every axis read with stride +-1 (after a `reverse` for -1); for other
// strides a `gather` from dy plus one zero slice, with a constant index vector that sends
// each position to its read (or to the zero slice). An axis whose length is unknown while
// tracing resolves its reads at run time (`placeAlongAxis`).

type Grads = (Tensor | null)[];

/** How the gradient is put back along one input axis. */
type Placement =
  | { readonly kind: "whole" }
  | { readonly kind: "pad"; readonly before: number; readonly after: number; readonly reversed: boolean }
  | { readonly kind: "gather"; readonly index: Int32Array }
  | { readonly kind: "runtime"; readonly entry: StridedSliceEntry };

/** Places `g` (one axis per input dim, each as long as its read) back into x's shape. */
function place(g: Tensor, x: Tensor, placements: readonly Placement[]): Tensor {
  const reversed = placements.flatMap((p, i) => (p.kind === "pad" && p.reversed ? [i] : []));
  if (reversed.length > 0) g = reverse(g, reversed);
  if (placements.some((p) => p.kind === "pad" && (p.before > 0 || p.after > 0))) {
    g = pad(
      g,
      placements.map((p) => (p.kind === "pad" ? ([p.before, p.after] as const) : ([0, 0] as const))),
    );
  }
  placements.forEach((p, axis) => {
    if (p.kind === "gather") g = gather(padAxis(g, axis, 0, 1), tensor(p.index, [p.index.length], "int32"), axis);
    else if (p.kind === "runtime") g = placeAlongAxis(g, x, axis, p.entry);
  });
  return g;
}

/**
 * Where a known axis of length `dim`, read `count` times from `begin` in steps of `stride`,
 * sends its gradient.
 */
function knownPlacement(dim: number, begin: number, stride: number, count: number): Placement {
  if (count === dim && stride === 1) return { kind: "whole" };
  if (count === 1 || Math.abs(stride) === 1) {
    // The lowest position read; a backward read is a forward one over reversed dy.
    const low = stride > 0 || count === 1 ? begin : begin + (count - 1) * stride;
    return { kind: "pad", before: low, after: dim - low - count, reversed: stride < 0 && count > 1 };
  }
  return { kind: "gather", index: stridedPlacement(dim, begin, stride, count) };
}

/** Slice: pad dy back to the input's shape, the box starting at `begin`. */
export function sliceGrad(args: GradArgs<SliceAttrs, Tensor>): Grads {
  const x = args.inputs[0]!;
  const dy = args.dys[0];
  if (!carriesGradient(x) || dy === null || dy === undefined) return [null];
  const { begin, size } = args.attrs;
  const placements = x.shape.map((dim, i): Placement => {
    const b = begin[i]!;
    if (dim !== null) return knownPlacement(dim, b, 1, size[i] === -1 ? dim - b : size[i]!);
    if (size[i] === -1) return b === 0 ? { kind: "whole" } : { kind: "pad", before: b, after: 0, reversed: false };
    const entry = { begin: b, end: b + size[i]!, stride: 1, beginMasked: false, endMasked: false, shrink: false };
    return { kind: "runtime", entry };
  });
  return [place(dy, x, placements)];
}

/** True for a dense entry that reads a whole axis in order (`:` or `...`), whatever its length. */
function readsWhole(entry: StridedSliceEntry): boolean {
  return !entry.shrink && entry.stride === 1 && entry.endMasked && (entry.beginMasked || entry.begin === 0);
}

/**
 * StridedSlice (and `tf.index`): undo the new and shrunk axes so dy has one axis per input
 * dim, then place each axis's reads back. Negative strides, masks and ellipses come
 * resolved from `stridedSliceSpec`, the same resolution the forward op used.
 */
export function stridedSliceGrad(args: GradArgs<StridedSliceAttrs, Tensor>): Grads {
  const x = args.inputs[0]!;
  const dy = args.dys[0];
  if (!carriesGradient(x) || dy === null || dy === undefined) return [null];
  const spec = stridedSliceSpec(x.shape, args.attrs);
  if (x.shape.includes(0) || spec.sizes.includes(0)) return [zerosLike(x)];
  // 1. One axis per input dim: drop inserted axes, restore shrunk ones (size 1 each).
  let g = dy;
  const dense = staticReshapeTarget(spec.sizes);
  if (dense !== undefined) {
    if (!shapesEqual(g.shape, spec.sizes)) g = reshape(g, dense);
  } else {
    const inserted = spec.outputAxes.flatMap((a, i) => (a === "new" ? [i] : []));
    if (inserted.length > 0) g = squeeze(g, inserted);
    spec.dense.forEach((entry, axis) => {
      if (entry.shrink) g = expandDims(g, axis);
    });
  }
  // 2. Put each axis's reads back where they came from.
  const placements = x.shape.map((dim, i): Placement => {
    const entry = spec.dense[i]!;
    if (dim !== null) return knownPlacement(dim, spec.begin[i]!, entry.shrink ? 1 : spec.strides[i]!, spec.sizes[i]!);
    return readsWhole(entry) ? { kind: "whole" } : { kind: "runtime", entry };
  });
  return [place(g, x, placements)];
}
