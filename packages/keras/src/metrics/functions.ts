/**
 * Per-sample metric functions (tfjs-layers' `tf.metrics.*` forms): accuracies and errors,
 * one value per sample, averaged by the stateful wrappers in `metrics/index.ts`.
 *
 * ```ts
 * keras.metrics.binaryAccuracy(tf.tensor([[1], [0]]), tf.tensor([[0.7], [0.6]])); // [1, 0]
 * ```
 */
import * as tf from "@kiln/core";
import { sparseLabels } from "../losses/functions.js";

/** 1 where `yPred > threshold` matches the 0/1 label, averaged over the last axis. */
export function binaryAccuracy(yTrue: tf.Tensor, yPred: tf.Tensor, threshold = 0.5): tf.Tensor {
  const predicted = tf.cast(tf.greater(yPred, threshold), "float32");
  return tf.mean(tf.cast(tf.equal(tf.cast(yTrue, "float32"), predicted), "float32"), -1);
}

/** 1 where the arg-max of predictions equals the arg-max of one-hot labels. */
export function categoricalAccuracy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.cast(tf.equal(tf.argMax(yTrue, -1), tf.argMax(yPred, -1)), "float32");
}

/** 1 where the arg-max of predictions equals the integer label. */
export function sparseCategoricalAccuracy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  const labels = sparseLabels("sparseCategoricalAccuracy", yTrue, yPred);
  return tf.cast(tf.equal(labels, tf.argMax(yPred, -1)), "float32");
}

/** 1 where the true class (one-hot) is among the `k` largest predictions. */
export function topKCategoricalAccuracy(yTrue: tf.Tensor, yPred: tf.Tensor, k = 5): tf.Tensor {
  return sparseTopKCategoricalAccuracy(tf.argMax(yTrue, -1), yPred, k);
}

/** 1 where the integer label is among the `k` largest predictions. */
export function sparseTopKCategoricalAccuracy(yTrue: tf.Tensor, yPred: tf.Tensor, k = 5): tf.Tensor {
  const labels = sparseLabels("sparseTopKCategoricalAccuracy", yTrue, yPred);
  const classes = yPred.shape[yPred.rank - 1] ?? k;
  const { indices } = tf.topK(yPred, Math.min(k, classes));
  return tf.cast(tf.any(tf.equal(indices, tf.expandDims(labels, -1)), -1), "float32");
}

/** "accuracy" resolved from shapes like Keras: binary for one output unit, sparse for integer labels, else categorical. */
export function accuracy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  const last = yPred.shape[yPred.rank - 1];
  if (last === 1) return binaryAccuracy(yTrue, yPred);
  if (yTrue.rank < yPred.rank || (yTrue.rank === yPred.rank && yTrue.shape[yTrue.rank - 1] === 1))
    return sparseCategoricalAccuracy(yTrue, yPred);
  return categoricalAccuracy(yTrue, yPred);
}
