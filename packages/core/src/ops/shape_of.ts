import { ArgumentError } from "../base/errors.js";
import { isConcrete, sizeOf } from "../base/shape.js";
import { defineOp } from "../ir/op.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { rememberValue } from "../trace/attr_inputs.js";
import { bind1 } from "../trace/bind.js";
import { getRuntime } from "../trace/runtime.js";
import { freeConverted, toTensor } from "./convert.js";

/** `Shape`: a tensor's dims as an int32 vector, read when the function runs (TF's `tf.shape`). */
export const Shape = defineOp<{}>({
  name: "Shape",
  api: "shape",
  family: "opaque",
  grad: "none",
  inputs: ["x"],
  infer: ([x]) => [{ shape: [x!.shape.length], dtype: "int32" }],
});

/** `Size`: a tensor's number of elements as an int32 scalar, read when the function runs. */
export const Size = defineOp<{}>({
  name: "Size",
  api: "size",
  family: "opaque",
  grad: "none",
  inputs: ["x"],
  infer: () => [{ shape: [], dtype: "int32" }],
});

/** An int32 constant whose values are also remembered, so it works as a shape on every backend. */
function knownInt32(values: readonly number[], shape: readonly number[]): Tensor {
  const tensor = getRuntime().trace.constant(Int32Array.from(values), shape, "int32");
  return tensor.isSymbolic ? tensor : rememberValue(tensor, values);
}

/**
 * The dims of `x` as an int32 vector (TF's `tf.shape`): a constant when every dim is known,
 * else a `Shape` op whose value is read when the function runs, so code traced with
 * relaxed (`null`) dims can use the real sizes. Shape-taking ops (`fill`, `zeros`, `ones`,
 * `reshape`, `broadcastTo`, `tile`, the random ops) accept it.
 *
 * ```ts
 * const f = tf.function((x) => tf.zeros(tf.shape(x)));  // works for every batch size
 * tf.shape(tf.ones([2, 3])); // int32 [2, 3]
 * ```
 */
export function shape(x: TensorLike): Tensor {
  const t = toTensor(x, "shape", "x");
  if (!isConcrete(t.shape)) return bind1(Shape, [t]);
  freeConverted(t);
  return knownInt32(t.shape, [t.shape.length]);
}

/**
 * The number of elements of `x` as an int32 scalar (TF's `tf.size`): a constant when the
 * shape is known, else computed when the function runs.
 *
 * ```ts
 * tf.size(tf.ones([2, 3])); // int32 6
 * ```
 */
export function size(x: TensorLike): Tensor {
  const t = toTensor(x, "size", "x");
  if (isConcrete(t.shape)) {
    freeConverted(t);
    const n = sizeOf(t.shape);
    if (n > 2147483647) throw new ArgumentError(`size: the tensor has ${n} elements, more than an int32 can hold`);
    return knownInt32([n], []);
  }
  return bind1(Size, [t]);
}

/**
 * The rank of `x` as an int32 scalar (TF's `tf.rank`): always known, so always a constant.
 *
 * ```ts
 * tf.rank(tf.ones([2, 3])); // int32 2
 * ```
 */
export function rank(x: TensorLike): Tensor {
  const t = toTensor(x, "rank", "x");
  freeConverted(t);
  return knownInt32([t.shape.length], []);
}
