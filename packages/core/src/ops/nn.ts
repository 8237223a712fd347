/**
 * Neural-network ops: `softmax` and `logSoftmax` (composites of primitive ops, written
 * once here so every backend gets them, and differentiated through those ops) and `topK`
 * (`TopKV2`, a primitive with its own gradient rule).
 */

import { ArgumentError, AxisError, formatShape, ShapeError } from "../base/errors.js";
import { isConcrete, normalizeAxes, sizeOf } from "../base/shape.js";
import { defineOp, type GradArgs } from "../ir/op.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind } from "../trace/bind.js";
import { add, div, equal, sub } from "./binary.js";
import { composite } from "./composite.js";
import { toTensor } from "./convert.js";
import { onesLike, range, zerosLike } from "./creation.js";
import { ALL, checkInputDType, FLOAT } from "./define_elementwise.js";
import { scatterNd } from "./gather.js";
import { cumsum, max, sum } from "./reduction.js";
import { cast, where } from "./selection.js";
import { expandDims, reshape } from "./shape_ops.js";
import { stopGradient } from "./stop_gradient.js";
import { exp, log } from "./unary.js";

/** Checks a softmax-style argument and returns its axis in `[0, rank)`. */
function softmaxAxis(logits: Tensor, axis: unknown, api: string, argName: string): number {
  checkInputDType(api, "logits", logits, FLOAT);
  if (logits.rank === 0) {
    throw new ShapeError(`${api}: logits must have rank 1 or more, received a scalar (shape []); wrap it as tf.tensor([value])`);
  }
  if (typeof axis !== "number") {
    throw new AxisError(`${api}: '${argName}' must be a single integer axis, received ${JSON.stringify(axis) ?? String(axis)}`);
  }
  return normalizeAxes(axis, logits.rank, api)[0]!;
}

/**
 * The softmax `exp(x) / sum(exp(x))` along `dim` (the last axis by default), computed
 * stably by first subtracting the max along `dim`. float32 only. Any axis works (tfjs
 * supports only the last one).
 *
 * ```ts
 * tf.softmax(tf.tensor([1, 2, 3])); // [0.090, 0.245, 0.665]
 * ```
 */
export function softmax(logits: TensorLike, dim = -1): Tensor {
  const t = toTensor(logits, "softmax", "logits");
  return composite([t], () => {
    const axis = softmaxAxis(t, dim, "softmax", "dim");
    // Softmax does not change when the shift changes, so no gradient is taken through it.
    const e = exp(sub(t, stopGradient(max(t, axis, true))));
    return div(e, sum(e, axis, true));
  });
}

/**
 * The log of the softmax along `axis` (the last axis by default), computed stably as
 * `x - m - log(sum(exp(x - m)))` with `m` the max along `axis`. float32 only.
 *
 * ```ts
 * tf.logSoftmax(tf.tensor([1, 2, 3])); // [-2.408, -1.408, -0.408]
 * ```
 */
export function logSoftmax(logits: TensorLike, axis = -1): Tensor {
  const t = toTensor(logits, "logSoftmax", "logits");
  return composite([t], () => {
    const a = softmaxAxis(t, axis, "logSoftmax", "axis");
    const shifted = sub(t, stopGradient(max(t, a, true)));
    return sub(shifted, log(sum(exp(shifted), a, true)));
  });
}

/** Attributes of `TopKV2`: how many entries to keep, and whether they must come sorted. */
export type TopKAttrs = { readonly k: number; readonly sorted: boolean };

/**
 * Gradient of `TopKV2`: each selected entry's gradient goes back to the position its index
 * names along the last axis; every other position gets 0, and the int32 indices output
 * carries no gradient. Positions within a row are distinct, so nothing adds up.
 */
function topKGrad({ inputs: [x], outputs: [, indices], dys: [dValues], attrs: { k } }: GradArgs<TopKAttrs, Tensor>): (Tensor | null)[] {
  if (x!.dtype !== "float32" || dValues === null || dValues === undefined) return [null];
  const shape = x!.shape;
  if (isConcrete(shape)) {
    const size = sizeOf(shape);
    if (size === 0 || k === 0) return [zerosLike(x!)];
    // Flatten to rows of length n and scatter into one vector: row r's index i lands at r*n + i.
    const n = shape[shape.length - 1]!;
    const rows = size / n;
    const rowStarts = reshape(range(0, size, n, "int32"), [rows, 1]);
    const flat = reshape(add(reshape(indices!, [rows, k]), rowStarts), [rows * k, 1]);
    return [reshape(scatterNd(flat, reshape(dValues, [rows * k]), [size]), shape)];
  }
  // Unknown dims while tracing: compare each index with every position of its row (found
  // by counting along the row, so no static size is needed) and sum the matches. This costs
  // k*n per row instead of k, but only traced functions with relaxed shapes take it.
  const positions = cumsum(onesLike(x!), -1, true);
  const matches = equal(expandDims(cast(indices!, "float32"), -1), expandDims(positions, -2));
  return [sum(where(matches, expandDims(dValues, -1), 0), -2)];
}

/**
 * `TopKV2`: the `k` largest entries along the last axis, and their indices (int32).
 * TF takes `k` as an input tensor; Kiln keeps it an attribute since it fixes the output
 * shape.
 */
export const TopKV2 = defineOp<TopKAttrs>({
  name: "TopKV2",
  api: "topK",
  family: "opaque",
  inputs: ["x"],
  grad: (args) => topKGrad(args),
  infer: ([x], { k, sorted }) => {
    checkInputDType("topK", "x", x!, ALL);
    const shape = x!.shape;
    if (shape.length === 0) {
      throw new ShapeError(`topK: x must have rank 1 or more (topK works along the last axis), received a scalar (shape [])`);
    }
    if (!Number.isInteger(k) || k < 0) {
      throw new ArgumentError(`topK: k must be a non-negative integer, received ${JSON.stringify(k) ?? String(k)}`);
    }
    const size = shape[shape.length - 1];
    if (size !== null && size !== undefined && k > size) {
      throw new ArgumentError(
        `topK: k (${k}) must be at most the size of the last axis (${size}) of x, which has shape ${formatShape(shape)}`,
      );
    }
    if (typeof sorted !== "boolean") {
      throw new ArgumentError(`topK: 'sorted' must be a boolean, received ${JSON.stringify(sorted) ?? String(sorted)}`);
    }
    const outShape = [...shape.slice(0, -1), k];
    return [
      { shape: outShape, dtype: x!.dtype },
      { shape: outShape, dtype: "int32" },
    ];
  },
});

/**
 * The `k` largest entries along the last axis and their int32 indices, like tfjs's
 * `topk`. Entries come largest first; equal values keep the lower index first; NaN
 * counts as larger than every number. With `sorted = false` TF leaves the order
 * unspecified; Kiln still returns them sorted.
 *
 * ```ts
 * const { values, indices } = tf.topK(tf.tensor([1, 4, 2, 4]), 2); // [4, 4], [1, 3]
 * ```
 */
export function topK(x: TensorLike, k = 1, sorted = true): { values: Tensor; indices: Tensor } {
  const t = toTensor(x, "topK", "x");
  const [values, indices] = bind(TopKV2, [t], { k, sorted });
  return { values: values!, indices: indices! };
}

/** tfjs's spelling of `topK`, so tfjs code ports unchanged. */
export const topk = topK;

declare module "../tensor/tensor.js" {
  interface Tensor {
    softmax(dim?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    topK(k?: number, sorted?: boolean): { values: Tensor; indices: Tensor };
    topk(k?: number, sorted?: boolean): { values: Tensor; indices: Tensor };
  }
}

/** Chainable methods this file adds to Tensor. */
export const nnMethods = {
  softmax(this: Tensor, dim?: number): Tensor {
    return softmax(this, dim);
  },
  logSoftmax(this: Tensor, axis?: number): Tensor {
    return logSoftmax(this, axis);
  },
  topK(this: Tensor, k?: number, sorted?: boolean): { values: Tensor; indices: Tensor } {
    return topK(this, k, sorted);
  },
  topk(this: Tensor, k?: number, sorted?: boolean): { values: Tensor; indices: Tensor } {
    return topK(this, k, sorted);
  },
};
