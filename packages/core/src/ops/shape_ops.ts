import { ArgumentError, AxisError, formatShape, ShapeError } from "../base/errors.js";
import { normalizeAxes, normalizeAxis, type Shape } from "../base/shape.js";
import { defineOp } from "../ir/op.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { checkConverted, toTensor } from "./convert.js";
import { checkFillValue, checkIntArray, checkShapeArg, dimsOf, knownSize, normalizeInsertAxis, shapeInput, shapeWithSize, show } from "./movement_args.js";
import { type ShapeLike, shapeArgument } from "./shape_args.js";
import * as g from "./movement_grads.js";

/**
 * Shape ops: they change how a tensor's elements are laid out (reshape, transpose, pad,
 * tile, ...) and work on every dtype. Each op's attrs hold the static arguments (target
 * shape, permutation, paddings) as plain arrays so graphs serialize to JSON.
 */

export type ReshapeAttrs = { readonly shape: readonly number[] };
export type TransposeAttrs = { readonly perm: readonly number[] };
export type ExpandDimsAttrs = { readonly axis: number };
/** `axis` empty means "every dimension of size 1", as in TF's `squeeze_dims`. */
export type SqueezeAttrs = { readonly axis: readonly number[] };
export type BroadcastToAttrs = { readonly shape: readonly number[] };
export type TileAttrs = { readonly multiples: readonly number[] };
export type ReverseV2Attrs = { readonly axis: readonly number[] };
export type PadV2Attrs = { readonly paddings: readonly (readonly [number, number])[]; readonly constantValue: number };

/** Resolves a reshape target (one `-1` inferred) against a possibly partly unknown input shape. */
function reshapeTarget(input: Shape, target: unknown): (number | null)[] {
  // Entries a shape tensor gives only when the function runs: unknown dims (-1 included).
  if (Array.isArray(target) && target.includes(null)) return dimsOf(target.map((d) => (d === -1 ? null : d)), "reshape");
  const shape = checkShapeArg(target, "reshape", true);
  const inferred = shape.flatMap((d, i) => (d === -1 ? [i] : []));
  if (inferred.length > 1) {
    throw new ShapeError(
      `reshape: target shape ${formatShape(shape)} has ${inferred.length} dimensions of -1; at most one can be inferred`,
    );
  }
  const known = knownSize(shape.filter((d) => d !== -1));
  const source = knownSize(input);
  const mismatch = () =>
    new ShapeError(
      `reshape: cannot reshape a tensor of shape ${shapeWithSize(input)} into shape ${formatShape(shape)}${inferred.length === 0 ? ` (${known.size} elements)` : ""}; the number of elements must stay the same`,
    );
  const out: (number | null)[] = [...shape];
  if (inferred.length === 1) {
    const at = inferred[0]!;
    if (source.unknown) {
      out[at] = null;
    } else if (known.size === 0) {
      throw new ShapeError(
        `reshape: cannot infer the -1 in ${formatShape(shape)} for a tensor of shape ${shapeWithSize(input)}: the other dimensions multiply to 0, so any size fits; give every dimension explicitly`,
      );
    } else if (source.size % known.size !== 0) {
      throw mismatch();
    } else {
      out[at] = source.size / known.size;
    }
  } else if (source.unknown) {
    // The unknown dims multiply the known part by a whole number, so the target must be a multiple of it.
    if (source.size === 0 ? known.size !== 0 : known.size % source.size !== 0) throw mismatch();
  } else if (source.size !== known.size) {
    throw mismatch();
  }
  return out;
}

/** `Reshape`: same elements in the same order, new shape. */
export const Reshape = defineOp<ReshapeAttrs>({
  name: "Reshape",
  api: "reshape",
  family: "movement",
  inputs: ["x", "shape"],
  attrInputs: [shapeInput("shape", 1)],
  // Same elements in the same order: the result shares x's buffer.
  execution: { kind: "view" },
  infer: ([x], { shape }) => [{ shape: reshapeTarget(x!.shape, shape), dtype: x!.dtype }],
  grad: (args) => g.reshapeGrad(args),
});

/**
 * Gives a tensor a new shape with the same elements in row-major order. One dimension may
 * be `-1`, inferred from the size.
 *
 * ```ts
 * tf.reshape(tf.tensor([1, 2, 3, 4, 5, 6]), [2, -1]); // [[1, 2, 3], [4, 5, 6]]
 * tf.reshape(y, tf.shape(x));                          // x's shape, read when a traced function runs
 * ```
 */
export function reshape(x: TensorLike, shape: ShapeLike): Tensor {
  // The shape is checked before x is converted, so a bad one leaves nothing to free.
  const arg = shapeArgument(shape, "reshape");
  if ("tensor" in arg) return bind1(Reshape, [toTensor(x, "reshape", "x", undefined, arg.tensor), arg.tensor], {});
  // JS dims are checked strictly (null is not a dim a caller can ask for); a tensor's come with the run.
  const dims = checkShapeArg(arg.dims, "reshape", true);
  return bind1(Reshape, [toTensor(x, "reshape", "x")], { shape: dims });
}

/** Checks `perm` lists every axis of a rank-`rank` tensor once (negative axes allowed). */
function checkPerm(perm: unknown, rank: number): number[] {
  const list = checkIntArray(perm, "transpose", "perm");
  if (list.length !== rank) {
    throw new AxisError(
      `transpose: perm ${show(perm)} has ${list.length} entries, but the tensor has rank ${rank}; perm must list every axis exactly once`,
    );
  }
  const axes = list.map((a) => normalizeAxis(a, rank, "transpose"));
  if (new Set(axes).size !== rank)
    throw new AxisError(`transpose: perm ${show(perm)} repeats an axis; it must list every axis 0..${rank - 1} exactly once`);
  return axes;
}

/** `Transpose`: output dim `i` is input dim `perm[i]`. */
export const Transpose = defineOp<TransposeAttrs>({
  name: "Transpose",
  api: "transpose",
  family: "movement",
  inputs: ["x"],
  infer: ([x], { perm }) => [{ shape: checkPerm(perm, x!.shape.length).map((a) => x!.shape[a]!), dtype: x!.dtype }],
  grad: (args) => g.transposeGrad(args),
});

/**
 * Permutes the dimensions: output dimension `i` is input dimension `perm[i]`. Without
 * `perm` the dimensions are reversed (a matrix transpose for rank 2).
 *
 * ```ts
 * tf.transpose(tf.tensor([[1, 2, 3], [4, 5, 6]])); // [[1, 4], [2, 5], [3, 6]]
 * ```
 */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const t = toTensor(x, "transpose", "x");
  return bind1(Transpose, [t], { perm: perm ?? Array.from({ length: t.rank }, (_, i) => t.rank - 1 - i) });
}

/** `ExpandDims`: inserts a dimension of size 1. */
export const ExpandDims = defineOp<ExpandDimsAttrs>({
  name: "ExpandDims",
  api: "expandDims",
  family: "movement",
  inputs: ["x"],
  execution: { kind: "view" },
  infer: ([x], { axis }) => {
    const shape = [...x!.shape];
    shape.splice(normalizeInsertAxis(axis, shape.length, "expandDims"), 0, 1);
    return [{ shape, dtype: x!.dtype }];
  },
  grad: (args) => g.expandDimsGrad(args),
});

/**
 * Inserts a dimension of size 1 at `axis` (negative counts from the end, `-1` appends).
 *
 * ```ts
 * tf.expandDims(tf.tensor([1, 2]), 1).shape; // [2, 1]
 * ```
 */
export function expandDims(x: TensorLike, axis = 0): Tensor {
  return bind1(ExpandDims, [toTensor(x, "expandDims", "x")], { axis });
}

/** `Squeeze`: removes dimensions of size 1. */
export const Squeeze = defineOp<SqueezeAttrs>({
  name: "Squeeze",
  api: "squeeze",
  family: "movement",
  inputs: ["x"],
  execution: { kind: "view" },
  infer: ([x], { axis }) => {
    const shape = x!.shape;
    const axes = checkIntArray(axis, "squeeze", "axis");
    if (axes.length === 0) {
      if (shape.includes(null)) {
        // Whether an unknown dim is 1 decides the output rank, which a graph must know.
        throw new ShapeError(
          `squeeze: the tensor has shape ${formatShape(shape)} with unknown dimensions while tracing, so which dimensions are 1 is not known; pass the axes to squeeze explicitly`,
        );
      }
      return [{ shape: shape.filter((d) => d !== 1), dtype: x!.dtype }];
    }
    const drop = new Set(normalizeAxes(axes, shape.length, "squeeze"));
    for (const a of drop) {
      if (shape[a] !== 1 && shape[a] !== null) {
        throw new ShapeError(
          `squeeze: cannot squeeze axis ${a} of a tensor of shape ${formatShape(shape)}: it has size ${shape[a]}, not 1`,
        );
      }
    }
    return [{ shape: shape.filter((_, i) => !drop.has(i)), dtype: x!.dtype }];
  },
  grad: (args) => g.squeezeGrad(args),
});

/**
 * Removes dimensions of size 1: the given `axis` (a number or list), or all of them.
 *
 * ```ts
 * tf.squeeze(tf.zeros([1, 3, 1]), [0]).shape; // [3, 1]
 * ```
 */
export function squeeze(x: TensorLike, axis?: number | readonly number[]): Tensor {
  return bind1(Squeeze, [toTensor(x, "squeeze", "x")], { axis: axis === undefined ? [] : typeof axis === "number" ? [axis] : axis });
}

/** The output shape of broadcasting `input` to `target` (NumPy rules, one direction). */
function broadcastTarget(input: Shape, target: unknown): (number | null)[] {
  if (Array.isArray(target) && target.includes(null)) {
    const dims = dimsOf(target, "broadcastTo");
    if (dims.length < input.length) throw new ShapeError(`broadcastTo: cannot broadcast a tensor of shape ${formatShape(input)} to the lower-rank shape ${formatShape(dims)}`);
    return dims;
  }
  const shape = checkShapeArg(target, "broadcastTo");
  if (shape.length < input.length) {
    throw new ShapeError(
      `broadcastTo: cannot broadcast a tensor of shape ${formatShape(input)} to the lower-rank shape ${formatShape(shape)}`,
    );
  }
  const lead = shape.length - input.length;
  input.forEach((d, i) => {
    if (d !== null && d !== 1 && d !== shape[lead + i]) {
      throw new ShapeError(
        `broadcastTo: cannot broadcast a tensor of shape ${formatShape(input)} to shape ${formatShape(shape)}: dimension ${i} has size ${d}, which must be 1 or ${shape[lead + i]}`,
      );
    }
  });
  return shape;
}

/** `BroadcastTo`: repeats size-1 (and missing leading) dimensions to a target shape. */
export const BroadcastTo = defineOp<BroadcastToAttrs>({
  name: "BroadcastTo",
  api: "broadcastTo",
  family: "movement",
  inputs: ["x", "shape"],
  attrInputs: [shapeInput("shape", 1)],
  infer: ([x], { shape }) => [{ shape: broadcastTarget(x!.shape, shape), dtype: x!.dtype }],
  grad: (args) => g.broadcastToGrad(args),
});

/**
 * Broadcasts a tensor to `shape` with NumPy rules: missing leading dimensions are added and
 * dimensions of size 1 are repeated.
 *
 * ```ts
 * tf.broadcastTo(tf.tensor([1, 2]), [2, 2]); // [[1, 2], [1, 2]]
 * ```
 */
export function broadcastTo(x: TensorLike, shape: ShapeLike): Tensor {
  // The shape is checked before x is converted, so a bad one leaves nothing to free.
  const arg = shapeArgument(shape, "broadcastTo");
  if ("tensor" in arg) return bind1(BroadcastTo, [toTensor(x, "broadcastTo", "x", undefined, arg.tensor), arg.tensor], {});
  const dims = checkShapeArg(arg.dims, "broadcastTo");
  return bind1(BroadcastTo, [toTensor(x, "broadcastTo", "x")], { shape: dims });
}

/** `Tile`: repeats the whole tensor `multiples[i]` times along each dimension. */
export const Tile = defineOp<TileAttrs>({
  name: "Tile",
  api: "tile",
  family: "movement",
  inputs: ["x", "multiples"],
  attrInputs: [shapeInput("multiples", 1)],
  infer: ([x], { multiples }) => {
    const reps = Array.isArray(multiples) && multiples.includes(null) ? dimsOf(multiples, "tile") : checkIntArray(multiples, "tile", "reps", 0, "non-negative integers");
    if (reps.length !== x!.shape.length) {
      throw new ArgumentError(
        `tile: 'reps' ${show(multiples)} has ${reps.length} entries, but the tensor has rank ${x!.shape.length}; give one repetition count per dimension`,
      );
    }
    return [{ shape: x!.shape.map((d, i) => (reps[i] === 0 ? 0 : d === null || reps[i] === null ? null : d * reps[i]!)), dtype: x!.dtype }];
  },
  grad: (args) => g.tileGrad(args),
});

/**
 * Repeats a tensor `reps[i]` times along dimension `i` (one count per dimension).
 *
 * ```ts
 * tf.tile(tf.tensor([1, 2]), [3]); // [1, 2, 1, 2, 1, 2]
 * ```
 */
export function tile(x: TensorLike, reps: ShapeLike): Tensor {
  // The reps are checked before x is converted, so bad ones leave nothing to free.
  const arg = shapeArgument(reps, "tile");
  if ("tensor" in arg) return bind1(Tile, [toTensor(x, "tile", "x", undefined, arg.tensor), arg.tensor], {});
  const multiples = checkIntArray(arg.dims, "tile", "reps", 0, "non-negative integers");
  return bind1(Tile, [toTensor(x, "tile", "x")], { multiples });
}

/** `ReverseV2`: reverses the order of elements along some axes. */
export const ReverseV2 = defineOp<ReverseV2Attrs>({
  name: "ReverseV2",
  api: "reverse",
  family: "movement",
  inputs: ["x"],
  infer: ([x], { axis }) => {
    normalizeAxes(checkIntArray(axis, "reverse", "axis"), x!.shape.length, "reverse");
    return [{ shape: x!.shape, dtype: x!.dtype }];
  },
  grad: (args) => g.reverseGrad(args),
});

/**
 * Reverses the order of elements along `axis` (a number or list; all axes when omitted).
 *
 * ```ts
 * tf.reverse(tf.tensor([[1, 2], [3, 4]]), 1); // [[2, 1], [4, 3]]
 * ```
 */
export function reverse(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = toTensor(x, "reverse", "x");
  return bind1(ReverseV2, [t], {
    axis: axis === undefined ? Array.from({ length: t.rank }, (_, i) => i) : typeof axis === "number" ? [axis] : axis,
  });
}

/** Checks `paddings` is one `[before, after]` pair of non-negative integers per dimension. */
function checkPaddings(paddings: unknown, rank: number): (readonly [number, number])[] {
  const valid =
    Array.isArray(paddings) &&
    paddings.length === rank &&
    paddings.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => Number.isInteger(n) && n >= 0));
  if (!valid) {
    throw new ArgumentError(
      `pad: 'paddings' must be ${rank} pairs [before, after] of non-negative integers (one per dimension), received ${show(paddings)}`,
    );
  }
  return paddings as [number, number][];
}

/** `PadV2`: adds `constantValue` borders around each dimension. */
export const PadV2 = defineOp<PadV2Attrs>({
  name: "PadV2",
  api: "pad",
  family: "movement",
  inputs: ["x"],
  infer: ([x], { paddings, constantValue }) => {
    const pads = checkPaddings(paddings, x!.shape.length);
    checkFillValue(constantValue, x!.dtype, "pad", "constantValue");
    return [{ shape: x!.shape.map((d, i) => (d === null ? null : d + pads[i]![0] + pads[i]![1])), dtype: x!.dtype }];
  },
  grad: (args) => g.padGrad(args),
});

/**
 * Pads each dimension `i` with `paddings[i][0]` values before and `paddings[i][1]` after,
 * all equal to `constantValue`.
 *
 * ```ts
 * tf.pad(tf.tensor([1, 2]), [[1, 2]]); // [0, 1, 2, 0, 0]
 * ```
 */
export function pad(x: TensorLike, paddings: readonly (readonly [number, number])[], constantValue: number | boolean = 0): Tensor {
  const t = toTensor(x, "pad", "x");
  const value = checkConverted(t, () => checkFillValue(constantValue, t.dtype, "pad", "constantValue"));
  return bind1(PadV2, [t], { paddings, constantValue: value });
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    reshape(shape: readonly number[]): Tensor;
    transpose(perm?: readonly number[]): Tensor;
    expandDims(axis?: number): Tensor;
    squeeze(axis?: number | readonly number[]): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    tile(reps: readonly number[]): Tensor;
    reverse(axis?: number | readonly number[]): Tensor;
    pad(paddings: readonly (readonly [number, number])[], constantValue?: number | boolean): Tensor;
  }
}

/** Chainable methods this file adds to Tensor. */
export const shapeMethods = {
  reshape(this: Tensor, shape: readonly number[]): Tensor {
    return reshape(this, shape);
  },
  transpose(this: Tensor, perm?: readonly number[]): Tensor {
    return transpose(this, perm);
  },
  expandDims(this: Tensor, axis?: number): Tensor {
    return expandDims(this, axis);
  },
  squeeze(this: Tensor, axis?: number | readonly number[]): Tensor {
    return squeeze(this, axis);
  },
  broadcastTo(this: Tensor, shape: readonly number[]): Tensor {
    return broadcastTo(this, shape);
  },
  tile(this: Tensor, reps: readonly number[]): Tensor {
    return tile(this, reps);
  },
  reverse(this: Tensor, axis?: number | readonly number[]): Tensor {
    return reverse(this, axis);
  },
  pad(this: Tensor, paddings: readonly (readonly [number, number])[], constantValue?: number | boolean): Tensor {
    return pad(this, paddings, constantValue);
  },
};
