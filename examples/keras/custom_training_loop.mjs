/**
 * Seed: a custom training loop (the Keras guide's and "Hands-On ML"'s loop, ported): a
 * regularized, constrained model, a GradientTape, an optimizer with gradient clipping, a
 * mean-loss metric, all inside one traced step (SPEC J2, M1). The data is synthetic (8
 * features, like California housing's) so the example needs no download.
 *
 *   node examples/keras/custom_training_loop.mjs            # 5 epochs
 *   node examples/keras/custom_training_loop.mjs --quick    # 2 epochs
 */
import { parseArgs } from "node:util";
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import * as keras from "@kiln/keras";

tf.registerBackend(cpu());
const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });

// y = X . w + a nonlinear term + noise, 2048 examples of 8 standardized features.
const n = 2048;
const X = tf.randomNormal([n, 8], 0, 1, "float32", 42);
const y = tf.tidy(() => {
  const w = tf.tensor([[0.8], [-0.5], [0.3], [0], [0.2], [-0.1], [0.6], [-0.4]]);
  const pair = X.slice([0, 0], [n, 1]).mul(X.slice([0, 1], [n, 1]));
  return tf
    .matMul(X, w)
    .add(tf.sin(pair).mul(0.5))
    .add(tf.randomNormal([n, 1], 0, 0.1, "float32", 7));
});

// The model: L2 penalties on both kernels, a max-norm constraint on the output kernel.
const l2 = keras.regularizers.l2({ l2: 0.05 });
const model = keras.sequential({
  layers: [
    keras.layers.dense({ units: 30, activation: "elu", kernelInitializer: "heNormal", kernelRegularizer: l2, inputShape: [8] }),
    keras.layers.dense({ units: 1, kernelRegularizer: l2, kernelConstraint: keras.constraints.maxNorm({ maxValue: 1 }) }),
  ],
});

const nEpochs = values.quick ? 2 : 5;
const batchSize = 32;
const nSteps = Math.floor(n / batchSize);
const optimizer = keras.optimizers.nadam({ learningRate: 0.01, clipnorm: 1 }); // each gradient's norm clipped to 1
const lossFn = keras.losses.meanSquaredError;
const meanLoss = keras.metrics.mean({ name: "loss" });
const metrics = [new keras.metrics.MeanAbsoluteError({ name: "mae" })];

// One training step, traced once: forward pass, loss plus regularization, gradients,
// clipped optimizer update (which applies each variable's constraint after it), metrics.
const trainStep = tf.function(
  (xBatch, yBatch) => {
    const tape = new tf.GradientTape();
    let yPred;
    const loss = tape.record(() => {
      yPred = model.apply(xBatch, { training: true });
      const mainLoss = tf.mean(lossFn(yBatch, yPred));
      return model.regularizationLosses().reduce((total, penalty) => total.add(penalty), mainLoss); // Keras: add_n([loss] + model.losses)
    });
    const gradients = tape.gradient(loss, model.trainableWeights);
    optimizer.applyGradients(gradients.map((g, i) => [g, model.trainableWeights[i]]));
    meanLoss.updateState(loss);
    for (const metric of metrics) metric.updateState(yBatch, yPred);
  },
  { name: "train_step" },
);

for (let epoch = 1; epoch <= nEpochs; epoch++) {
  for (let step = 1; step <= nSteps; step++) {
    tf.tidy(() => {
      const indices = tf.randomUniform([batchSize], 0, n, "int32", epoch * nSteps + step); // a random batch, seeded
      trainStep(tf.gather(X, indices), tf.gather(y, indices));
    });
  }
  const status = [meanLoss, ...metrics].map((m) => `${m.name}: ${m.result().dataSync()[0].toFixed(4)}`);
  console.log(`Epoch ${epoch}/${nEpochs} - ${nSteps}/${nSteps} steps - ${status.join(" - ")}`);
  for (const m of [meanLoss, ...metrics]) m.resetState();
}

const kernel = model.layers[1].kernel.read();
const norm = tf.tidy(() => tf.sqrt(tf.sum(tf.square(kernel), 0)).dataSync()[0]);
console.log(`train_step traced ${trainStep.tracingCount} time(s) for ${nEpochs * nSteps} steps`);
console.log(`output kernel norm ${norm.toFixed(4)} (max-norm constraint: at most 1)`);
