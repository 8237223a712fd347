/**
 * tfjs's `tf.metrics`: per-sample metric functions `(yTrue, yPred) => Tensor`, from
 * `@kiln/keras`'s metrics called with tensors. (Stateful Keras metrics for `compile` are
 * `@kiln/keras`'s `metrics` called with options.)
 *
 * ```ts
 * tf.metrics.binaryAccuracy(tf.tensor([[1], [0]]), tf.tensor([[0.8], [0.7]])).print(); // [1, 0]
 * ```
 */
import type { Tensor } from "@kiln/core";
import { metrics } from "@kiln/keras";

type MetricFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** `tf.metrics.binaryAccuracy(yTrue, yPred)`: per sample, the fraction of `yPred > 0.5` equal to `yTrue`. */
export const binaryAccuracy: MetricFn = (yTrue, yPred) => metrics.binaryAccuracy(yTrue, yPred);
/** `tf.metrics.categoricalAccuracy(yTrue, yPred)`: per sample, 1 where the argmaxes of one-hot labels and predictions agree. */
export const categoricalAccuracy: MetricFn = (yTrue, yPred) => metrics.categoricalAccuracy(yTrue, yPred);
/** `tf.metrics.sparseCategoricalAccuracy(yTrue, yPred)`: per sample, 1 where the integer label is the predictions' argmax. */
export const sparseCategoricalAccuracy: MetricFn = (yTrue, yPred) => metrics.sparseCategoricalAccuracy(yTrue, yPred);
/** `tf.metrics.meanSquaredError(yTrue, yPred)`: per sample, the mean of squared differences over the last axis. */
export const meanSquaredError: MetricFn = (yTrue, yPred) => metrics.meanSquaredError(yTrue, yPred);
/** `tf.metrics.meanAbsoluteError(yTrue, yPred)`: per sample, the mean of absolute differences over the last axis. */
export const meanAbsoluteError: MetricFn = (yTrue, yPred) => metrics.meanAbsoluteError(yTrue, yPred);
/** `tf.metrics.meanAbsolutePercentageError(yTrue, yPred)`: per sample, 100 × the mean of `|yTrue - yPred| / |yTrue|`. */
export const meanAbsolutePercentageError: MetricFn = (yTrue, yPred) => metrics.meanAbsolutePercentageError(yTrue, yPred);
/** `tf.metrics.MSE`: `meanSquaredError`. */
export const MSE = meanSquaredError;
/** `tf.metrics.mse`: `meanSquaredError`. */
export const mse = meanSquaredError;
/** `tf.metrics.MAPE`: `meanAbsolutePercentageError`. */
export const MAPE = meanAbsolutePercentageError;
/** `tf.metrics.mape`: `meanAbsolutePercentageError`. */
export const mape = meanAbsolutePercentageError;
