/**
 * Convolution layers `Conv1D` and `Conv2D` (channels-last), options as in tfjs-layers:
 * `filters`, `kernelSize`, `strides`, `padding` (`valid`/`same`, and `causal` for 1-D),
 * `dilationRate`, `activation`, initializers, regularizers and constraints.
 *
 * ```ts
 * keras.layers.conv2d({ filters: 32, kernelSize: 3, activation: "relu", inputShape: [28, 28, 1] });
 * ```
 */
import * as tf from "@kiln/core";
import { type Activation, type ActivationIdentifier, getActivation, serializeActivation } from "../activations.js";
import { type Constraint, getConstraint } from "../constraints.js";
import { Layer, type LayerArgs } from "../engine/layer.js";
import { classes, type ConfigDict, type SerializedObject } from "../engine/serialization.js";
import { ConfigError, InputShapeError } from "../errors.js";
import { GlorotUniform, getInitializer, type Initializer, type InitializerIdentifier, Zeros } from "../initializers.js";
import { getRegularizer, type Regularizer } from "../regularizers.js";
import { convOutputLength, normalizeTuple, type Shape } from "../utils/shape.js";
import { serializeOptional } from "./config_helpers.js";

/** Options of `conv1d`/`conv2d` (tfjs-layers' `ConvLayerArgs`). */
export interface ConvArgs extends LayerArgs {
  filters: number;
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: "valid" | "same" | "causal";
  dataFormat?: "channelsLast" | "channelsFirst";
  dilationRate?: number | number[];
  activation?: ActivationIdentifier | Activation;
  useBias?: boolean;
  kernelInitializer?: Initializer | InitializerIdentifier | SerializedObject;
  biasInitializer?: Initializer | InitializerIdentifier | SerializedObject;
  kernelRegularizer?: Regularizer | SerializedObject | string;
  biasRegularizer?: Regularizer | SerializedObject | string;
  kernelConstraint?: Constraint | SerializedObject | string;
  biasConstraint?: Constraint | SerializedObject | string;
}

/** Shared parts of 1-D and 2-D convolutions; `rank` is the number of spatial axes. */
export abstract class Conv extends Layer {
  readonly rank: number;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: "valid" | "same" | "causal";
  readonly dilationRate: number[];
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | undefined;
  readonly biasRegularizer: Regularizer | undefined;
  readonly kernelConstraint: Constraint | undefined;
  readonly biasConstraint: Constraint | undefined;
  kernel: tf.Variable | undefined;
  bias: tf.Variable | undefined;

  constructor(rank: number, args: ConvArgs) {
    super(args);
    this.rank = rank;
    if (!Number.isInteger(args.filters) || args.filters <= 0)
      throw new ConfigError(`${this.getClassName()} '${this.name}': 'filters' must be a positive integer`);
    if ((args.dataFormat ?? "channelsLast") !== "channelsLast") {
      throw new ConfigError(
        `${this.getClassName()} '${this.name}': only dataFormat "channelsLast" is supported (Kiln's conv ops are NHWC)`,
      );
    }
    this.filters = args.filters;
    this.kernelSize = normalizeTuple(args.kernelSize, rank, "kernelSize");
    this.strides = normalizeTuple(args.strides ?? 1, rank, "strides");
    this.padding = args.padding ?? "valid";
    if (this.padding === "causal" && rank !== 1)
      throw new ConfigError(`${this.getClassName()} '${this.name}': 'causal' padding is for 1-D convolutions only`);
    this.dilationRate = normalizeTuple(args.dilationRate ?? 1, rank, "dilationRate");
    this.activation = getActivation(args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(args.kernelInitializer, new GlorotUniform());
    this.biasInitializer = getInitializer(args.biasInitializer, new Zeros());
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer);
    this.biasRegularizer = getRegularizer(args.biasRegularizer);
    this.kernelConstraint = getConstraint(args.kernelConstraint);
    this.biasConstraint = getConstraint(args.biasConstraint);
    this.inputSpec = [{ ndim: rank + 2 }];
  }

  override build(inputShape: Shape): void {
    const channels = inputShape[inputShape.length - 1];
    if (channels === null || channels === undefined)
      throw new InputShapeError(`${this.getClassName()} '${this.name}': the channel dimension must be known`);
    this.kernel = this.addWeight(
      "kernel",
      [...this.kernelSize, channels, this.filters],
      undefined,
      this.kernelInitializer,
      this.kernelRegularizer,
      true,
      this.kernelConstraint,
    );
    if (this.useBias)
      this.bias = this.addWeight("bias", [this.filters], undefined, this.biasInitializer, this.biasRegularizer, true, this.biasConstraint);
    this.inputSpec = [{ ndim: this.rank + 2, axes: { [-1]: channels } }];
    this.built = true;
  }

  /** The convolution proper, on channels-last input. */
  protected abstract convolve(x: tf.Tensor): tf.Tensor;

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    let y = this.convolve(inputs as tf.Tensor);
    if (this.bias !== undefined) y = tf.add(y, this.bias);
    return this.activation.apply(y);
  }

  override computeOutputShape(inputShape: Shape): Shape {
    const spatial = inputShape
      .slice(1, -1)
      .map((d, i) => convOutputLength(d, this.kernelSize[i]!, this.padding, this.strides[i]!, this.dilationRate[i]!));
    return [inputShape[0]!, ...spatial, this.filters];
  }

  override getConfig(): ConfigDict {
    return {
      filters: this.filters,
      kernelInitializer: serializeOptional(this.kernelInitializer),
      kernelRegularizer: serializeOptional(this.kernelRegularizer),
      kernelConstraint: serializeOptional(this.kernelConstraint),
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dataFormat: "channelsLast",
      dilationRate: this.dilationRate,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      biasInitializer: serializeOptional(this.biasInitializer),
      biasRegularizer: serializeOptional(this.biasRegularizer),
      activityRegularizer: serializeOptional(this.activityRegularizer),
      biasConstraint: serializeOptional(this.biasConstraint),
      ...super.getConfig(),
    };
  }
}

/** 2-D convolution over `[batch, height, width, channels]`. */
export class Conv2D extends Conv {
  static override className = "Conv2D";
  constructor(args: ConvArgs) {
    super(2, args);
  }
  protected convolve(x: tf.Tensor): tf.Tensor {
    const pad = this.padding === "same" ? "same" : "valid";
    return tf.conv2d(x, this.kernel!, this.strides as [number, number], pad, "NHWC", this.dilationRate as [number, number]);
  }
}

/** 1-D convolution over `[batch, steps, channels]` (padding `causal` pads only the start). */
export class Conv1D extends Conv {
  static override className = "Conv1D";
  constructor(args: ConvArgs) {
    super(1, args);
  }
  protected convolve(x: tf.Tensor): tf.Tensor {
    let input = x;
    let pad: "same" | "valid" = this.padding === "same" ? "same" : "valid";
    if (this.padding === "causal") {
      input = tf.pad(x, [
        [0, 0],
        [this.dilationRate[0]! * (this.kernelSize[0]! - 1), 0],
        [0, 0],
      ]);
      pad = "valid";
    }
    const image = tf.expandDims(input, 1);
    const filter = tf.expandDims(this.kernel!, 0);
    const y = tf.conv2d(image, filter, [1, this.strides[0]!], pad, "NHWC", [1, this.dilationRate[0]!]);
    return tf.squeeze(y, 1);
  }
}

for (const cls of [Conv1D, Conv2D]) classes.register(cls as never, cls.className);
