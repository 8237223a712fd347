/**
 * `keras.loadLayersModel`: a model from tfjs's LayersModel format. The topology is rebuilt
 * through the class registry (built-in and registered custom classes only; nothing in a
 * file is evaluated), every weight is matched by name and checked before any is assigned,
 * the training config recompiles the model, and saved optimizer state is restored.
 *
 * ```ts
 * const model = await keras.loadLayersModel("file:///tmp/model/model.json");
 * ```
 */
import * as tf from "@kiln/core";
import type { Model } from "../engine/model.js";
import { type ClassRegistry, classes, type ConfigDict, fromPythonic } from "../engine/serialization.js";
import { ModelFormatError } from "../errors.js";
import { concatBuffers, type IOHandler, type ModelArtifacts, type WeightSpec } from "./artifacts.js";
import { resolveHandler } from "./router.js";
import { decodeWeights } from "./weights.js";
import "../engine/functional.js";
import "../engine/sequential.js";
import "../layers/index.js";
import "../losses/index.js";
import "../metrics/index.js";
import "../optimizers/index.js";

/** Options of `loadLayersModel`. */
export interface LoadOptions {
  /** Require every model weight in the file and no unused ones (default true). */
  strict?: boolean;
  /** Where class names are looked up (default: the package registry). */
  registry?: ClassRegistry;
  /** Compile from the saved training config, if any (default true). */
  compile?: boolean;
}

function modelFromTopology(topology: unknown, registry: ClassRegistry): Model {
  if (topology === null || typeof topology !== "object") throw new ModelFormatError("model.json: 'modelTopology' must be an object");
  const t = ((topology as { model_config?: unknown }).model_config ?? topology) as { class_name?: unknown; config?: unknown };
  if (typeof t.class_name !== "string") throw new ModelFormatError("model.json: the topology has no 'class_name'");
  const config = fromPythonic(t.config) as ConfigDict;
  const model = registry.deserialize<Model>({ className: t.class_name, config }, "model");
  if (typeof (model as Partial<Model>).compile !== "function")
    throw new ModelFormatError(`model.json: class '${t.class_name}' is not a model`);
  return model;
}

function assignWeights(model: Model, specs: WeightSpec[], data: ArrayBuffer, strict: boolean): Map<string, tf.Tensor> {
  const tensors = decodeWeights(specs, data);
  const optimizerNames = new Set(specs.filter((s) => s.group === "optimizer").map((s) => s.name));
  try {
    const weights = model.weights;
    const plan = weights.map((v) => {
      const value = tensors.get(v.name);
      if (value === undefined) {
        if (strict) throw new ModelFormatError(`loadLayersModel: weight '${v.name}' of the model is missing from the weights file`);
        return undefined;
      }
      if (value.shape.length !== v.shape.length || value.shape.some((d, i) => d !== v.shape[i])) {
        throw new ModelFormatError(
          `loadLayersModel: weight '${v.name}' has shape [${v.shape.join(",")}] in the model but [${value.shape.join(",")}] in the file`,
        );
      }
      return value;
    });
    const used = new Set(weights.map((v) => v.name));
    const unused = [...tensors.keys()].filter((n) => !used.has(n) && !optimizerNames.has(n));
    if (strict && unused.length > 0)
      throw new ModelFormatError(`loadLayersModel: the file has weights the model does not use: ${unused.join(", ")}`);
    // Everything checked: only now assign, so a bad file changes nothing.
    weights.forEach((v, i) => plan[i] !== undefined && v.assign(plan[i]!));
    const optimizerState = new Map<string, tf.Tensor>();
    for (const name of optimizerNames) optimizerState.set(name, tensors.get(name)!);
    for (const [name, t] of tensors) if (!optimizerNames.has(name)) t.dispose();
    return optimizerState;
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e;
  }
}

function compileFrom(model: Model, trainingConfig: unknown, registry: ClassRegistry): boolean {
  const config = trainingConfig as
    | { loss?: unknown; metrics?: unknown; optimizer_config?: { class_name?: string; config?: unknown } }
    | undefined;
  if (config?.optimizer_config?.class_name === undefined || config.loss === undefined || config.loss === null) return false;
  const optimizer = registry.deserialize(
    { className: config.optimizer_config.class_name, config: fromPythonic(config.optimizer_config.config) as ConfigDict },
    "optimizer",
  );
  const loss = fromPythonic(config.loss);
  const metrics = Array.isArray(config.metrics) ? (fromPythonic(config.metrics) as string[]) : undefined;
  model.compile({ optimizer: optimizer as never, loss: loss as never, ...(metrics === undefined ? {} : { metrics }) });
  return true;
}

/** A model from artifacts (what handlers load). */
export function modelFromArtifacts(artifacts: ModelArtifacts, options: LoadOptions = {}): Model {
  const registry = options.registry ?? classes;
  const model = modelFromTopology(artifacts.modelTopology, registry);
  try {
    // tfjs 4.x may hand over weight data as a list of buffers.
    const data = artifacts.weightData as ArrayBuffer | ArrayBuffer[] | undefined;
    const weightData = Array.isArray(data) ? concatBuffers(data) : (data ?? new ArrayBuffer(0));
    const optimizerState = assignWeights(model, artifacts.weightSpecs ?? [], weightData, options.strict ?? true);
    const compiled = options.compile !== false && compileFrom(model, artifacts.trainingConfig, registry);
    if (compiled && optimizerState.size > 0) {
      const optimizer = model.optimizer!;
      optimizer.build(model.trainableWeights);
      const known = new Set(optimizer.variables.map((v) => v.name));
      const matching = [...optimizerState].filter(([name]) => known.has(name)).map(([name, tensor]) => ({ name, tensor }));
      if (matching.length < optimizerState.size)
        console.warn(
          `loadLayersModel: ${optimizerState.size - matching.length} saved optimizer weights match no optimizer variable and were skipped`,
        );
      optimizer.setWeights(matching);
    }
    tf.dispose([...optimizerState.values()]);
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Loads a model saved in tfjs's LayersModel format from a URL (`file://`, `http(s)://`,
 * `localstorage://`, `indexeddb://`) or an `IOHandler`.
 *
 * ```ts
 * const model = await keras.loadLayersModel("file://./my-model/model.json");
 * model.predict(x);
 * ```
 */
export async function loadLayersModel(source: string | IOHandler, options: LoadOptions = {}): Promise<Model> {
  const handler = resolveHandler(source, "load");
  return modelFromArtifacts(await handler.load!(), options);
}
