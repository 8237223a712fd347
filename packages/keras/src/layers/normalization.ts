/**
 * `BatchNormalization` (batch statistics in training, moving statistics otherwise; the
 * moving statistics update only in training, inside the traced step) and
 * `LayerNormalization` (statistics of each sample over `axis`).
 *
 * ```ts
 * keras.layers.batchNormalization({ momentum: 0.99, epsilon: 1e-3 });
 * ```
 */
import * as tf from "@kiln/core";
import { type Constraint, getConstraint } from "../constraints.js";
import { type CallOptions, Layer, type LayerArgs } from "../engine/layer.js";
import { classes, type ConfigDict, type SerializedObject } from "../engine/serialization.js";
import { InputShapeError } from "../errors.js";
import { getInitializer, type Initializer, type InitializerIdentifier, Ones, Zeros } from "../initializers.js";
import { getRegularizer, type Regularizer } from "../regularizers.js";
import { positiveAxis, type Shape } from "../utils/shape.js";
import { serializeOptional } from "./config_helpers.js";

type InitArg = Initializer | InitializerIdentifier | SerializedObject;

/** Options of `batchNormalization` (tfjs-layers' names). */
export interface BatchNormalizationArgs extends LayerArgs {
  axis?: number;
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: InitArg;
  gammaInitializer?: InitArg;
  movingMeanInitializer?: InitArg;
  movingVarianceInitializer?: InitArg;
  betaRegularizer?: Regularizer | SerializedObject | string;
  gammaRegularizer?: Regularizer | SerializedObject | string;
  betaConstraint?: Constraint | SerializedObject | string;
  gammaConstraint?: Constraint | SerializedObject | string;
}

/** Normalizes along `axis` with batch statistics (training) or moving statistics (inference). */
export class BatchNormalization extends Layer {
  static override className = "BatchNormalization";
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;
  readonly betaRegularizer: Regularizer | undefined;
  readonly gammaRegularizer: Regularizer | undefined;
  readonly betaConstraint: Constraint | undefined;
  readonly gammaConstraint: Constraint | undefined;
  gamma: tf.Variable | undefined;
  beta: tf.Variable | undefined;
  movingMean: tf.Variable | undefined;
  movingVariance: tf.Variable | undefined;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.betaInitializer = getInitializer(args.betaInitializer, new Zeros());
    this.gammaInitializer = getInitializer(args.gammaInitializer, new Ones());
    this.movingMeanInitializer = getInitializer(args.movingMeanInitializer, new Zeros());
    this.movingVarianceInitializer = getInitializer(args.movingVarianceInitializer, new Ones());
    this.betaRegularizer = getRegularizer(args.betaRegularizer);
    this.gammaRegularizer = getRegularizer(args.gammaRegularizer);
    this.betaConstraint = getConstraint(args.betaConstraint);
    this.gammaConstraint = getConstraint(args.gammaConstraint);
    this.supportsMasking = true;
  }

  override build(inputShape: Shape): void {
    const axis = positiveAxis(this.axis, inputShape.length);
    const dim = inputShape[axis];
    if (dim === null || dim === undefined)
      throw new InputShapeError(`BatchNormalization '${this.name}': axis ${this.axis} of the input must be known`);
    if (this.scale)
      this.gamma = this.addWeight("gamma", [dim], undefined, this.gammaInitializer, this.gammaRegularizer, true, this.gammaConstraint);
    if (this.center)
      this.beta = this.addWeight("beta", [dim], undefined, this.betaInitializer, this.betaRegularizer, true, this.betaConstraint);
    this.movingMean = this.addWeight("moving_mean", [dim], undefined, this.movingMeanInitializer, undefined, false);
    this.movingVariance = this.addWeight("moving_variance", [dim], undefined, this.movingVarianceInitializer, undefined, false);
    this.inputSpec = [{ ndim: inputShape.length, axes: { [axis]: dim } }];
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], options: CallOptions = {}): tf.Tensor {
    const x = inputs as tf.Tensor;
    const axis = positiveAxis(this.axis, x.rank);
    const reduceAxes = Array.from({ length: x.rank }, (_, i) => i).filter((i) => i !== axis);
    const broadcast = (v: tf.Tensor | tf.Variable) =>
      axis === x.rank - 1
        ? v
        : tf.reshape(
            v,
            x.shape.map((d, i) => (i === axis ? (d as number) : 1)),
          );
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    if (options.training === true) {
      mean = tf.mean(x, reduceAxes);
      variance = tf.mean(tf.squaredDifference(x, tf.mean(x, reduceAxes, true)), reduceAxes);
      const m = this.momentum;
      this.movingMean!.assign(tf.add(tf.mul(this.movingMean!, m), tf.mul(tf.stopGradient(mean), 1 - m)));
      this.movingVariance!.assign(tf.add(tf.mul(this.movingVariance!, m), tf.mul(tf.stopGradient(variance), 1 - m)));
    } else {
      mean = this.movingMean!.read();
      variance = this.movingVariance!.read();
    }
    let y = tf.mul(tf.sub(x, broadcast(mean)), broadcast(tf.rsqrt(tf.add(variance, this.epsilon))));
    if (this.gamma !== undefined) y = tf.mul(y, broadcast(this.gamma));
    if (this.beta !== undefined) y = tf.add(y, broadcast(this.beta));
    return y;
  }

  override computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override getConfig(): ConfigDict {
    return {
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: serializeOptional(this.betaInitializer),
      gammaInitializer: serializeOptional(this.gammaInitializer),
      movingMeanInitializer: serializeOptional(this.movingMeanInitializer),
      movingVarianceInitializer: serializeOptional(this.movingVarianceInitializer),
      betaRegularizer: serializeOptional(this.betaRegularizer),
      gammaRegularizer: serializeOptional(this.gammaRegularizer),
      betaConstraint: serializeOptional(this.betaConstraint),
      gammaConstraint: serializeOptional(this.gammaConstraint),
      ...super.getConfig(),
    };
  }
}

/** Normalizes each sample over `axis` (default the last), then scales and shifts. */
export class LayerNormalization extends Layer {
  static override className = "LayerNormalization";
  readonly axis: number | number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly betaRegularizer: Regularizer | undefined;
  readonly gammaRegularizer: Regularizer | undefined;
  gamma: tf.Variable | undefined;
  beta: tf.Variable | undefined;

  constructor(
    args: LayerArgs & {
      axis?: number | number[];
      epsilon?: number;
      center?: boolean;
      scale?: boolean;
      betaInitializer?: InitArg;
      gammaInitializer?: InitArg;
      betaRegularizer?: Regularizer | SerializedObject | string;
      gammaRegularizer?: Regularizer | SerializedObject | string;
    } = {},
  ) {
    super(args);
    this.axis = args.axis ?? -1;
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.betaInitializer = getInitializer(args.betaInitializer, new Zeros());
    this.gammaInitializer = getInitializer(args.gammaInitializer, new Ones());
    this.betaRegularizer = getRegularizer(args.betaRegularizer);
    this.gammaRegularizer = getRegularizer(args.gammaRegularizer);
    this.supportsMasking = true;
  }

  private axes(rank: number): number[] {
    return (typeof this.axis === "number" ? [this.axis] : this.axis).map((a) => positiveAxis(a, rank)).sort((a, b) => a - b);
  }

  override build(inputShape: Shape): void {
    const axes = this.axes(inputShape.length);
    const paramShape = axes.map((a) => inputShape[a]);
    if (paramShape.some((d) => d === null || d === undefined))
      throw new InputShapeError(`LayerNormalization '${this.name}': the normalized axes must be known`);
    if (this.scale) this.gamma = this.addWeight("gamma", paramShape as number[], undefined, this.gammaInitializer, this.gammaRegularizer);
    if (this.center) this.beta = this.addWeight("beta", paramShape as number[], undefined, this.betaInitializer, this.betaRegularizer);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    const axes = this.axes(x.rank);
    const mean = tf.mean(x, axes, true);
    const variance = tf.mean(tf.squaredDifference(x, mean), axes, true);
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
    const paramShape = x.shape.map((d, i) => (axes.includes(i) ? (d as number) : 1));
    if (this.gamma !== undefined) y = tf.mul(y, tf.reshape(this.gamma, paramShape));
    if (this.beta !== undefined) y = tf.add(y, tf.reshape(this.beta, paramShape));
    return y;
  }

  override computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override getConfig(): ConfigDict {
    return {
      axis: this.axis,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: serializeOptional(this.betaInitializer),
      gammaInitializer: serializeOptional(this.gammaInitializer),
      betaRegularizer: serializeOptional(this.betaRegularizer),
      gammaRegularizer: serializeOptional(this.gammaRegularizer),
      ...super.getConfig(),
    };
  }
}

for (const cls of [BatchNormalization, LayerNormalization]) classes.register(cls as never, cls.className);
