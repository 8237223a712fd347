/**
 * Keras masks: a boolean tensor that travels with a layer's output and says which timesteps
 * are padding. A layer that makes one (`masking`, `embedding({ maskZero: true })`) attaches
 * it to its output; `Layer.apply` looks up the masks of a layer's inputs, passes them to
 * `call` as `options.mask`, and attaches `layer.computeMask(inputs, mask)` to the outputs, so
 * masks flow through every layer that supports them (Keras 3 keeps them on the tensor as
 * `_keras_mask`; here they live in a weak map keyed by the tensor, eager or symbolic).
 *
 * ```ts
 * const x = keras.layers.embedding({ inputDim: 10, outputDim: 4, maskZero: true }).apply(ids);
 * keras.getMask(x); // bool [batch, time], false where ids === 0
 * ```
 */
import type * as tf from "@kiln/core";

const masks = new WeakMap<tf.Tensor, tf.Tensor>();

/**
 * The mask attached to `tensor` by the layer that produced it, if any.
 *
 * ```ts
 * keras.getMask(lstmOutput); // undefined unless the input was masked and returnSequences is on
 * ```
 */
export function getMask(tensor: tf.Tensor): tf.Tensor | undefined {
  return masks.get(tensor);
}

/** Attaches `mask` to `tensor` (or removes it when `mask` is undefined). */
export function setMask(tensor: tf.Tensor, mask: tf.Tensor | undefined): void {
  if (mask === undefined) masks.delete(tensor);
  else masks.set(tensor, mask);
}

/** A layer's mask argument: one mask per input tensor (or one for a single input). */
export type MaskArg = tf.Tensor | (tf.Tensor | undefined)[] | undefined;
