/**
 * Helpers for shapes known only at run time. With `reduceRetracing`, a traced step may see
 * a batch dimension of `null` (the last, smaller batch relaxes the signature), and code
 * must then read sizes from the data. Core has no `tf.shape`/shape-tensor random ops yet
 * (see the package README, "Core gaps"), so these helpers build what keras needs from
 * ops whose shapes flow at run time.
 *
 * ```ts
 * const n = batchSizeOf(x);            // a number when known, else a float32 scalar tensor
 * const noise = randomUniformLike(x);  // uniform [0, 1) noise of x's (possibly dynamic) shape
 * ```
 */
import * as tf from "@kiln/core";

/** The size of axis 0: a number when static, else a float32 scalar computed from the data. */
export function batchSizeOf(x: tf.Tensor): number | tf.Tensor {
  const n = x.shape[0];
  if (n !== null && n !== undefined) return n;
  return countAlongFirstAxis(x);
}

/** The number of rows of `x` as a float32 scalar, computed from the data (works with a `null` batch dim). */
export function countAlongFirstAxis(x: tf.Tensor): tf.Tensor {
  const firstColumn = x.rank <= 1 ? x : tf.reshape(tf.slice(tf.reshape(x, [-1, restSize(x)]), [0, 0], [-1, 1]), [-1]);
  return tf.stopGradient(tf.sum(tf.onesLike(tf.cast(firstColumn, "float32"))));
}

function restSize(x: tf.Tensor): number {
  return x.shape.slice(1).reduce<number>((a, b) => a * (b ?? Number.NaN), 1);
}

/**
 * Uniform `[0, 1)` noise with the shape of `x`. Static shapes use one `randomUniform`; a
 * `null` batch dimension (only the trailing dims known) draws one row per loop iteration
 * inside a `tf.whileLoop`, because core's random ops take their shape as an attribute.
 * A fresh draw on every execution either way.
 */
export function randomUniformLike(x: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  if (shape.every((d) => d !== null)) return tf.randomUniform(shape as number[], 0, 1, "float32");
  const rest = shape.slice(1);
  if (rest.some((d) => d === null)) {
    throw new tf.ShapeError(`randomUniformLike: only the batch dimension may be unknown, received shape [${shape.join(",")}]`);
  }
  const width = restSize(x);
  const rows = tf.cast(countAlongFirstAxis(x), "int32");
  const [, noise] = tf.whileLoop(
    (i) => tf.less(i, rows),
    (i, acc) => [tf.add(i, 1), tf.concat([acc, tf.randomUniform([1, width], 0, 1, "float32")], 0)],
    [tf.scalar(0, "int32"), tf.zeros([0, width])],
    { shapeInvariants: [[], [null, width]] },
  );
  return tf.reshape(noise!, [-1, ...(rest as number[])]);
}
