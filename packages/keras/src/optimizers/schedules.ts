/**
 * Learning-rate schedules: functions of the optimizer's step counter, evaluated with tensor
 * ops so that they run inside traced training steps (Keras's `keras.optimizers.schedules`).
 *
 * ```ts
 * const lr = keras.optimizers.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.5 });
 * keras.optimizers.sgd({ learningRate: lr });
 * ```
 */
import * as tf from "@kiln/core";
import { classes, type ConfigDict } from "../engine/serialization.js";
import { ConfigError } from "../errors.js";

/** A learning rate that depends on the step (a float32 scalar tensor, counted from 0). */
export abstract class LearningRateSchedule {
  static className: string;
  /** The learning rate at `step` (a float32 scalar), as a float32 scalar tensor. */
  abstract apply(step: tf.Tensor): tf.Tensor;
  abstract getConfig(): ConfigDict;
  getClassName(): string {
    return (this.constructor as typeof LearningRateSchedule).className;
  }
  /** The rate at a JS step number, computed eagerly (for logs and callbacks). */
  valueAt(step: number): number {
    return tf.tidy(() => this.apply(tf.scalar(step)).dataSync()[0]!);
  }
}

/** `initialLearningRate * decayRate ^ (step / decaySteps)` (floored exponent when `staircase`). */
export class ExponentialDecay extends LearningRateSchedule {
  static override className = "ExponentialDecay";
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  constructor(args: { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean }) {
    super();
    if (!(args.decaySteps > 0)) throw new ConfigError(`exponentialDecay: 'decaySteps' must be positive, received ${args.decaySteps}`);
    this.initialLearningRate = args.initialLearningRate;
    this.decaySteps = args.decaySteps;
    this.decayRate = args.decayRate;
    this.staircase = args.staircase ?? false;
  }
  apply(step: tf.Tensor): tf.Tensor {
    let p = tf.div(step, this.decaySteps);
    if (this.staircase) p = tf.floor(p);
    return tf.mul(this.initialLearningRate, tf.pow(this.decayRate, p));
  }
  getConfig(): ConfigDict {
    return {
      initialLearningRate: this.initialLearningRate,
      decaySteps: this.decaySteps,
      decayRate: this.decayRate,
      staircase: this.staircase,
    };
  }
}

/**
 * Cosine decay from `initialLearningRate` to `initialLearningRate * alpha` over
 * `decaySteps`, after an optional linear warm-up to `warmupTarget` over `warmupSteps`.
 */
export class CosineDecay extends LearningRateSchedule {
  static override className = "CosineDecay";
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;
  constructor(args: {
    initialLearningRate: number;
    decaySteps: number;
    alpha?: number;
    warmupTarget?: number | null;
    warmupSteps?: number;
  }) {
    super();
    if (!(args.decaySteps > 0)) throw new ConfigError(`cosineDecay: 'decaySteps' must be positive, received ${args.decaySteps}`);
    this.initialLearningRate = args.initialLearningRate;
    this.decaySteps = args.decaySteps;
    this.alpha = args.alpha ?? 0;
    this.warmupTarget = args.warmupTarget ?? null;
    this.warmupSteps = args.warmupSteps ?? 0;
  }
  apply(step: tf.Tensor): tf.Tensor {
    const start = this.warmupTarget ?? this.initialLearningRate;
    const decayStep = tf.clipByValue(tf.sub(step, this.warmupSteps), 0, this.decaySteps);
    const cosine = tf.mul(0.5, tf.add(1, tf.cos(tf.mul(Math.PI, tf.div(decayStep, this.decaySteps)))));
    const decayed = tf.mul(start, tf.add(tf.mul(cosine, 1 - this.alpha), this.alpha));
    if (this.warmupTarget === null || this.warmupSteps === 0) return decayed;
    const warm = tf.add(this.initialLearningRate, tf.mul(tf.div(step, this.warmupSteps), this.warmupTarget - this.initialLearningRate));
    return tf.where(tf.less(step, this.warmupSteps), warm, decayed);
  }
  getConfig(): ConfigDict {
    return {
      initialLearningRate: this.initialLearningRate,
      decaySteps: this.decaySteps,
      alpha: this.alpha,
      warmupTarget: this.warmupTarget,
      warmupSteps: this.warmupSteps,
    };
  }
}

/** `values[i]` while `boundaries[i-1] < step <= boundaries[i]` (one more value than boundaries). */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  static override className = "PiecewiseConstantDecay";
  readonly boundaries: number[];
  readonly values: number[];
  constructor(args: { boundaries: number[]; values: number[] }) {
    super();
    if (args.values.length !== args.boundaries.length + 1) {
      throw new ConfigError(
        `piecewiseConstantDecay: needs one more value than boundaries, received ${args.boundaries.length} boundaries and ${args.values.length} values`,
      );
    }
    this.boundaries = [...args.boundaries];
    this.values = [...args.values];
  }
  apply(step: tf.Tensor): tf.Tensor {
    let rate: tf.Tensor = tf.scalar(this.values[this.values.length - 1]!);
    for (let i = this.boundaries.length - 1; i >= 0; i--) rate = tf.where(tf.lessEqual(step, this.boundaries[i]!), this.values[i]!, rate);
    return rate;
  }
  getConfig(): ConfigDict {
    return { boundaries: this.boundaries, values: this.values };
  }
}

for (const cls of [ExponentialDecay, CosineDecay, PiecewiseConstantDecay]) classes.register(cls as never, cls.className);

/**
 * `new ExponentialDecay(args)`.
 *
 * ```ts
 * keras.optimizers.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.96 })
 * ```
 */
export const exponentialDecay = (args: ConstructorParameters<typeof ExponentialDecay>[0]) => new ExponentialDecay(args);
/**
 * `new CosineDecay(args)`.
 *
 * ```ts
 * keras.optimizers.cosineDecay({ initialLearningRate: 0.1, decaySteps: 1000, warmupTarget: 0.5, warmupSteps: 100 })
 * ```
 */
export const cosineDecay = (args: ConstructorParameters<typeof CosineDecay>[0]) => new CosineDecay(args);
/**
 * `new PiecewiseConstantDecay(args)`.
 *
 * ```ts
 * keras.optimizers.piecewiseConstantDecay({ boundaries: [1000], values: [0.1, 0.01] })
 * ```
 */
export const piecewiseConstantDecay = (args: ConstructorParameters<typeof PiecewiseConstantDecay>[0]) => new PiecewiseConstantDecay(args);
