/**
 * Wrappers: `TimeDistributed` applies a layer to every timestep (as one call on the batch
 * and time axes folded together, so the layer runs once, not once per step), and
 * `Bidirectional` runs a recurrent layer forwards and a copy of it backwards and merges the
 * two (`concat`, `sum`, `mul`, `ave`, or both outputs with `mergeMode: null`). Weights are
 * named as tfjs-layers names them (`<td>/kernel`, `<bidi>/forward_<rnn>/kernel`).
 *
 * ```ts
 * keras.layers.timeDistributed({ layer: keras.layers.dense({ units: 8 }) });
 * keras.layers.bidirectional({ layer: keras.layers.lstm({ units: 16, returnSequences: true }) });
 * ```
 */
import * as tf from "@kiln/core";
import { type CallOptions, Layer, type LayerArgs, type LayerInput, toList } from "../engine/layer.js";
import type { MaskArg } from "../engine/masking.js";
import { type ClassRegistry, classes, type ConfigDict, type SerializedObject } from "../engine/serialization.js";
import { ConfigError, InputShapeError } from "../errors.js";
import { dimOf, shapeArg } from "../utils/dynamic.js";
import { formatKerasShape, type Shape } from "../utils/shape.js";
import { RNN, type RNNCallOptions } from "./recurrent/rnn.js";

/** Options of the wrappers. */
export interface WrapperArgs extends LayerArgs {
  layer: Layer;
}

/** Applies `layer` to every timestep of `[batch, time, ...]` inputs. */
export class TimeDistributed extends Layer {
  static override className = "TimeDistributed";
  readonly layer: Layer;

  constructor(args: WrapperArgs) {
    super(args);
    if (!(args.layer instanceof Layer)) throw new ConfigError(`TimeDistributed '${this.name}': option 'layer' must be a layer`);
    this.layer = args.layer;
    this.supportsMasking = true;
    this.inputSpec = [{ minNdim: 3 }];
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    if (shape.length < 3)
      throw new InputShapeError(
        `TimeDistributed '${this.name}' expects inputs of rank >= 3 [batch, time, ...], received ${formatKerasShape(shape)}`,
      );
    this.layer.weightPrefix = this.weightPrefix ?? this.name;
    if (!this.layer.built) {
      this.layer.build([shape[0]!, ...shape.slice(2)]);
      this.layer.built = true;
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], options: CallOptions = {}): tf.Tensor {
    const x = inputs as tf.Tensor;
    const inner = x.shape.slice(2);
    const flat = tf.reshape(
      x,
      inner.every((d) => d !== null) ? [-1, ...(inner as number[])] : shapeArg([-1, ...inner.map((_, i) => dimOf(x, i + 2))]),
    );
    const y = this.layer.apply(flat, { training: options.training }) as tf.Tensor;
    const rest = y.shape.slice(1).map((d, i) => d ?? dimOf(y, i + 1));
    return tf.reshape(y, shapeArg([dimOf(x, 0), dimOf(x, 1), ...rest]));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const inner = this.layer.computeOutputShape([shape[0]!, ...shape.slice(2)]) as Shape;
    return [inner[0]!, shape[1]!, ...inner.slice(1)];
  }

  override getConfig(): ConfigDict {
    return { layer: { className: this.layer.getClassName(), config: this.layer.getConfig() }, ...super.getConfig() };
  }

  static override fromConfig(config: ConfigDict, registry: ClassRegistry = classes): Layer {
    const layer = registry.deserialize<Layer>(config.layer as unknown as SerializedObject, "layer");
    return new TimeDistributed({ ...(config as unknown as LayerArgs), layer });
  }
}

/** How `Bidirectional` merges its two directions. */
export type BidirectionalMergeMode = "concat" | "sum" | "mul" | "ave" | null;
const MERGE_MODES = ["concat", "sum", "mul", "ave", null];

/** Runs an RNN forwards and a copy backwards over the same inputs, and merges the results. */
export class Bidirectional extends Layer {
  static override className = "Bidirectional";
  readonly forwardLayer: RNN;
  readonly backwardLayer: RNN;
  readonly mergeMode: BidirectionalMergeMode;
  /** The wrapped layer's config (the forward and backward layers are rebuilt from it). */
  readonly #template: SerializedObject;

  constructor(args: WrapperArgs & { mergeMode?: BidirectionalMergeMode; backwardLayer?: RNN }) {
    super(args);
    if (!(args.layer instanceof RNN))
      throw new ConfigError(`Bidirectional '${this.name}': option 'layer' must be a recurrent layer (lstm, gru, simpleRNN, rnn)`);
    const mergeMode = args.mergeMode === undefined ? "concat" : args.mergeMode;
    if (!MERGE_MODES.includes(mergeMode)) {
      throw new ConfigError(
        `Bidirectional '${this.name}': mergeMode must be one of concat, sum, mul, ave or null, received ${JSON.stringify(args.mergeMode)}`,
      );
    }
    this.mergeMode = mergeMode;
    this.#template = { className: args.layer.getClassName(), config: args.layer.getConfig() };
    const copy = (goBackwards: boolean, prefix: string) =>
      classes.deserialize<RNN>(
        { className: this.#template.className, config: { ...this.#template.config, goBackwards, name: `${prefix}_${args.layer.name}` } },
        "layer",
      );
    const goBackwards = args.layer.goBackwards;
    this.forwardLayer = copy(goBackwards, "forward");
    this.backwardLayer = args.backwardLayer ?? copy(!goBackwards, "backward");
    this.supportsMasking = true;
    const states = this.forwardLayer.stateCount * 2;
    this.inputSpec = [{ ndim: 3 }, ...Array.from({ length: states }, () => ({ ndim: 2 }))];
  }

  /** The wrapped layer as configured (a copy). */
  get layer(): RNN {
    return classes.deserialize<RNN>(structuredClone(this.#template), "layer");
  }

  get returnSequences(): boolean {
    return this.forwardLayer.returnSequences;
  }

  get returnState(): boolean {
    return this.forwardLayer.returnState;
  }

  /** Applies the layer; `options.initialState` (forward states, then backward states) becomes extra inputs. */
  override apply(inputs: LayerInput, options: RNNCallOptions = {}): any {
    const { initialState, ...rest } = options;
    if (initialState === undefined || initialState === null) return super.apply(inputs, rest);
    return super.apply([inputs as tf.Tensor, ...toList(initialState as tf.Tensor | tf.Tensor[])] as LayerInput, rest);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const prefix = this.weightPrefix ?? this.name;
    for (const layer of [this.forwardLayer, this.backwardLayer]) {
      layer.weightPrefix = `${prefix}/${layer.name}`;
      if (!layer.built) {
        layer.build(shape);
        layer.built = true;
      }
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], options: CallOptions = {}): tf.Tensor | tf.Tensor[] {
    const [x, ...states] = toList(inputs);
    const mask = Array.isArray(options.mask) ? options.mask[0] : options.mask;
    if (states.length > 0 && states.length !== 2 * this.forwardLayer.stateCount) {
      throw new InputShapeError(
        `Bidirectional '${this.name}' takes ${2 * this.forwardLayer.stateCount} initial states (forward, then backward), received ${states.length}`,
      );
    }
    const half = states.length / 2;
    const run = (layer: RNN, initial: tf.Tensor[]) =>
      toList(layer.apply(initial.length > 0 ? [x!, ...initial] : x!, { training: options.training, mask }) as tf.Tensor | tf.Tensor[]);
    const [y, ...forwardStates] = run(this.forwardLayer, states.slice(0, half));
    let [yRev, ...backwardStates] = run(this.backwardLayer, states.slice(half));
    if (this.returnSequences) yRev = tf.reverse(yRev!, 1);
    const merged = this.merge(y!, yRev!);
    if (!this.returnState) return merged;
    return [...toList(merged), ...forwardStates, ...backwardStates];
  }

  private merge(a: tf.Tensor, b: tf.Tensor): tf.Tensor | tf.Tensor[] {
    switch (this.mergeMode) {
      case "concat":
        return tf.concat([a, b], -1);
      case "sum":
        return tf.add(a, b);
      case "mul":
        return tf.mul(a, b);
      case "ave":
        return tf.mul(tf.add(a, b), 0.5);
      default:
        return [a, b];
    }
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shapes = this.forwardLayer.computeOutputShape(inputShape);
    const list = (Array.isArray(shapes[0]) ? shapes : [shapes]) as Shape[];
    const output = [...list[0]!];
    const stateShapes = this.returnState ? list.slice(1) : [];
    if (this.mergeMode === "concat") output[output.length - 1] = (output.at(-1) as number) * 2;
    const outputs = this.mergeMode === null ? [output, [...output]] : [output];
    const all = [...outputs, ...stateShapes, ...stateShapes.map((s) => [...s])];
    return all.length === 1 ? all[0]! : all;
  }

  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: MaskArg): MaskArg {
    const m = Array.isArray(mask) ? mask[0] : mask;
    const out = this.returnSequences ? m : undefined;
    const outputs = this.mergeMode === null ? [out, out] : [out];
    if (!this.returnState) return outputs.length === 1 ? outputs[0] : outputs;
    return [...outputs, ...Array.from({ length: 2 * this.forwardLayer.stateCount }, () => undefined)];
  }

  /** Resets both directions' kept states (stateful layers). */
  resetStates(): void {
    this.forwardLayer.resetStates();
    this.backwardLayer.resetStates();
  }

  override getConfig(): ConfigDict {
    return { mergeMode: this.mergeMode, layer: structuredClone(this.#template) as unknown as ConfigDict, ...super.getConfig() };
  }

  static override fromConfig(config: ConfigDict, registry: ClassRegistry = classes): Layer {
    const layer = registry.deserialize<RNN>(config.layer as unknown as SerializedObject, "layer");
    const { layer: _layer, ...rest } = config;
    return new Bidirectional({ ...(rest as unknown as LayerArgs), layer, mergeMode: (config.mergeMode ?? null) as BidirectionalMergeMode });
  }
}

for (const cls of [TimeDistributed, Bidirectional]) classes.register(cls as never, cls.className);
