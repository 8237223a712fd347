/**
 * @kiln/tfjs: the `@tensorflow/tfjs` union package on Kiln. Importing it registers the cpu
 * backend (active) and the wasm backend (`await tf.setBackend("wasm")`), re-exports all of
 * `@kiln/core`, and maps tfjs's Layers API, `tf.train`, `tf.losses` and `tf.metrics` onto
 * `@kiln/keras`, so a tfjs program ports by changing its import.
 *
 * ```ts
 * import * as tf from "@kiln/tfjs";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
 * model.compile({ loss: "meanSquaredError", optimizer: tf.train.sgd(0.1) });
 * ```
 */
import "./backends.js";

export * from "@kiln/core";
export * from "./layers_api.js";
export * as losses from "./losses.js";
export { Reduction } from "./losses.js";
export * as metrics from "./metrics.js";
export * as train from "./train.js";
