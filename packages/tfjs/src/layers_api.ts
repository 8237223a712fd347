/**
 * tfjs-layers' top-level names as `@tensorflow/tfjs` exports them, from `@kiln/keras`.
 *
 * ```ts
 * const model = tf.sequential();
 * model.add(tf.layers.dense({ units: 1, inputShape: [1] }));
 * ```
 */
import * as keras from "@kiln/keras";

/** `tf.sequential(config?)`: a linear stack of layers (tfjs-layers' `Sequential`). */
export const sequential = keras.sequential;
/** `tf.model({ inputs, outputs })`: a functional model from symbolic tensors. */
export const model = keras.model;
/** `tf.input({ shape })`: a symbolic input for `tf.model`. */
export const input = keras.input;
/** `tf.loadLayersModel(pathOrIOHandler)`: loads a model saved in tfjs-layers' format. */
export const loadLayersModel = keras.loadLayersModel;
/** `tf.layers.*`: the layer factories (`dense`, `conv2d`, `lstm`, ...). */
export const layers = keras.layers;
/** `tf.Sequential`: the class `tf.sequential` returns. */
export const Sequential = keras.Sequential;
/** `tf.LayersModel`: the base class of models (Kiln's `Model`). */
export const LayersModel = keras.Model;
/** `tf.initializers.*`: weight initializers (`glorotUniform({ seed })`, `ones()`, ...); seeded ones draw Kiln's Philox stream. */
export const initializers = keras.initializers;
/** `tf.regularizers.*`: `l1`, `l2`, `l1l2` with tfjs's `{ l1, l2 }` options. */
export const regularizers = keras.regularizers;
/** `tf.constraints.*`: `maxNorm`, `unitNorm`, `nonNeg`, `minMaxNorm` with tfjs's options. */
export const constraints = keras.constraints;
