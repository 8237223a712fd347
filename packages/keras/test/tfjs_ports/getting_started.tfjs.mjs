// tfjs's "Getting started" program (the README of tensorflow/tfjs and js.tensorflow.org): a
// linear regression with the Layers API, written against tfjs's split packages (tfjs-core,
// tfjs-layers and the cpu backend) instead of the @tensorflow/tfjs bundle.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import "@tensorflow/tfjs-backend-cpu";

// Define a model for linear regression.
const model = tfl.sequential();
model.add(tfl.layers.dense({ units: 1, inputShape: [1] }));

// Prepare the model for training: Specify the loss and the optimizer.
model.compile({ loss: "meanSquaredError", optimizer: "sgd" });

// Generate some synthetic data for training.
const xs = tf.tensor2d([1, 2, 3, 4], [4, 1]);
const ys = tf.tensor2d([1, 3, 5, 7], [4, 1]);

// Train the model using the data.
await model.fit(xs, ys, { epochs: 10 });

// Use the model to do inference on a data point the model hasn't seen before:
model.predict(tf.tensor2d([5], [1, 1])).print();
