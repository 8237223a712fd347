/**
 * Activation layers with options (tfjs-layers' "advanced activations"): `ReLU` (with
 * `maxValue`), `LeakyReLU` (`alpha`, default 0.3), `PReLU` (a learned slope per unit,
 * `sharedAxes` to share it), `ELU` (`alpha`), `ThresholdedReLU` (`theta`) and `Softmax`
 * (over `axis`, default the last; masked positions get no weight).
 *
 * ```ts
 * keras.layers.leakyReLU({ alpha: 0.1 });
 * keras.layers.softmax({ axis: 1 });
 * ```
 */
import * as tf from "@kiln/core";
import { type Constraint, getConstraint } from "../constraints.js";
import { type CallOptions, Layer, type LayerArgs } from "../engine/layer.js";
import { classes, type ConfigDict, type SerializedObject } from "../engine/serialization.js";
import { ConfigError, InputShapeError } from "../errors.js";
import { getInitializer, type Initializer, type InitializerIdentifier, Zeros } from "../initializers.js";
import { getRegularizer, type Regularizer } from "../regularizers.js";
import { positiveAxis, type Shape } from "../utils/shape.js";
import { serializeOptional } from "./config_helpers.js";

/** An elementwise activation layer: shape and mask pass through. */
abstract class ActivationLayer extends Layer {
  constructor(args: LayerArgs) {
    super(args);
    this.supportsMasking = true;
  }
  override computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }
}

function finite(value: number | null | undefined, fallback: number, name: string, layer: string): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new ConfigError(`${layer}: '${name}' must be a finite number, received ${String(value)}`);
  return v;
}

/** `max(x, 0)`, capped at `maxValue` when given. */
export class ReLU extends ActivationLayer {
  static override className = "ReLU";
  readonly maxValue: number | null;
  constructor(args: LayerArgs & { maxValue?: number | null } = {}) {
    super(args);
    this.maxValue =
      args.maxValue === undefined || args.maxValue === null ? null : finite(args.maxValue, 0, "maxValue", `ReLU '${this.name}'`);
    if (this.maxValue !== null && this.maxValue < 0)
      throw new ConfigError(`ReLU '${this.name}': 'maxValue' must be >= 0, received ${this.maxValue}`);
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const y = tf.relu(inputs as tf.Tensor);
    return this.maxValue === null ? y : tf.minimum(y, this.maxValue);
  }
  override getConfig(): ConfigDict {
    return { maxValue: this.maxValue, ...super.getConfig() };
  }
}

/** `x` where positive, `alpha * x` elsewhere. */
export class LeakyReLU extends ActivationLayer {
  static override className = "LeakyReLU";
  readonly alpha: number;
  constructor(args: LayerArgs & { alpha?: number } = {}) {
    super(args);
    this.alpha = finite(args.alpha, 0.3, "alpha", `LeakyReLU '${this.name}'`);
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    return tf.where(tf.greater(x, 0), x, tf.mul(x, this.alpha));
  }
  override getConfig(): ConfigDict {
    return { alpha: this.alpha, ...super.getConfig() };
  }
}

/** `x` where positive, `alpha * (exp(x) - 1)` elsewhere. */
export class ELU extends ActivationLayer {
  static override className = "ELU";
  readonly alpha: number;
  constructor(args: LayerArgs & { alpha?: number } = {}) {
    super(args);
    this.alpha = finite(args.alpha, 1, "alpha", `ELU '${this.name}'`);
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    return this.alpha === 1 ? tf.elu(x) : tf.where(tf.greater(x, 0), x, tf.mul(tf.expm1(x), this.alpha));
  }
  override getConfig(): ConfigDict {
    return { alpha: this.alpha, ...super.getConfig() };
  }
}

/** `x` where `x > theta`, 0 elsewhere. */
export class ThresholdedReLU extends ActivationLayer {
  static override className = "ThresholdedReLU";
  readonly theta: number;
  constructor(args: LayerArgs & { theta?: number } = {}) {
    super(args);
    this.theta = finite(args.theta, 1, "theta", `ThresholdedReLU '${this.name}'`);
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    return tf.mul(x, tf.cast(tf.greater(x, this.theta), x.dtype));
  }
  override getConfig(): ConfigDict {
    return { theta: this.theta, ...super.getConfig() };
  }
}

/**
 * Softmax over `axis` (a number or a list of axes). With a mask, masked positions get
 * `-1e9` added first, so they take no weight (Keras's masked softmax).
 */
export class Softmax extends ActivationLayer {
  static override className = "Softmax";
  readonly axis: number | number[];
  constructor(args: LayerArgs & { axis?: number | number[] } = {}) {
    super(args);
    this.axis = args.axis ?? -1;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], options: CallOptions = {}): tf.Tensor {
    let x = inputs as tf.Tensor;
    const mask = Array.isArray(options.mask) ? options.mask[0] : options.mask;
    if (mask !== undefined) x = tf.add(x, tf.mul(tf.sub(1, tf.cast(mask, x.dtype)), -1e9));
    const axes = (Array.isArray(this.axis) ? this.axis : [this.axis]).map((a) => positiveAxis(a, x.rank));
    if (axes.length === 1) return tf.softmax(x, axes[0]);
    return tf.exp(tf.sub(x, tf.logSumExp(x, axes, true)));
  }
  override getConfig(): ConfigDict {
    return { axis: this.axis, ...super.getConfig() };
  }
}

/** Options of `prelu`. */
export interface PReLUArgs extends LayerArgs {
  alphaInitializer?: Initializer | InitializerIdentifier | SerializedObject;
  alphaRegularizer?: Regularizer | SerializedObject | string;
  alphaConstraint?: Constraint | SerializedObject | string;
  /** Axes (counted from 1, the first after the batch) along which one slope is shared. */
  sharedAxes?: number | number[] | null;
}

/** `x` where positive, `alpha * x` elsewhere, with `alpha` learned per unit. */
export class PReLU extends ActivationLayer {
  static override className = "PReLU";
  readonly alphaInitializer: Initializer;
  readonly alphaRegularizer: Regularizer | undefined;
  readonly alphaConstraint: Constraint | undefined;
  readonly sharedAxes: number[] | null;
  alpha: tf.Variable | undefined;

  constructor(args: PReLUArgs = {}) {
    super(args);
    this.alphaInitializer = getInitializer(args.alphaInitializer, new Zeros());
    this.alphaRegularizer = getRegularizer(args.alphaRegularizer);
    this.alphaConstraint = getConstraint(args.alphaConstraint);
    const shared = args.sharedAxes;
    this.sharedAxes = shared === undefined || shared === null ? null : Array.isArray(shared) ? [...shared] : [shared];
    if (this.sharedAxes?.some((a) => !Number.isInteger(a) || a < 1)) {
      throw new ConfigError(
        `PReLU '${this.name}': 'sharedAxes' counts from 1 (the first axis after the batch), received ${JSON.stringify(shared)}`,
      );
    }
  }

  override build(inputShape: Shape): void {
    const shape = inputShape.slice(1).map((d, i) => (this.sharedAxes?.includes(i + 1) ? 1 : d));
    if (shape.some((d) => d === null)) {
      throw new InputShapeError(
        `PReLU '${this.name}': every non-batch dimension needs a size or must be shared (sharedAxes), received ${JSON.stringify(inputShape)}`,
      );
    }
    this.alpha = this.addWeight(
      "alpha",
      shape as number[],
      "float32",
      this.alphaInitializer,
      this.alphaRegularizer,
      true,
      this.alphaConstraint,
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    return tf.where(tf.greater(x, 0), x, tf.mul(x, this.alpha!));
  }

  override getConfig(): ConfigDict {
    return {
      alphaInitializer: serializeOptional(this.alphaInitializer),
      alphaRegularizer: serializeOptional(this.alphaRegularizer),
      alphaConstraint: serializeOptional(this.alphaConstraint),
      sharedAxes: this.sharedAxes,
      ...super.getConfig(),
    };
  }
}

for (const cls of [ReLU, LeakyReLU, ELU, ThresholdedReLU, Softmax, PReLU]) classes.register(cls as never, cls.className);
