/**
 * The built-in loss functions, one value per sample (reduced over the last axis), with
 * Keras 3's formulas. They check label shapes and raise `TargetError`s that name the loss.
 *
 * ```ts
 * keras.losses.meanSquaredError(yTrue, yPred); // per-sample values, shape [batch]
 * ```
 */
import * as tf from "@kiln/core";
import { TargetError } from "../errors.js";
import { checkSameShape, checkSparseShapes } from "./loss.js";

/** Keras's fuzz factor for clipping probabilities. */
export const EPSILON = 1e-7;

/** `mean((yPred - yTrue)^2, -1)`. */
export function mse(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  checkSameShape("meanSquaredError", yTrue, yPred);
  return tf.mean(tf.squaredDifference(yPred, tf.cast(yTrue, "float32")), -1);
}

/** `mean(|yPred - yTrue|, -1)`. */
export function mae(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  checkSameShape("meanAbsoluteError", yTrue, yPred);
  return tf.mean(tf.abs(tf.sub(yPred, tf.cast(yTrue, "float32"))), -1);
}

/** `100 * mean(|(yTrue - yPred) / yTrue|, -1)` (denominator clipped away from 0). */
export function mape(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  checkSameShape("meanAbsolutePercentageError", yTrue, yPred);
  const t = tf.cast(yTrue, "float32");
  const diff = tf.abs(tf.div(tf.sub(t, yPred), tf.maximum(tf.abs(t), EPSILON)));
  return tf.mul(100, tf.mean(diff, -1));
}

/** `mean((log(yPred + 1) - log(yTrue + 1))^2, -1)`. */
export function msle(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  checkSameShape("meanSquaredLogarithmicError", yTrue, yPred);
  const a = tf.log1p(tf.maximum(yPred, EPSILON));
  const b = tf.log1p(tf.maximum(tf.cast(yTrue, "float32"), EPSILON));
  return tf.mean(tf.squaredDifference(a, b), -1);
}

/** Huber loss: quadratic within `delta`, linear beyond. */
export function huber(yTrue: tf.Tensor, yPred: tf.Tensor, delta = 1): tf.Tensor {
  checkSameShape("huber", yTrue, yPred);
  const err = tf.abs(tf.sub(yPred, tf.cast(yTrue, "float32")));
  const quadratic = tf.mul(0.5, tf.square(err));
  const linear = tf.sub(tf.mul(delta, err), 0.5 * delta * delta);
  return tf.mean(tf.where(tf.lessEqual(err, delta), quadratic, linear), -1);
}

/** `mean(log(cosh(yPred - yTrue)), -1)`, computed stably. */
export function logCosh(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  checkSameShape("logCosh", yTrue, yPred);
  const x = tf.sub(yPred, tf.cast(yTrue, "float32"));
  return tf.mean(tf.sub(tf.add(x, tf.softplus(tf.mul(-2, x))), Math.LN2), -1);
}

/** Binary cross-entropy per sample (mean over the last axis), from probabilities or logits. */
export function binaryCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor, fromLogits = false, labelSmoothing = 0): tf.Tensor {
  checkSameShape("binaryCrossentropy", yTrue, yPred);
  let z = tf.cast(yTrue, "float32");
  if (labelSmoothing > 0) z = tf.add(tf.mul(z, 1 - labelSmoothing), 0.5 * labelSmoothing);
  if (fromLogits) {
    // max(x, 0) - x z + log(1 + exp(-|x|)): stable for large |x|.
    const x = yPred;
    return tf.mean(tf.add(tf.sub(tf.relu(x), tf.mul(x, z)), tf.log1p(tf.exp(tf.neg(tf.abs(x))))), -1);
  }
  const p = tf.clipByValue(yPred, EPSILON, 1 - EPSILON);
  const bce = tf.add(tf.mul(z, tf.log(p)), tf.mul(tf.sub(1, z), tf.log(tf.sub(1, p))));
  return tf.neg(tf.mean(bce, -1));
}

/** Categorical cross-entropy per sample, from one-hot (or soft) labels. */
export function categoricalCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor, fromLogits = false, labelSmoothing = 0): tf.Tensor {
  checkSameShape("categoricalCrossentropy", yTrue, yPred);
  let y = tf.cast(yTrue, "float32");
  if (labelSmoothing > 0) {
    const classes = yPred.shape[yPred.rank - 1];
    if (classes === null || classes === undefined)
      throw new TargetError("categoricalCrossentropy: label smoothing needs a known number of classes");
    y = tf.add(tf.mul(y, 1 - labelSmoothing), labelSmoothing / classes);
  }
  if (fromLogits) return tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(yPred, -1)), -1));
  const p = tf.clipByValue(tf.div(yPred, tf.sum(yPred, -1, true)), EPSILON, 1 - EPSILON);
  return tf.neg(tf.sum(tf.mul(y, tf.log(p)), -1));
}

/** Sparse categorical cross-entropy per sample, from integer class labels (`[batch]` or `[batch, 1]`). */
export function sparseCategoricalCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor, fromLogits = false): tf.Tensor {
  const labels = sparseLabels("sparseCategoricalCrossentropy", yTrue, yPred);
  const classes = yPred.shape[yPred.rank - 1];
  if (classes === null || classes === undefined)
    throw new TargetError("sparseCategoricalCrossentropy: predictions need a known number of classes");
  const oneHot = tf.oneHot(labels, classes);
  if (fromLogits) return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(yPred, -1)), -1));
  const p = tf.clipByValue(tf.div(yPred, tf.sum(yPred, -1, true)), EPSILON, 1 - EPSILON);
  return tf.neg(tf.sum(tf.mul(oneHot, tf.log(p)), -1));
}

/** Integer labels of shape `yPred.shape[:-1]` from `[batch]` or `[batch, 1]` labels of any numeric dtype. */
export function sparseLabels(loss: string, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  checkSparseShapes(loss, yTrue.shape, yPred.shape);
  let labels = yTrue;
  if (labels.rank === yPred.rank && labels.shape[labels.rank - 1] === 1) labels = tf.squeeze(labels, -1);
  if (labels.dtype === "bool") throw new TargetError(`${loss}: labels must be numeric class ids, received dtype bool`);
  return labels.dtype === "int32" ? labels : tf.cast(labels, "int32");
}

/** Kullback-Leibler divergence `sum(yTrue * log(yTrue / yPred), -1)` (both clipped to [eps, 1]). */
export function kld(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  checkSameShape("kld", yTrue, yPred);
  const t = tf.clipByValue(tf.cast(yTrue, "float32"), EPSILON, 1);
  const p = tf.clipByValue(yPred, EPSILON, 1);
  return tf.sum(tf.mul(t, tf.log(tf.div(t, p))), -1);
}

/** Poisson loss `mean(yPred - yTrue * log(yPred + eps), -1)`. */
export function poisson(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  checkSameShape("poisson", yTrue, yPred);
  return tf.mean(tf.sub(yPred, tf.mul(tf.cast(yTrue, "float32"), tf.log(tf.add(yPred, EPSILON)))), -1);
}

function l2Normalize(x: tf.Tensor, axis: number): tf.Tensor {
  return tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), axis, true), 1e-12)));
}

/** Negative cosine similarity along `axis` (so that minimizing it aligns the vectors), as a Keras loss. */
export function cosineSimilarity(yTrue: tf.Tensor, yPred: tf.Tensor, axis = -1): tf.Tensor {
  checkSameShape("cosineSimilarity", yTrue, yPred);
  return tf.neg(tf.sum(tf.mul(l2Normalize(tf.cast(yTrue, "float32"), axis), l2Normalize(yPred, axis)), axis));
}

/** Labels in {0, 1} become {-1, 1} for the hinge losses. */
function hingeLabels(yTrue: tf.Tensor): tf.Tensor {
  const t = tf.cast(yTrue, "float32");
  return tf.where(tf.equal(t, 0), -1, t);
}

/** Hinge loss `mean(max(1 - yTrue * yPred, 0), -1)`, labels in {-1, 1} (or {0, 1}). */
export function hinge(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  checkSameShape("hinge", yTrue, yPred);
  return tf.mean(tf.relu(tf.sub(1, tf.mul(hingeLabels(yTrue), yPred))), -1);
}

/** Squared hinge loss. */
export function squaredHinge(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  checkSameShape("squaredHinge", yTrue, yPred);
  return tf.mean(tf.square(tf.relu(tf.sub(1, tf.mul(hingeLabels(yTrue), yPred)))), -1);
}

/** Categorical hinge `max(0, max((1 - yTrue) * yPred) - sum(yTrue * yPred) + 1)`. */
export function categoricalHinge(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  checkSameShape("categoricalHinge", yTrue, yPred);
  const t = tf.cast(yTrue, "float32");
  const pos = tf.sum(tf.mul(t, yPred), -1);
  const neg = tf.max(tf.mul(tf.sub(1, t), yPred), -1);
  return tf.relu(tf.add(tf.sub(neg, pos), 1));
}
