/**
 * Neural-network ops: `softmax` and `logSoftmax` (composites of primitive ops, written
 * once here so every backend gets them) and `topK` (`TopKV2`, a primitive).
 */
import { composite } from "./composite.js";
import { ArgumentError, AxisError, formatShape, ShapeError } from "../base/errors.js";
import { normalizeAxes } from "../base/shape.js";
import { defineOp } from "../ir/op.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind } from "../trace/bind.js";
import { div, sub } from "./binary.js";
import { toTensor } from "./convert.js";
import { ALL, checkInputDType, FLOAT } from "./define_elementwise.js";
import { max, sum } from "./reduction.js";
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
    const e = exp(sub(t, max(t, axis, true)));
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
    const shifted = sub(t, max(t, a, true));
    return sub(shifted, log(sum(exp(shifted), a, true)));
  });
}

/** Attributes of `TopKV2`: how many entries to keep, and whether they must come sorted. */
export type TopKAttrs = { readonly k: number; readonly sorted: boolean };

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
