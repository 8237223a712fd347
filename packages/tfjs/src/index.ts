/**
 * @kiln/tfjs: the `@tensorflow/tfjs` union package on Kiln. Importing it registers the cpu
 * backend and, where its binary loads, the faster wasm backend (made active before the
 * import settles), re-exports all of `@kiln/core`, and maps tfjs's Layers API, `tf.train`
 * and `tf.losses` onto `@kiln/keras`, so a tfjs program ports by changing its import.
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
