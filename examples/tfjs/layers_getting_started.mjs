/**
 * tfjs's "Getting started" program (linear regression with one dense unit, from
 * js.tensorflow.org), in its tfjs-core + tfjs-layers form, ported by changing the imports
 * only. The original's imports were:
 *
 *   import * as tf from "@tensorflow/tfjs-core";
 *   import "@tensorflow/tfjs-backend-cpu";
 *   import * as tfl from "@tensorflow/tfjs-layers";
 *
 *   node examples/tfjs/layers_getting_started.mjs
 */
import * as tf from "@kiln/core";
import "@kiln/backend-cpu/register";
import * as tfl from "@kiln/keras";

// Everything below is the tfjs program, unchanged.

// Define a model for linear regression.
const model = tfl.sequential();
model.add(tfl.layers.dense({ units: 1, inputShape: [1] }));

// Prepare the model for training: Specify the loss and the optimizer.
model.compile({ loss: "meanSquaredError", optimizer: "sgd" });

// Generate some synthetic data for training.
const xs = tf.tensor2d([1, 2, 3, 4], [4, 1]);
const ys = tf.tensor2d([1, 3, 5, 7], [4, 1]);

// Train the model using the data.
model.fit(xs, ys, { epochs: 10 }).then(() => {
  // Use the model to do inference on a data point the model hasn't seen before:
  model.predict(tf.tensor2d([5], [1, 1])).print();
});
