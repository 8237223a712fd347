/**
 * tfjs's `tf.train`: optimizer factories with tfjs's positional signatures, returning
 * `@kiln/keras` optimizers (which keep tfjs's `minimize(f, returnCost, varList)` and
 * `applyGradients`).
 *
 * ```ts
 * const opt = tf.train.sgd(0.5);
 * opt.minimize(() => tf.mean(tf.square(tf.sub(tf.mul(x, w), y))));
 * ```
 */
import { ArgumentError } from "@kiln/core";
import { optimizers } from "@kiln/keras";

/** `tf.train.sgd(learningRate)`: plain gradient descent. */
export const sgd = (learningRate: number): optimizers.SGD => optimizers.sgd(learningRate);

/** `tf.train.momentum(learningRate, momentum, useNesterov = false)`: SGD with momentum. */
export const momentum = (learningRate: number, momentumValue: number, useNesterov = false): optimizers.SGD =>
  optimizers.momentum(learningRate, momentumValue, useNesterov);

/** `tf.train.adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon)`: Adam. */
export const adam = (learningRate = 0.001, beta1?: number, beta2?: number, epsilon?: number): optimizers.Adam =>
  optimizers.adam(learningRate, beta1, beta2, epsilon);

/** `tf.train.adamax(learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon, decay)`: Adamax (a non-zero `decay` is not supported). */
export function adamax(learningRate = 0.002, beta1?: number, beta2?: number, epsilon?: number, decay = 0): optimizers.Adamax {
  if (decay !== 0) {
    throw new ArgumentError(
      `tf.train.adamax: decay=${decay} is not supported; pass 0 (the default) or use a learning-rate schedule from @kiln/keras`,
    );
  }
  return optimizers.adamax(learningRate, beta1, beta2, epsilon);
}

/** `tf.train.rmsprop(learningRate, decay = 0.9, momentum = 0, epsilon, centered = false)`: RMSprop. */
export const rmsprop = (
  learningRate: number,
  decay?: number,
  momentumValue?: number,
  epsilon?: number,
  centered?: boolean,
): optimizers.RMSprop => optimizers.rmsprop(learningRate, decay, momentumValue, epsilon, centered);

/** `tf.train.adagrad(learningRate, initialAccumulatorValue = 0.1)`: Adagrad. */
export const adagrad = (learningRate: number, initialAccumulatorValue?: number): optimizers.Adagrad =>
  optimizers.adagrad(learningRate, initialAccumulatorValue);

/** `tf.train.adadelta(learningRate = 0.001, rho = 0.95, epsilon)`: Adadelta. */
export const adadelta = (learningRate = 0.001, rho?: number, epsilon?: number): optimizers.Adadelta =>
  optimizers.adadelta(learningRate, rho, epsilon);
