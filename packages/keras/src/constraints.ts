/**
 * Weight constraints (tfjs-layers' `maxNorm`, `unitNorm`, `nonNeg`, `minMaxNorm`): a
 * projection applied to a variable after each optimizer update, inside the same traced step.
 *
 * ```ts
 * keras.layers.dense({ units: 8, kernelConstraint: keras.constraints.maxNorm({ maxValue: 2 }) });
 * ```
 */
import * as tf from "@kiln/core";
import { classes, type ConfigDict, type SerializedObject } from "./engine/serialization.js";
import { ConfigError } from "./errors.js";

const EPSILON = 1e-7;

/** Base class of constraints: `apply(weight)` returns the projected value. */
export abstract class Constraint {
  static className: string;
  abstract apply(w: tf.Tensor): tf.Tensor;
  getConfig(): ConfigDict {
    return {};
  }
  getClassName(): string {
    return (this.constructor as typeof Constraint).className;
  }
}

function norms(w: tf.Tensor, axis: number | number[]): tf.Tensor {
  return tf.sqrt(tf.sum(tf.square(w), axis, true));
}

/** Rescales each slice along `axis` whose norm exceeds `maxValue` back to `maxValue`. */
export class MaxNorm extends Constraint {
  static override className = "MaxNorm";
  readonly maxValue: number;
  readonly axis: number;
  constructor(args: { maxValue?: number; axis?: number } = {}) {
    super();
    this.maxValue = args.maxValue ?? 2;
    this.axis = args.axis ?? 0;
  }
  apply(w: tf.Tensor): tf.Tensor {
    const n = norms(w, this.axis);
    const desired = tf.clipByValue(n, 0, this.maxValue);
    return tf.mul(w, tf.div(desired, tf.add(n, EPSILON)));
  }
  override getConfig(): ConfigDict {
    return { maxValue: this.maxValue, axis: this.axis };
  }
}

/** Rescales each slice along `axis` to unit norm. */
export class UnitNorm extends Constraint {
  static override className = "UnitNorm";
  readonly axis: number;
  constructor(args: { axis?: number } = {}) {
    super();
    this.axis = args.axis ?? 0;
  }
  apply(w: tf.Tensor): tf.Tensor {
    return tf.div(w, tf.add(norms(w, this.axis), EPSILON));
  }
  override getConfig(): ConfigDict {
    return { axis: this.axis };
  }
}

/** Clamps negative entries to 0. */
export class NonNeg extends Constraint {
  static override className = "NonNeg";
  apply(w: tf.Tensor): tf.Tensor {
    return tf.relu(w);
  }
}

/** Moves each slice's norm toward `[minValue, maxValue]` at `rate` (1 = all the way). */
export class MinMaxNorm extends Constraint {
  static override className = "MinMaxNorm";
  readonly minValue: number;
  readonly maxValue: number;
  readonly rate: number;
  readonly axis: number;
  constructor(args: { minValue?: number; maxValue?: number; rate?: number; axis?: number } = {}) {
    super();
    this.minValue = args.minValue ?? 0;
    this.maxValue = args.maxValue ?? 1;
    this.rate = args.rate ?? 1;
    this.axis = args.axis ?? 0;
  }
  apply(w: tf.Tensor): tf.Tensor {
    const n = norms(w, this.axis);
    const clipped = tf.clipByValue(n, this.minValue, this.maxValue);
    const desired = tf.add(tf.mul(clipped, this.rate), tf.mul(n, 1 - this.rate));
    return tf.mul(w, tf.div(desired, tf.add(n, EPSILON)));
  }
  override getConfig(): ConfigDict {
    return { minValue: this.minValue, maxValue: this.maxValue, rate: this.rate, axis: this.axis };
  }
}

for (const cls of [MaxNorm, UnitNorm, NonNeg, MinMaxNorm]) classes.register(cls as never, cls.className);

/**
 * `maxNorm({ maxValue, axis })`.
 *
 * ```ts
 * keras.constraints.maxNorm({ maxValue: 2, axis: 0 })
 * ```
 */
export const maxNorm = (args?: { maxValue?: number; axis?: number }) => new MaxNorm(args);
/**
 * `unitNorm({ axis })`.
 *
 * ```ts
 * keras.constraints.unitNorm({ axis: 0 })
 * ```
 */
export const unitNorm = (args?: { axis?: number }) => new UnitNorm(args);
/**
 * `nonNeg()`.
 *
 * ```ts
 * keras.constraints.nonNeg()
 * ```
 */
export const nonNeg = () => new NonNeg();
/**
 * `minMaxNorm({ minValue, maxValue, rate, axis })`.
 *
 * ```ts
 * keras.constraints.minMaxNorm({ minValue: 0.5, maxValue: 1 })
 * ```
 */
export const minMaxNorm = (args?: { minValue?: number; maxValue?: number; rate?: number; axis?: number }) => new MinMaxNorm(args);

/** Resolves a constraint from a name (`"nonNeg"`, `"maxNorm"`, `"unitNorm"`, `"minMaxNorm"`), a serialized form or an instance. */
export function getConstraint(identifier: Constraint | SerializedObject | string | null | undefined): Constraint | undefined {
  if (identifier === null || identifier === undefined) return undefined;
  if (identifier instanceof Constraint) return identifier;
  if (typeof identifier === "string") {
    const className = identifier.charAt(0).toUpperCase() + identifier.slice(1);
    if (!classes.has(className)) throw new ConfigError(`Unknown constraint '${identifier}'; use maxNorm, unitNorm, nonNeg or minMaxNorm`);
    return classes.deserialize<Constraint>({ className, config: {} }, "constraint");
  }
  return classes.deserialize<Constraint>(identifier, "constraint");
}
