/**
 * Helpers for shapes known only at run time. With `reduceRetracing`, a traced step may see
 * a batch dimension of `null` (the last, smaller batch relaxes the signature), and code
 * must then read sizes from the data with `tf.shape`.
 *
 * ```ts
 * const n = batchSizeOf(x);            // a number when known, else a float32 scalar tensor
 * const noise = randomUniformLike(x);  // uniform [0, 1) noise of x's (possibly dynamic) shape
 * ```
 */
import * as tf from "@kiln/core";

/** The size of axis 0: a number when static, else a float32 scalar read from `tf.shape(x)`. */
export function batchSizeOf(x: tf.Tensor): number | tf.Tensor {
  const n = x.shape[0];
  if (n !== null && n !== undefined) return n;
  return tf.cast(tf.slice(tf.shape(x), [0], [1]).reshape([]), "float32");
}

/**
 * Uniform `[0, 1)` noise with the shape of `x`, drawn afresh on every execution. A shape
 * with unknown dimensions goes to `tf.randomUniform` as a shape tensor.
 */
export function randomUniformLike(x: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  if (shape.every((d) => d !== null)) return tf.randomUniform(shape as number[], 0, 1, "float32");
  return tf.randomUniform(tf.shape(x), 0, 1, "float32");
}
