/**
 * The small CNN of the Fashion-MNIST example (the model PyTorch's tutorial trains to 91%
 * in 3 epochs): conv 3x3x32 relu, max-pool 2, conv 3x3x64 relu, flatten, dense 10, trained
 * with Adam 1e-3 on sparse categorical cross-entropy from logits.
 *
 * ```js
 * const model = fashionCnn(keras);
 * ```
 */

/** Builds and compiles the CNN. */
export function fashionCnn(keras, { learningRate = 1e-3, stepsPerExecution = 1 } = {}) {
  const model = keras.sequential({
    name: "fashion_cnn",
    layers: [
      keras.layers.conv2d({ filters: 32, kernelSize: 3, activation: "relu", inputShape: [28, 28, 1] }),
      keras.layers.maxPooling2d({ poolSize: 2 }),
      keras.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }),
      keras.layers.flatten(),
      keras.layers.dense({ units: 10 }),
    ],
  });
  model.compile({
    optimizer: keras.optimizers.adam(learningRate),
    loss: keras.losses.sparseCategoricalCrossentropy({ fromLogits: true }),
    metrics: ["accuracy"],
    stepsPerExecution,
  });
  return model;
}
