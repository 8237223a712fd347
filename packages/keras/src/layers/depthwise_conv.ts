/**
 * Depthwise convolutions (channels-last): `DepthwiseConv2D` filters each input channel on
 * its own (`depthMultiplier` filters per channel, kernel `[kh, kw, channels, multiplier]`),
 * and `SeparableConv2D` follows that with a 1x1 convolution mixing the channels (pointwise
 * kernel `[1, 1, channels * multiplier, filters]`), as in tfjs-layers.
 *
 * ```ts
 * keras.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 });
 * keras.layers.separableConv2d({ filters: 16, kernelSize: 3, padding: "same" });
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

type InitArg = Initializer | InitializerIdentifier | SerializedObject;
type RegArg = Regularizer | SerializedObject | string;
type ConstraintArg = Constraint | SerializedObject | string;

/** Options of `depthwiseConv2d` (tfjs-layers' names). */
export interface DepthwiseConv2DArgs extends LayerArgs {
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: "valid" | "same";
  dataFormat?: "channelsLast" | "channelsFirst";
  dilationRate?: number | number[];
  depthMultiplier?: number;
  activation?: ActivationIdentifier | Activation;
  useBias?: boolean;
  depthwiseInitializer?: InitArg;
  biasInitializer?: InitArg;
  depthwiseRegularizer?: RegArg;
  biasRegularizer?: RegArg;
  depthwiseConstraint?: ConstraintArg;
  biasConstraint?: ConstraintArg;
}

/** Options of `separableConv2d`. */
export interface SeparableConv2DArgs extends DepthwiseConv2DArgs {
  filters: number;
  pointwiseInitializer?: InitArg;
  pointwiseRegularizer?: RegArg;
  pointwiseConstraint?: ConstraintArg;
}

/** A per-channel 2-D convolution. */
export class DepthwiseConv2D extends Layer {
  static override className = "DepthwiseConv2D";
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: "valid" | "same";
  readonly dilationRate: number[];
  readonly depthMultiplier: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly depthwiseInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly depthwiseRegularizer: Regularizer | undefined;
  readonly biasRegularizer: Regularizer | undefined;
  readonly depthwiseConstraint: Constraint | undefined;
  readonly biasConstraint: Constraint | undefined;
  depthwiseKernel: tf.Variable | undefined;
  bias: tf.Variable | undefined;

  constructor(args: DepthwiseConv2DArgs) {
    super(args);
    const what = `${this.getClassName()} '${this.name}'`;
    if ((args.dataFormat ?? "channelsLast") !== "channelsLast")
      throw new ConfigError(`${what}: only dataFormat "channelsLast" is supported`);
    this.kernelSize = normalizeTuple(args.kernelSize, 2, "kernelSize");
    this.strides = normalizeTuple(args.strides ?? 1, 2, "strides");
    this.padding = args.padding ?? "valid";
    if (this.padding !== "valid" && this.padding !== "same")
      throw new ConfigError(`${what}: padding must be "valid" or "same", received ${JSON.stringify(args.padding)}`);
    this.dilationRate = normalizeTuple(args.dilationRate ?? 1, 2, "dilationRate");
    this.depthMultiplier = args.depthMultiplier ?? 1;
    if (!Number.isInteger(this.depthMultiplier) || this.depthMultiplier < 1)
      throw new ConfigError(`${what}: depthMultiplier must be a positive integer, received ${args.depthMultiplier}`);
    this.activation = getActivation(args.activation);
    this.useBias = args.useBias ?? true;
    this.depthwiseInitializer = getInitializer(args.depthwiseInitializer, new GlorotUniform());
    this.biasInitializer = getInitializer(args.biasInitializer, new Zeros());
    this.depthwiseRegularizer = getRegularizer(args.depthwiseRegularizer);
    this.biasRegularizer = getRegularizer(args.biasRegularizer);
    this.depthwiseConstraint = getConstraint(args.depthwiseConstraint);
    this.biasConstraint = getConstraint(args.biasConstraint);
    this.inputSpec = [{ ndim: 4 }];
  }

  /** Input channels, checked known. */
  protected channels(inputShape: Shape): number {
    const channels = inputShape[3];
    if (typeof channels !== "number")
      throw new InputShapeError(`${this.getClassName()} '${this.name}': the channel dimension must be known`);
    return channels;
  }

  /** Units after the depthwise stage (and the bias size of DepthwiseConv2D). */
  protected outputChannels(channels: number): number {
    return channels * this.depthMultiplier;
  }

  override build(inputShape: Shape): void {
    const channels = this.channels(inputShape);
    this.depthwiseKernel = this.addWeight(
      "depthwise_kernel",
      [...this.kernelSize, channels, this.depthMultiplier],
      undefined,
      this.depthwiseInitializer,
      this.depthwiseRegularizer,
      true,
      this.depthwiseConstraint,
    );
    this.buildRest(channels);
    if (this.useBias)
      this.bias = this.addWeight(
        "bias",
        [this.outputChannels(channels)],
        undefined,
        this.biasInitializer,
        this.biasRegularizer,
        true,
        this.biasConstraint,
      );
    this.inputSpec = [{ ndim: 4, axes: { [-1]: channels } }];
    this.built = true;
  }

  /** More weights (the pointwise kernel), created between the depthwise kernel and the bias (tfjs's order). */
  protected buildRest(_channels: number): void {}

  /** The convolution proper. */
  protected convolve(x: tf.Tensor): tf.Tensor {
    return tf.depthwiseConv2d(
      x,
      this.depthwiseKernel!,
      this.strides as [number, number],
      this.padding,
      "NHWC",
      this.dilationRate as [number, number],
    );
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    let y = this.convolve(inputs as tf.Tensor);
    if (this.bias !== undefined) y = tf.add(y, this.bias);
    return this.activation.apply(y);
  }

  override computeOutputShape(inputShape: Shape): Shape {
    const spatial = [1, 2].map((a, i) =>
      convOutputLength(inputShape[a]!, this.kernelSize[i]!, this.padding, this.strides[i]!, this.dilationRate[i]!),
    );
    const channels = inputShape[3];
    return [inputShape[0]!, ...spatial, typeof channels === "number" ? this.outputChannels(channels) : null];
  }

  override getConfig(): ConfigDict {
    return {
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
      depthMultiplier: this.depthMultiplier,
      depthwiseInitializer: serializeOptional(this.depthwiseInitializer),
      depthwiseRegularizer: serializeOptional(this.depthwiseRegularizer),
      depthwiseConstraint: serializeOptional(this.depthwiseConstraint),
      ...super.getConfig(),
    };
  }
}

/** A depthwise convolution followed by a 1x1 convolution mixing the channels. */
export class SeparableConv2D extends DepthwiseConv2D {
  static override className = "SeparableConv2D";
  readonly filters: number;
  readonly pointwiseInitializer: Initializer;
  readonly pointwiseRegularizer: Regularizer | undefined;
  readonly pointwiseConstraint: Constraint | undefined;
  pointwiseKernel: tf.Variable | undefined;

  constructor(args: SeparableConv2DArgs) {
    super(args);
    if (!Number.isInteger(args.filters) || args.filters <= 0)
      throw new ConfigError(`SeparableConv2D '${this.name}': 'filters' must be a positive integer, received ${args.filters}`);
    this.filters = args.filters;
    this.pointwiseInitializer = getInitializer(args.pointwiseInitializer, new GlorotUniform());
    this.pointwiseRegularizer = getRegularizer(args.pointwiseRegularizer);
    this.pointwiseConstraint = getConstraint(args.pointwiseConstraint);
  }

  protected override outputChannels(): number {
    return this.filters;
  }

  protected override buildRest(channels: number): void {
    this.pointwiseKernel = this.addWeight(
      "pointwise_kernel",
      [1, 1, channels * this.depthMultiplier, this.filters],
      undefined,
      this.pointwiseInitializer,
      this.pointwiseRegularizer,
      true,
      this.pointwiseConstraint,
    );
  }

  protected override convolve(x: tf.Tensor): tf.Tensor {
    return tf.conv2d(super.convolve(x), this.pointwiseKernel!, 1, "valid");
  }

  override getConfig(): ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      pointwiseInitializer: serializeOptional(this.pointwiseInitializer),
      pointwiseRegularizer: serializeOptional(this.pointwiseRegularizer),
      pointwiseConstraint: serializeOptional(this.pointwiseConstraint),
    };
  }
}

for (const cls of [DepthwiseConv2D, SeparableConv2D]) classes.register(cls as never, cls.className);
