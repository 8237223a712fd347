import { normalizeAxes, normalizeAxis } from "../base/shape.js";
import type { GradArgs } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";
import { add, minimum, sub } from "./binary.js";
import { zerosLike } from "./creation.js";
import { gather } from "./gather.js";
import type { ConcatV2Attrs, PackAttrs, SplitVAttrs, UnpackAttrs } from "./joining.js";
import { concat, split, stack, unstack } from "./joining.js";
import { normalizeInsertAxis } from "./movement_args.js";
import { axisRange, carriesGradient, lengthOf, matchStaticShape, reshapeToInput, staticReshapeTarget } from "./movement_grad_utils.js";
import { sum } from "./reduction.js";
import { shape } from "./shape_of.js";
import type {
  BroadcastToAttrs,
  ExpandDimsAttrs,
  PadV2Attrs,
  ReshapeAttrs,
  ReverseV2Attrs,
  SqueezeAttrs,
  TileAttrs,
  TransposeAttrs,
} from "./shape_ops.js";
import { expandDims, reshape, reverse, squeeze, transpose } from "./shape_ops.js";
import { slice, stridedSlice } from "./slicing.js";

// Gradient rules of the shape ops (shape_ops.ts) and the joining ops (joining.ts), following
// TensorFlow's array_grad.py. Every op here only moves elements, so each rule moves the
// upstream gradient back: the inverse layout change, a sum where one input element fed
// several outputs (broadcastTo, tile), zeros where an input element fed none (pad's
// inverse has none; split/unstack fill missing output gradients with zeros). Only float32
// inputs get gradients. Where a rule needs an input dim that is unknown while tracing it
// uses the run-time helpers of movement_grad_utils.ts.

type Grads = (Tensor | null)[];

/** The single input and upstream gradient of a one-in, one-out op, or undefined when none flows. */
function single<A>(args: GradArgs<A, Tensor>): { x: Tensor; dy: Tensor } | undefined {
  const x = args.inputs[0]!;
  const dy = args.dys[0];
  return carriesGradient(x) && dy !== null && dy !== undefined ? { x, dy } : undefined;
}

/** Reshape: the gradient is dy with the input's shape. */
export function reshapeGrad(args: GradArgs<ReshapeAttrs, Tensor>): Grads {
  const io = single(args);
  return [io ? reshapeToInput(io.dy, io.x) : null];
}

/** Transpose: transpose dy by the inverse permutation. */
export function transposeGrad(args: GradArgs<TransposeAttrs, Tensor>): Grads {
  const io = single(args);
  if (io === undefined) return [null];
  const perm = args.attrs.perm.map((a) => normalizeAxis(a, io.x.rank, "transpose"));
  const inverse = new Array<number>(perm.length);
  perm.forEach((from, to) => {
    inverse[from] = to;
  });
  return [transpose(io.dy, inverse)];
}

/** ExpandDims: squeeze the inserted axis back out. */
export function expandDimsGrad(args: GradArgs<ExpandDimsAttrs, Tensor>): Grads {
  const io = single(args);
  return [io ? squeeze(io.dy, [normalizeInsertAxis(args.attrs.axis, io.x.rank, "expandDims")]) : null];
}

/** Squeeze: put the removed size-1 axes back (a reshape, or one expandDims per axis when dims are unknown). */
export function squeezeGrad(args: GradArgs<SqueezeAttrs, Tensor>): Grads {
  const io = single(args);
  if (io === undefined) return [null];
  const { x, dy } = io;
  const target = staticReshapeTarget(x.shape);
  if (target !== undefined) return [reshape(dy, target)];
  // Squeezing everything needs known dims (Squeeze's infer), so here the axes are explicit.
  let g = dy;
  for (const axis of normalizeAxes(args.attrs.axis, x.rank, "squeeze")) g = expandDims(g, axis);
  return [g];
}

/**
 * BroadcastTo: sum dy over the axes that were broadcast (the leading ones x lacked and x's
 * size-1 ones). An axis x left unknown while tracing may be 1 or the target size at run
 * time; there each position gathers from [sum over the axis, dy...]: the sum when the axis
 * has length 1, dy itself when it was not broadcast.
 */
export function broadcastToGrad(args: GradArgs<BroadcastToAttrs, Tensor>): Grads {
  const io = single(args);
  if (io === undefined) return [null];
  const { x, dy } = io;
  const lead = dy.rank - x.rank;
  let g =
    lead === 0
      ? dy
      : sum(
          dy,
          Array.from({ length: lead }, (_, i) => i),
        );
  const ones = x.shape.flatMap((d, i) => (d === 1 && g.shape[i] !== 1 ? [i] : []));
  if (ones.length > 0) g = sum(g, ones, true);
  x.shape.forEach((d, axis) => {
    if (d !== null || g.shape[axis] === 1) return;
    const positions = axisRange(x, axis);
    // Index 0 is the sum; dy's slices start at 1, used only when the length is not 1.
    const shift = minimum(sub(lengthOf(positions), 1), 1);
    g = gather(concat([sum(g, axis, true), g], axis), add(positions, shift), axis);
  });
  return [g];
}

/**
 * Tile: every input element fed one output element per copy, so sum the copies: reshape
 * dy to [m0, d0, m1, d1, ...] and sum the m axes. With more than one unknown dim no static
 * reshape exists, and the copies are split apart and added per tiled axis instead.
 */
export function tileGrad(args: GradArgs<TileAttrs, Tensor>): Grads {
  const io = single(args);
  if (io === undefined) return [null];
  const { x, dy } = io;
  const multiples = args.attrs.multiples;
  // Multiples given as a tensor (known only when the graph runs): split each axis into
  // [copies, size] with a run-time shape and sum the copies.
  if (multiples === undefined) return [sum(reshape(dy, reshape(stack([args.inputs[1]!, shape(x)], 1), [-1])), x.shape.map((_, i) => 2 * i))];
  if (multiples.includes(0) || x.shape.includes(0)) return [zerosLike(x)];
  if (multiples.every((m) => m === 1)) return [dy];
  const inner = staticReshapeTarget(x.shape);
  if (inner !== undefined) {
    const split: number[] = [];
    const copies: number[] = [];
    inner.forEach((d, i) => {
      if (multiples[i]! > 1) {
        copies.push(split.length);
        split.push(multiples[i]!);
      }
      split.push(d);
    });
    return [sum(reshape(dy, split), copies)];
  }
  let g = dy;
  multiples.forEach((m, axis) => {
    if (m > 1) g = split(g, m, axis).reduce((total, part) => add(total, part));
  });
  return [g];
}

/** ReverseV2: reverse dy along the same axes. */
export function reverseGrad(args: GradArgs<ReverseV2Attrs, Tensor>): Grads {
  const io = single(args);
  return [io ? reverse(io.dy, args.attrs.axis) : null];
}

/** PadV2: slice the input's box back out of dy (a strided slice when dims are unknown). */
export function padGrad(args: GradArgs<PadV2Attrs, Tensor>): Grads {
  const io = single(args);
  if (io === undefined) return [null];
  const { x, dy } = io;
  const before = args.attrs.paddings.map((p) => p[0]);
  if (!x.shape.includes(null)) return [slice(dy, before, x.shape as number[])];
  // Ends count back from dy's end, so they need no input size; an `after` of 0 reads to the end.
  const ends = args.attrs.paddings.map((p) => (p[1] === 0 ? 0 : -p[1]));
  const endMask = args.attrs.paddings.reduce((mask, p, i) => (p[1] === 0 ? mask + 2 ** i : mask), 0);
  return [
    stridedSlice(
      dy,
      before,
      ends,
      before.map(() => 1),
      0,
      endMask,
    ),
  ];
}

/**
 * ConcatV2: split dy at the inputs' sizes along the axis. With more than one size unknown
 * while tracing, each input gathers its run-time range, offset by the lengths before it.
 */
export function concatGrad(args: GradArgs<ConcatV2Attrs, Tensor>): Grads {
  const { inputs } = args;
  const dy = args.dys[0];
  if (!carriesGradient(inputs[0]!) || dy === null || dy === undefined) return inputs.map(() => null);
  const axis = normalizeAxis(args.attrs.axis, inputs[0]!.rank, "concat");
  const sizes = inputs.map((t) => t.shape[axis]!);
  const unknown = sizes.filter((d) => d === null).length;
  if (unknown <= 1) {
    const parts =
      inputs.length === 1
        ? [dy]
        : split(
            dy,
            sizes.map((d) => d ?? -1),
            axis,
          );
    return parts.map((part, i) => matchStaticShape(part, inputs[i]!));
  }
  let offset: number | Tensor = 0;
  return inputs.map((x) => {
    const positions = axisRange(x, axis);
    const part = gather(dy, offset === 0 ? positions : add(positions, offset), axis);
    const length = lengthOf(positions);
    offset = typeof offset === "number" && typeof length === "number" ? offset + length : add(offset, length);
    return matchStaticShape(part, x);
  });
}

/** Pack: unstack dy along the new axis. */
export function stackGrad(args: GradArgs<PackAttrs, Tensor>): Grads {
  const { inputs } = args;
  const dy = args.dys[0];
  if (!carriesGradient(inputs[0]!) || dy === null || dy === undefined) return inputs.map(() => null);
  const axis = normalizeInsertAxis(args.attrs.axis, inputs[0]!.rank, "stack");
  return unstack(dy, axis).map((part, i) => matchStaticShape(part, inputs[i]!));
}

/** Outputs' gradients, with zeros where an output got none. */
function filled(args: GradArgs<unknown, Tensor>): Tensor[] {
  return args.dys.map((dy, i) => dy ?? zerosLike(args.outputs[i]!));
}

/** Unpack: stack the outputs' gradients back along the axis. */
export function unstackGrad(args: GradArgs<UnpackAttrs, Tensor>): Grads {
  const x = args.inputs[0]!;
  if (!carriesGradient(x)) return [null];
  return [matchStaticShape(stack(filled(args), normalizeAxis(args.attrs.axis, x.rank, "unstack")), x)];
}

/** SplitV: concatenate the parts' gradients back along the axis. */
export function splitGrad(args: GradArgs<SplitVAttrs, Tensor>): Grads {
  const x = args.inputs[0]!;
  if (!carriesGradient(x)) return [null];
  return [matchStaticShape(concat(filled(args), normalizeAxis(args.attrs.axis, x.rank, "split")), x)];
}
