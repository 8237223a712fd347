import { Identity } from "../ir/builtin_ops.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { toTensor } from "./convert.js";

/**
 * Returns a tensor with the same values (a copy eagerly; an `Identity` node when traced).
 *
 * ```ts
 * const copy = tf.identity(x);
 * ```
 */
export function identity(x: TensorLike): Tensor {
  return bind1(Identity, [toTensor(x, "identity", "x")]);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    /** A copy of this tensor (tfjs's `clone`). */
    clone(): Tensor;
  }
}

export const identityMethods = {
  clone(this: Tensor): Tensor {
    return identity(this);
  },
};
