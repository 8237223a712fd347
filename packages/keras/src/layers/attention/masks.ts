/**
 * Mask helpers for attention: the causal mask (query position `i` sees key positions `<= i`)
 * and Keras's masked softmax (masked scores get `-1e9` added, so they take no weight).
 * Sizes unknown while tracing are read with `tf.shape`.
 *
 * ```ts
 * causalMask(query, value); // bool [1, queryLength, valueLength], lower triangular
 * ```
 */
import * as tf from "@kiln/core";
import { dimOf } from "../../utils/dynamic.js";

/** `[1, Tq, Tv]`: true where the value position is not after the query position. */
export function causalMask(query: tf.Tensor, value: tf.Tensor): tf.Tensor {
  const rows = tf.range(0, dimOf(query, 1), 1, "int32");
  const columns = tf.range(0, dimOf(value, 1), 1, "int32");
  return tf.expandDims(tf.greaterEqual(tf.expandDims(rows, 1), tf.expandDims(columns, 0)), 0);
}

/** Softmax over the last axis where `mask` (broadcasting to `scores`) is false gets no weight. */
export function maskedSoftmax(scores: tf.Tensor, mask: tf.Tensor | undefined): tf.Tensor {
  if (mask === undefined) return tf.softmax(scores, -1);
  return tf.softmax(tf.add(scores, tf.mul(tf.sub(1, tf.cast(mask, "float32")), -1e9)), -1);
}

/** Logical and of the masks that are defined. */
export function andMasks(...masks: (tf.Tensor | undefined)[]): tf.Tensor | undefined {
  const defined = masks.filter((m): m is tf.Tensor => m !== undefined).map((m) => (m.dtype === "bool" ? m : tf.cast(m, "bool")));
  return defined.length === 0 ? undefined : defined.reduce((a, b) => tf.logicalAnd(a, b));
}
