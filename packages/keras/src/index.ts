/**
 * @kiln/keras: Keras-style layers, models and training on Kiln, with tfjs-layers' names.
 * `fit`, `evaluate` and `predict` run each step as one traced `tf.function` (forward, loss,
 * gradients, optimizer update, metric updates) unless `runEagerly` or a dynamic layer says
 * otherwise. Only core's public API is used, so models run on whichever backend is active.
 *
 * ```ts
 * import * as tf from "@kiln/core";
 * import * as keras from "@kiln/keras";
 * const model = keras.sequential({ layers: [keras.layers.dense({ units: 10, inputShape: [784] })] });
 * model.compile({ optimizer: "adam", loss: keras.losses.sparseCategoricalCrossentropy({ fromLogits: true }), metrics: ["accuracy"] });
 * await model.fit(x, y, { epochs: 3, batchSize: 128 });
 * ```
 */
export * from "./errors.js";
export { Layer, type LayerArgs, type CallOptions, type LayerInput } from "./engine/layer.js";
export { Model, type ModelCompileArgs } from "./engine/model.js";
export { Functional, type FunctionalArgs } from "./engine/functional.js";
export { Sequential, sequential, type SequentialArgs } from "./engine/sequential.js";
export { InputLayer, input, type InputArgs } from "./engine/input_layer.js";
export { KerasTensor } from "./engine/keras_tensor.js";
export { getMask, type MaskArg } from "./engine/masking.js";
export { Node } from "./engine/node.js";
export type { InputSpec } from "./engine/input_spec.js";
export { clearSession } from "./engine/naming.js";
export {
  ClassRegistry,
  registerClass,
  classes,
  serializeKerasObject,
  type ConfigDict,
  type ConfigValue,
  type SerializedObject,
} from "./engine/serialization.js";
export { model } from "./engine/model_factory.js";
export type { Shape } from "./utils/shape.js";
export type { ModelFitArgs } from "./training/fit.js";
export type { ModelEvaluateArgs } from "./training/evaluate.js";
export type { DatasetBatch, BatchSource, TensorInput } from "./training/data.js";
export * as layers from "./layers/index.js";
export * as activations from "./activations_api.js";
export * as initializers from "./initializers_api.js";
export * as regularizers from "./regularizers.js";
export * as constraints from "./constraints.js";
export * as losses from "./losses/index.js";
export * as metrics from "./metrics/index.js";
export * as optimizers from "./optimizers/index.js";
export * as callbacks from "./callbacks/index.js";
export * as random from "./random/index.js";
export { loadLayersModel, type LoadOptions } from "./io/load.js";
export * as io from "./io/index.js";
