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
import { type SeedGenerator, uniformNoise } from "../random/seed_generator.js";

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

/** The size of `axis` of `x`: a number when static, else an int32 scalar read from `tf.shape(x)`. */
export function dimOf(x: tf.Tensor, axis: number): number | tf.Tensor {
  const a = axis < 0 ? x.rank + axis : axis;
  const d = x.shape[a];
  if (d !== null && d !== undefined) return d;
  return tf.reshape(tf.slice(tf.shape(x), [a], [1]), []);
}

/**
 * A shape argument for ops that take one (`zeros`, `reshape`, `randomUniform`): plain
 * numbers when every size is static, else an int32 shape tensor built from the parts.
 *
 * ```ts
 * tf.zeros(shapeArg([dimOf(x, 0), 16])); // [batch, 16] with a batch size known only at run time
 * ```
 */
export function shapeArg(dims: readonly (number | tf.Tensor)[]): number[] | tf.Tensor {
  if (dims.every((d) => typeof d === "number")) return dims as number[];
  return tf.stack(dims.map((d) => (typeof d === "number" ? tf.scalar(d, "int32") : tf.cast(d, "int32"))));
}

/**
 * A dropout mask of `shape`: `1 / (1 - rate)` where a unit is kept, 0 where it is dropped
 * (the mask Keras's recurrent layers draw once per sequence), fresh on every execution:
 * an unseeded draw, or the next draw of `generator` (reproducible, eager and traced alike).
 */
export function dropoutMask(shape: readonly (number | tf.Tensor)[], rate: number, generator?: SeedGenerator): tf.Tensor {
  const noise = uniformNoise(shapeArg(shape), generator);
  return tf.mul(tf.cast(tf.greaterEqual(noise, rate), "float32"), 1 / (1 - rate));
}

/** Inverted dropout of `x` at `rate`: a fresh mask on every execution, kept units scaled by `1 / (1 - rate)`. */
export function applyDropout(x: tf.Tensor, rate: number): tf.Tensor {
  if (rate === 0) return x;
  return tf.mul(x, tf.mul(tf.cast(tf.greaterEqual(randomUniformLike(x), rate), x.dtype), 1 / (1 - rate)));
}
