/**
 * Weight regularizers (tfjs-layers' `l1`, `l2`, `l1l2`): each maps a weight to a scalar
 * penalty that the model adds to its loss on every training step (traced with the step).
 *
 * ```ts
 * keras.layers.dense({ units: 8, kernelRegularizer: keras.regularizers.l2({ l2: 1e-4 }) });
 * ```
 */
import * as tf from "@kiln/core";
import { classes, type ConfigDict, type SerializedObject } from "./engine/serialization.js";
import { ConfigError } from "./errors.js";

/** Base class of regularizers: `apply(weight)` returns a scalar penalty. */
export abstract class Regularizer {
  static className: string;
  abstract apply(x: tf.Tensor): tf.Tensor;
  abstract getConfig(): ConfigDict;
  getClassName(): string {
    return (this.constructor as typeof Regularizer).className;
  }
}

/** `l1 * sum(|x|) + l2 * sum(x^2)`. */
export class L1L2 extends Regularizer {
  static override className = "L1L2";
  readonly l1: number;
  readonly l2: number;
  constructor(args: { l1?: number; l2?: number } = {}) {
    super();
    this.l1 = args.l1 ?? 0;
    this.l2 = args.l2 ?? 0;
  }
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let penalty = tf.scalar(0);
      if (this.l1 !== 0) penalty = tf.add(penalty, tf.mul(tf.sum(tf.abs(x)), this.l1));
      if (this.l2 !== 0) penalty = tf.add(penalty, tf.mul(tf.sum(tf.square(x)), this.l2));
      return penalty;
    });
  }
  getConfig(): ConfigDict {
    return { l1: this.l1, l2: this.l2 };
  }
}
classes.register(L1L2 as never, "L1L2");

/**
 * An L1 penalty, `l1 * sum(|x|)` (default 0.01).
 *
 * ```ts
 * keras.regularizers.l1({ l1: 1e-4 })
 * ```
 */
export function l1(args: { l1?: number } = {}): L1L2 {
  return new L1L2({ l1: args.l1 ?? 0.01 });
}

/**
 * An L2 penalty, `l2 * sum(x^2)` (default 0.01).
 *
 * ```ts
 * keras.regularizers.l2({ l2: 1e-4 })
 * ```
 */
export function l2(args: { l2?: number } = {}): L1L2 {
  return new L1L2({ l2: args.l2 ?? 0.01 });
}

/**
 * Both penalties (defaults 0.01 each).
 *
 * ```ts
 * keras.regularizers.l1l2({ l1: 1e-5, l2: 1e-4 })
 * ```
 */
export function l1l2(args: { l1?: number; l2?: number } = {}): L1L2 {
  return new L1L2({ l1: args.l1 ?? 0.01, l2: args.l2 ?? 0.01 });
}

/** Resolves a regularizer from a name (`"l1"`, `"l2"`, `"l1l2"`), a serialized form or an instance. */
export function getRegularizer(identifier: Regularizer | SerializedObject | string | null | undefined): Regularizer | undefined {
  if (identifier === null || identifier === undefined) return undefined;
  if (identifier instanceof Regularizer) return identifier;
  if (typeof identifier === "string") {
    if (identifier === "l1") return l1();
    if (identifier === "l2") return l2();
    if (identifier === "l1l2") return l1l2();
    throw new ConfigError(`Unknown regularizer '${identifier}'; use l1, l2 or l1l2`);
  }
  return classes.deserialize<Regularizer>(identifier, "regularizer");
}
