/**
 * Model to artifacts in tfjs's LayersModel format: the Keras topology (class name and
 * snake_case config), every weight named `<layer>/<weight>` in `model.weights` order, the
 * training config, and, when asked, the optimizer state (weights in group `optimizer`).
 *
 * ```ts
 * await model.save("file:///tmp/model", { includeOptimizer: true });
 * ```
 */
import type * as tf from "@kiln/core";
import type { Model } from "../engine/model.js";
import { toPythonic } from "../engine/serialization.js";
import type { IOHandler, ModelArtifacts, SaveResult } from "./artifacts.js";
import { resolveHandler } from "./router.js";
import { encodeWeights } from "./weights.js";

/** Options of `model.save`. */
export interface SaveOptions {
  /** Also save the optimizer's state (step counter and slots), group `optimizer`. */
  includeOptimizer?: boolean;
}

const KERAS_VERSION = "tfjs-layers 4.22.0";

/** The topology JSON of a model (`{ class_name, config, keras_version, backend }`). */
export function modelTopology(model: Model): object {
  return {
    class_name: model.getClassName() === "Functional" ? "Model" : model.getClassName(),
    config: toPythonic(model.getConfig()),
    keras_version: KERAS_VERSION,
    backend: "tensor_flow.js",
  };
}

function trainingConfig(model: Model): object | undefined {
  const optimizer = model.optimizer;
  const losses = model.compiledLosses;
  if (optimizer === undefined || losses === undefined) return undefined;
  const names = losses.map((l) => (l === undefined ? null : toPythonic(l.name)));
  return {
    loss: names.length === 1 ? names[0] : names,
    metrics: model.metricsNames.filter((n) => !n.endsWith("loss")),
    optimizer_config: { class_name: optimizer.getClassName(), config: optimizer.getConfig() },
  };
}

/** The artifacts of `model` (weights read with `await`). */
export async function modelArtifacts(model: Model, options: SaveOptions = {}): Promise<ModelArtifacts> {
  const named: { name: string; tensor: tf.Tensor; group?: string }[] = model.weights.map((v) => ({ name: v.name, tensor: v.read() }));
  const optimizer = model.optimizer;
  const copies = options.includeOptimizer === true && optimizer !== undefined ? optimizer.getWeights() : [];
  for (const { name, tensor } of copies) named.push({ name, tensor, group: "optimizer" });
  // Every entry is a snapshot read for this save: freed once encoded.
  const { specs, data } = await encodeWeights(named).finally(() => {
    for (const { tensor } of named) tensor.dispose();
  });
  const artifacts: ModelArtifacts = {
    modelTopology: modelTopology(model),
    format: "layers-model",
    generatedBy: "Kiln keras",
    convertedBy: null,
    weightSpecs: specs,
    weightData: data,
  };
  const training = trainingConfig(model);
  if (training !== undefined) artifacts.trainingConfig = training;
  return artifacts;
}

/** Saves `model` to a URL (`file://`, `localstorage://`, ...) or an `IOHandler`. */
export async function saveModel(model: Model, destination: string | IOHandler, options: SaveOptions = {}): Promise<SaveResult> {
  const handler = resolveHandler(destination, "save");
  return handler.save!(await modelArtifacts(model, options));
}
