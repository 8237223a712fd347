/**
 * tfjs's `tf.losses`: elementwise losses reduced as tfjs reduces them (by default the mean
 * over the non-zero weights), with tfjs's positional signatures
 * `(labels, predictions, weights?, ..., reduction?)`. They return a scalar unless
 * `reduction` is `Reduction.NONE`. (Per-sample Keras losses for `compile` are
 * `@kiln/keras`'s `losses`.)
 *
 * ```ts
 * tf.losses.meanSquaredError([1, 2], [1, 4]).print(); // 2
 * ```
 */
import * as tf from "@kiln/core";

/** tfjs's `tf.Reduction`: how a weighted loss is reduced. */
export enum Reduction {
  NONE = 0,
  MEAN = 1,
  SUM = 2,
  SUM_BY_NONZERO_WEIGHTS = 3,
}

type Input = tf.TensorLike;

const asTensor = (x: Input): tf.Tensor => (x instanceof tf.Tensor ? x : tf.identity(x));

/** `tf.losses.computeWeightedLoss(losses, weights?, reduction)`: weights then reduces elementwise losses. */
export function computeWeightedLoss(losses: Input, weights?: Input, reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): tf.Tensor {
  return tf.tidy(() => {
    const l = asTensor(losses);
    const w = weights === undefined ? undefined : asTensor(weights);
    const weighted = w === undefined ? l : tf.mul(l, w);
    switch (reduction) {
      case Reduction.NONE:
        return weighted;
      case Reduction.SUM:
        return tf.sum(weighted);
      case Reduction.MEAN:
        return w === undefined ? tf.mean(weighted) : tf.div(tf.sum(weighted), tf.sum(tf.mul(tf.onesLike(l), w)));
      case Reduction.SUM_BY_NONZERO_WEIGHTS: {
        if (w === undefined) return tf.mean(weighted);
        const factor = l.size / w.size;
        const nonZero = tf.mul(tf.sum(tf.cast(tf.notEqual(w, 0), "float32")), factor);
        return tf.div(tf.sum(weighted), nonZero);
      }
      default:
        throw new tf.ArgumentError(
          `tf.losses.computeWeightedLoss: unknown reduction ${String(reduction)}; valid values are tf.Reduction.NONE, MEAN, SUM, SUM_BY_NONZERO_WEIGHTS`,
        );
    }
  });
}

function pair(labels: Input, predictions: Input, name: string): [tf.Tensor, tf.Tensor] {
  const y = asTensor(labels);
  const p = asTensor(predictions);
  if (y.shape.join(",") !== p.shape.join(",")) {
    throw new tf.ShapeError(`tf.losses.${name}: labels shape [${y.shape}] and predictions shape [${p.shape}] must be equal`);
  }
  return [y, p];
}

/** `tf.losses.absoluteDifference(labels, predictions, weights?, reduction?)`: `|labels - predictions|`. */
export function absoluteDifference(
  labels: Input,
  predictions: Input,
  weights?: Input,
  reduction = Reduction.SUM_BY_NONZERO_WEIGHTS,
): tf.Tensor {
  return tf.tidy(() => {
    const [y, p] = pair(labels, predictions, "absoluteDifference");
    return computeWeightedLoss(tf.abs(tf.sub(y, p)), weights, reduction);
  });
}

/** `tf.losses.meanSquaredError(labels, predictions, weights?, reduction?)`: `(labels - predictions)²`. */
export function meanSquaredError(
  labels: Input,
  predictions: Input,
  weights?: Input,
  reduction = Reduction.SUM_BY_NONZERO_WEIGHTS,
): tf.Tensor {
  return tf.tidy(() => {
    const [y, p] = pair(labels, predictions, "meanSquaredError");
    return computeWeightedLoss(tf.squaredDifference(y, p), weights, reduction);
  });
}

/** `tf.losses.hingeLoss(labels, predictions, weights?, reduction?)`: labels in {0, 1}, `max(0, 1 - (2·labels - 1)·predictions)`. */
export function hingeLoss(labels: Input, predictions: Input, weights?: Input, reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): tf.Tensor {
  return tf.tidy(() => {
    const [y, p] = pair(labels, predictions, "hingeLoss");
    const signed = tf.sub(tf.mul(y, 2), 1);
    return computeWeightedLoss(tf.relu(tf.sub(1, tf.mul(signed, p))), weights, reduction);
  });
}

/** `tf.losses.huberLoss(labels, predictions, weights?, delta = 1, reduction?)`: quadratic within `delta`, linear beyond. */
export function huberLoss(
  labels: Input,
  predictions: Input,
  weights?: Input,
  delta = 1,
  reduction = Reduction.SUM_BY_NONZERO_WEIGHTS,
): tf.Tensor {
  return tf.tidy(() => {
    const [y, p] = pair(labels, predictions, "huberLoss");
    const error = tf.abs(tf.sub(y, p));
    const quadratic = tf.minimum(error, delta);
    const linear = tf.sub(error, quadratic);
    return computeWeightedLoss(tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(delta, linear)), weights, reduction);
  });
}

/** `tf.losses.logLoss(labels, predictions, weights?, epsilon = 1e-7, reduction?)`: binary cross-entropy on probabilities. */
export function logLoss(
  labels: Input,
  predictions: Input,
  weights?: Input,
  epsilon = 1e-7,
  reduction = Reduction.SUM_BY_NONZERO_WEIGHTS,
): tf.Tensor {
  return tf.tidy(() => {
    const [y, p] = pair(labels, predictions, "logLoss");
    const positive = tf.mul(y, tf.log(tf.add(p, epsilon)));
    const negative = tf.mul(tf.sub(1, y), tf.log(tf.add(tf.sub(1, p), epsilon)));
    return computeWeightedLoss(tf.neg(tf.add(positive, negative)), weights, reduction);
  });
}
