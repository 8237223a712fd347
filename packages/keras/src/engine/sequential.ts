/**
 * `Sequential`: a plain stack of layers, each feeding the next. When the first layer has an
 * input shape (`inputShape` / `batchInputShape`, or an `InputLayer`), shapes are checked and
 * weights built as layers are added; otherwise on the first call.
 *
 * ```ts
 * const model = keras.sequential({ layers: [
 *   keras.layers.dense({ units: 64, activation: "relu", inputShape: [784] }),
 *   keras.layers.dense({ units: 10 }),
 * ] });
 * ```
 */
import type * as tf from "@kiln/core";
import { ConfigError, ModelFormatError } from "../errors.js";
import type { Shape } from "../utils/shape.js";
import { InputLayer } from "./input_layer.js";
import type { KerasTensor } from "./keras_tensor.js";
import { type CallOptions, Layer } from "./layer.js";
import { Model } from "./model.js";
import { type ClassRegistry, classes, type ConfigDict } from "./serialization.js";

/** Options of `keras.sequential`. */
export interface SequentialArgs {
  layers?: Layer[];
  name?: string;
}

/** A linear stack of layers. */
export class Sequential extends Model {
  static override className = "Sequential";
  readonly #layers: Layer[] = [];
  #input: KerasTensor | undefined;
  #output: KerasTensor | undefined;

  constructor(args: SequentialArgs = {}) {
    super({ name: args.name });
    for (const layer of args.layers ?? []) this.add(layer);
  }

  /**
   * Appends a layer (its input is the previous layer's output).
   *
   * ```ts
   * model.add(keras.layers.dense({ units: 1 }));
   * ```
   */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) throw new ConfigError(`Sequential '${this.name}': add() expects a layer, received ${String(layer)}`);
    if (layer instanceof InputLayer) {
      if (this.#layers.length > 0 || this.#input !== undefined)
        throw new ConfigError(`Sequential '${this.name}': an InputLayer can only come first`);
      this.#input = this.#output = layer.output;
      return;
    }
    if (this.#input === undefined && this.#layers.length === 0 && layer.batchInputShape !== undefined) {
      this.#input = this.#output = new InputLayer({
        batchShape: layer.batchInputShape,
        dtype: layer.dtype,
        name: `${layer.name}_input`,
      }).output;
    }
    if (this.#output !== undefined) this.#output = layer.apply(this.#output) as KerasTensor;
    this.#layers.push(layer);
    this.built = this.#output !== undefined;
  }

  /** Removes the last layer. */
  pop(): void {
    if (this.#layers.length === 0) throw new ConfigError(`Sequential '${this.name}': there is no layer to pop`);
    this.#layers.pop();
    const input = this.#input;
    this.#output = input;
    if (input !== undefined) for (const layer of this.#layers) this.#output = layer.apply(this.#output!) as KerasTensor;
  }

  protected override trackedLayers(): Layer[] {
    return this.#layers;
  }

  /** The symbolic input, once the input shape is known. */
  override get inputs(): KerasTensor[] {
    return this.#input === undefined ? [] : [this.#input];
  }

  /** The symbolic output, once the input shape is known. */
  override get outputs(): KerasTensor[] {
    return this.#output === undefined ? [] : [this.#output];
  }

  override get inputNames(): string[] {
    return [this.#input?.history?.layer.name ?? "input"];
  }

  override get outputNames(): string[] {
    return [this.#layers.at(-1)?.name ?? "output"];
  }

  protected override maybeBuild(inputShape: Shape | Shape[]): void {
    if (this.built) return;
    if (this.#input === undefined && !Array.isArray(inputShape[0])) {
      const shape = inputShape as Shape;
      this.#input = this.#output = new InputLayer({ batchShape: [null, ...shape.slice(1)], name: `${this.name}_input` }).output;
      for (const layer of this.#layers) this.#output = layer.apply(this.#output!) as KerasTensor;
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], options: CallOptions = {}): tf.Tensor | tf.Tensor[] {
    if (this.#layers.length === 0) throw new ConfigError(`Sequential '${this.name}' has no layers`);
    // Each layer finds its input's mask on the tensor; an explicit model mask goes to the first layer only.
    const { mask, ...rest } = options;
    let x: tf.Tensor | tf.Tensor[] = inputs;
    this.#layers.forEach((layer, i) => {
      x = layer.apply(x, i === 0 && mask !== undefined ? { ...rest, mask } : rest) as tf.Tensor | tf.Tensor[];
    });
    return x;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    let shape = inputShape;
    for (const layer of this.#layers) shape = layer.computeOutputShape(shape);
    return shape;
  }

  override getConfig(): ConfigDict {
    const layers = this.#layers.map((layer, i) => {
      const config = layer.getConfig();
      if (i === 0 && this.#input !== undefined && config.batchInputShape === undefined) {
        config.batchInputShape = this.#input.shape;
        config.dtype = this.#input.dtype;
      }
      return { className: layer.getClassName(), config };
    });
    return { name: this.name, layers } as unknown as ConfigDict;
  }

  /** Rebuilds a Sequential model from its config (tfjs's `{ name, layers }` or a bare list of layers). */
  static override fromConfig(config: ConfigDict, registry: ClassRegistry = classes): Sequential {
    const list = (Array.isArray(config) ? config : config.layers) as unknown as { className: string; config: ConfigDict }[];
    if (!Array.isArray(list)) throw new ModelFormatError("Sequential config: 'layers' must be an array");
    const model = new Sequential({ ...(typeof config.name === "string" ? { name: config.name } : {}) });
    for (const entry of list) model.add(registry.deserialize<Layer>(entry, "layer"));
    return model;
  }
}
classes.register(Sequential as never, "Sequential");

/**
 * Builds a `Sequential` model (tfjs's `tf.sequential`).
 *
 * ```ts
 * keras.sequential({ layers: [keras.layers.dense({ units: 1, inputShape: [3] })] });
 * ```
 */
export function sequential(args: SequentialArgs = {}): Sequential {
  return new Sequential(args);
}
