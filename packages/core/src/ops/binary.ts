import type { Tensor } from "../tensor/tensor.js";
import type { TensorLike } from "../tensor/convert.js";
import { bind1 } from "../trace/bind.js";
import { toTensorPair } from "./convert.js";
import { NUMERIC, defineBinary } from "./define_elementwise.js";

/** `AddV2`: elementwise sum with broadcasting. */
export const AddV2 = defineBinary("AddV2", "add", NUMERIC);

/**
 * Adds two tensors elementwise, with NumPy broadcasting.
 *
 * ```ts
 * tf.add(tf.tensor([1, 2]), 10); // [11, 12]
 * ```
 */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return bind1(AddV2, toTensorPair(a, b, "add"));
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    add(b: TensorLike): Tensor;
  }
}

/** Chainable methods this file adds to Tensor. */
export const binaryMethods = {
  add(this: Tensor, b: TensorLike): Tensor {
    return add(this, b);
  },
};
