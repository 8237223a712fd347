import { ArgumentError, DTypeError, formatShape, ShapeError } from "../base/errors.js";
import { normalizeAxis } from "../base/shape.js";
import { defineOp, type ValueInfo } from "../ir/op.js";
import { asTensor, checkTensorLike, type TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind, bind1 } from "../trace/bind.js";
import { convertEach, toTensor } from "./convert.js";
import { checkInt, checkIntArray, mergeDim, normalizeInsertAxis, show } from "./movement_args.js";
import * as g from "./movement_grads.js";

/**
 * Joining and splitting: concat/stack put several tensors together along an axis,
 * unstack/split take one apart. The split ops have several outputs, so they call `bind`.
 */

export type ConcatV2Attrs = { readonly axis: number };
export type PackAttrs = { readonly axis: number };
/** `num` is the number of outputs: the size of `axis`, fixed when the op is built. */
export type UnpackAttrs = { readonly axis: number; readonly num: number };
/** Either `sizeSplits` (one entry may be -1) or, when it is null, `numSplit` equal parts. */
export type SplitVAttrs = { readonly sizeSplits: readonly number[] | null; readonly numSplit: number; readonly axis: number };

/** Converts a list of tensor-likes; JS values adopt the dtype of the first real tensor. */
function toTensorList(values: unknown, api: string): Tensor[] {
  if (!Array.isArray(values)) {
    throw new ArgumentError(`${api}: 'tensors' must be an array of tensors, received ${values === null ? "null" : typeof values}`);
  }
  const dtype = values.map((v) => asTensor(v)).find((t) => t !== undefined)?.dtype;
  return convertEach(values, (v, i) => {
    checkTensorLike(v, api, `tensors[${i}]`);
    return toTensor(v, api, `tensors[${i}]`, dtype);
  });
}

/** Checks every input has the first one's dtype and rank; returns the common rank. */
function checkSameKind(inputs: readonly ValueInfo[], api: string): number {
  if (inputs.length === 0) throw new ArgumentError(`${api}: expected at least one tensor, received an empty list`);
  const first = inputs[0]!;
  inputs.forEach((t, i) => {
    if (t.dtype !== first.dtype) {
      throw new DTypeError(
        `${api}: every tensor must have the same dtype, but tensors[0] is ${first.dtype} and tensors[${i}] is ${t.dtype}; convert with tf.cast`,
      );
    }
    if (t.shape.length !== first.shape.length) {
      throw new ShapeError(
        `${api}: every tensor must have the same rank, but tensors[0] has shape ${formatShape(first.shape)} and tensors[${i}] has shape ${formatShape(t.shape)}`,
      );
    }
  });
  return first.shape.length;
}

/** `ConcatV2`: joins tensors along an existing axis. */
export const ConcatV2 = defineOp<ConcatV2Attrs>({
  name: "ConcatV2",
  api: "concat",
  family: "movement",
  inputs: "variadic",
  infer: (inputs, { axis }) => {
    const rank = checkSameKind(inputs, "concat");
    if (rank === 0) throw new ShapeError("concat: cannot concatenate scalars (rank-0 tensors); use tf.stack to join them into a vector");
    const a = normalizeAxis(axis, rank, "concat");
    const shape = [...inputs[0]!.shape];
    let total: number | null = 0;
    inputs.forEach((t, i) => {
      for (let d = 0; d < rank; d++) {
        if (d === a) continue;
        shape[d] = mergeDim(
          shape[d]!,
          t.shape[d]!,
          "concat",
          () =>
            `tensors[0] has shape ${formatShape(inputs[0]!.shape)} and tensors[${i}] has shape ${formatShape(t.shape)}; all dimensions except the concat axis ${a} must match`,
        );
      }
      total = total === null || t.shape[a] === null ? null : total + t.shape[a]!;
    });
    shape[a] = total;
    return [{ shape, dtype: inputs[0]!.dtype }];
  },
  grad: (args) => g.concatGrad(args),
});

/**
 * Joins tensors along an existing `axis` (default 0). All tensors share a dtype and every
 * other dimension.
 *
 * ```ts
 * tf.concat([tf.tensor([[1, 2]]), tf.tensor([[3, 4]])], 1); // [[1, 2, 3, 4]]
 * ```
 */
export function concat(tensors: readonly TensorLike[], axis = 0): Tensor {
  return bind1(ConcatV2, toTensorList(tensors, "concat"), { axis });
}

/** `Pack`: stacks same-shaped tensors along a new axis. */
export const Pack = defineOp<PackAttrs>({
  name: "Pack",
  api: "stack",
  family: "movement",
  inputs: "variadic",
  infer: (inputs, { axis }) => {
    const rank = checkSameKind(inputs, "stack");
    const shape = [...inputs[0]!.shape];
    inputs.forEach((t, i) => {
      for (let d = 0; d < rank; d++) {
        shape[d] = mergeDim(
          shape[d]!,
          t.shape[d]!,
          "stack",
          () =>
            `every tensor must have the same shape, but tensors[0] has shape ${formatShape(inputs[0]!.shape)} and tensors[${i}] has shape ${formatShape(t.shape)}`,
        );
      }
    });
    shape.splice(normalizeInsertAxis(axis, rank, "stack"), 0, inputs.length);
    return [{ shape, dtype: inputs[0]!.dtype }];
  },
  grad: (args) => g.stackGrad(args),
});

/**
 * Stacks same-shaped tensors along a new `axis` (default 0), so `n` tensors of shape
 * `[a, b]` give `[n, a, b]` for axis 0.
 *
 * ```ts
 * tf.stack([tf.tensor([1, 2]), tf.tensor([3, 4])], 1); // [[1, 3], [2, 4]]
 * ```
 */
export function stack(tensors: readonly TensorLike[], axis = 0): Tensor {
  return bind1(Pack, toTensorList(tensors, "stack"), { axis });
}

/** `Unpack`: one output per index along `axis`, each without that axis. */
export const Unpack = defineOp<UnpackAttrs>({
  name: "Unpack",
  api: "unstack",
  family: "movement",
  inputs: ["x"],
  infer: ([x], { axis, num }) => {
    const shape = [...x!.shape];
    if (shape.length === 0) throw new ShapeError("unstack: cannot unstack a scalar (rank-0 tensor); it has no axis to split along");
    const a = normalizeAxis(axis, shape.length, "unstack");
    const count = checkParts(checkInt(num, "unstack", "num", 0), "unstack", "num");
    // As when tracing (see `unstack`), the axis size must be known: it is the number of outputs.
    if (shape[a] !== count) {
      throw new ArgumentError(
        `unstack: 'num' is ${count}, but axis ${a} of shape ${formatShape(shape)} has ${shape[a] === null ? "an unknown size" : `size ${shape[a]}`}`,
      );
    }
    shape.splice(a, 1);
    return Array.from({ length: count }, () => ({ shape, dtype: x!.dtype }));
  },
  grad: (args) => g.unstackGrad(args),
});

/**
 * Splits a tensor into one tensor per index along `axis` (default 0), removing that axis.
 *
 * ```ts
 * tf.unstack(tf.tensor([[1, 2], [3, 4]])); // [[1, 2], [3, 4]] as two tensors
 * ```
 */
export function unstack(x: TensorLike, axis = 0): Tensor[] {
  const t = toTensor(x, "unstack", "x");
  const dim = Number.isInteger(axis) && axis >= -t.rank && axis < t.rank ? t.shape[axis < 0 ? axis + t.rank : axis] : 0;
  if (dim === null) {
    throw new ShapeError(
      `unstack: axis ${axis} of shape ${formatShape(t.shape)} is unknown while tracing, so the number of outputs is unknown; use tf.split with a fixed count or give the function an inputSignature with that dimension known`,
    );
  }
  return bind(Unpack, [t], { axis, num: dim! });
}

/** The most outputs one op may have: a graph file cannot make shape inference build more. */
const MAX_PARTS = 2 ** 20;

/** Checks a number of parts (an op's output count) against `MAX_PARTS`. */
function checkParts(n: number, api: string, argName: string): number {
  if (n > MAX_PARTS) throw new ArgumentError(`${api}: '${argName}' asks for ${n} parts; an op makes at most ${MAX_PARTS} tensors`);
  return n;
}

/** Resolves the part sizes of a split (null where the axis is unknown while tracing). */
function splitSizes(dim: number | null, sizeSplits: unknown, numSplit: unknown): (number | null)[] {
  if (sizeSplits === null) {
    const n = checkParts(checkInt(numSplit, "split", "numOrSizeSplits", 1), "split", "numOrSizeSplits");
    if (dim === null) return new Array<null>(n).fill(null);
    if (dim % n !== 0) {
      throw new ShapeError(`split: cannot split an axis of size ${dim} into ${n} equal parts; pass a list of part sizes instead`);
    }
    return new Array<number>(n).fill(dim / n);
  }
  const sizes = checkIntArray(sizeSplits, "split", "numOrSizeSplits", -1, "non-negative integers (one may be -1)");
  const inferred = sizes.indexOf(-1);
  if (sizes.length === 0) throw new ArgumentError("split: 'numOrSizeSplits' is an empty list; give at least one part size");
  if (inferred !== sizes.lastIndexOf(-1))
    throw new ArgumentError(`split: sizes ${show(sizes)} contain more than one -1; at most one size can be inferred`);
  const known = sizes.reduce((s, d) => (d === -1 ? s : s + d), 0);
  if (dim === null) return sizes.map((d) => (d === -1 ? null : d));
  if (inferred >= 0 ? known > dim : known !== dim) {
    throw new ShapeError(
      `split: sizes ${show(sizes)} ${inferred >= 0 ? `add up to ${known}, more than` : `add up to ${known}, not`} the axis size ${dim}`,
    );
  }
  return sizes.map((d) => (d === -1 ? dim - known : d));
}

/** `SplitV`: cuts a tensor into consecutive parts along an axis. */
export const SplitV = defineOp<SplitVAttrs>({
  name: "SplitV",
  api: "split",
  family: "movement",
  inputs: ["x"],
  infer: ([x], { sizeSplits, numSplit, axis }) => {
    if (x!.shape.length === 0) throw new ShapeError("split: cannot split a scalar (rank-0 tensor)");
    const a = normalizeAxis(axis, x!.shape.length, "split");
    return splitSizes(x!.shape[a]!, sizeSplits, numSplit).map((size) => {
      const shape = [...x!.shape];
      shape[a] = size;
      return { shape, dtype: x!.dtype };
    });
  },
  grad: (args) => g.splitGrad(args),
});

/**
 * Splits a tensor along `axis` (default 0) into `numOrSizeSplits` equal parts, or into
 * parts of the listed sizes (one size may be `-1`: whatever remains).
 *
 * ```ts
 * tf.split(tf.tensor([1, 2, 3, 4, 5]), [2, -1]); // [1, 2] and [3, 4, 5]
 * ```
 */
export function split(x: TensorLike, numOrSizeSplits: number | readonly number[], axis = 0): Tensor[] {
  const t = toTensor(x, "split", "x");
  const bySizes = Array.isArray(numOrSizeSplits);
  return bind(SplitV, [t], {
    sizeSplits: bySizes ? (numOrSizeSplits as readonly number[]) : null,
    numSplit: bySizes ? (numOrSizeSplits as readonly number[]).length : (numOrSizeSplits as number),
    axis,
  });
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    concat(tensors: TensorLike | readonly TensorLike[], axis?: number): Tensor;
    stack(tensors: TensorLike | readonly TensorLike[], axis?: number): Tensor;
    unstack(axis?: number): Tensor[];
    split(numOrSizeSplits: number | readonly number[], axis?: number): Tensor[];
  }
}

/** `this` followed by one tensor or a list of them, as tfjs's chained concat/stack take. */
function withThis(self: Tensor, others: TensorLike | readonly TensorLike[]): TensorLike[] {
  return asTensor(others) === undefined && Array.isArray(others) && (others.length === 0 || asTensor(others[0]) !== undefined)
    ? [self, ...others]
    : [self, others as TensorLike];
}

/** Chainable methods this file adds to Tensor. */
export const joiningMethods = {
  concat(this: Tensor, tensors: TensorLike | readonly TensorLike[], axis?: number): Tensor {
    return concat(withThis(this, tensors), axis);
  },
  stack(this: Tensor, tensors: TensorLike | readonly TensorLike[], axis?: number): Tensor {
    return stack(withThis(this, tensors), axis);
  },
  unstack(this: Tensor, axis?: number): Tensor[] {
    return unstack(this, axis);
  },
  split(this: Tensor, numOrSizeSplits: number | readonly number[], axis?: number): Tensor[] {
    return split(this, numOrSizeSplits, axis);
  },
};
