import { checkDType, type DType } from "../base/dtype.js";
import { describeValue } from "../base/describe.js";
import { ArgumentError } from "../base/errors.js";
import { Variable } from "../function/variable.js";
import { cast } from "../ops/selection.js";
import type { TensorLike } from "../tensor/convert.js";
import { Tensor } from "../tensor/tensor.js";

/**
 * tfjs's `tf.variable(initialValue, trainable?, name?, dtype?)`: a `tf.Variable` holding a
 * copy of `initialValue`, converted to `dtype` when one is given. Like a tfjs variable it
 * can be used where a tensor is read (`v.print()`, `v.dataSync()`, `v.add(1)`, any op);
 * unlike tfjs, `assign` returns the new value (see the migration guide).
 *
 * ```ts
 * const w = tf.variable(tf.randomNormal([3, 1]));
 * w.assign(tf.zeros([3, 1]));
 * w.print();
 * ```
 */
export function variable(initialValue: TensorLike, trainable = true, name?: string, dtype?: DType): Variable {
  // Checked before anything is created, so a bad argument leaves no variable behind.
  if (typeof trainable !== "boolean") throw new ArgumentError(`variable: trainable must be true or false, received ${describeValue(trainable)}`);
  if (name !== undefined && typeof name !== "string") throw new ArgumentError(`variable: name must be a string, received ${describeValue(name)}`);
  if (dtype !== undefined) checkDType(dtype, "variable");
  const given = initialValue instanceof Tensor ? initialValue : undefined;
  const initial = given !== undefined && dtype !== undefined && given.dtype !== dtype ? () => cast(given, dtype) : initialValue;
  return new Variable(initial, { trainable, name, dtype });
}
