/**
 * Activation functions, by name as in tfjs-layers (`"relu"`, `"softmax"`, ...) or as objects
 * (`keras.activations.get("gelu")`). Every activation is built from core ops, so it runs
 * eagerly and inside traced steps alike, and is differentiated through those ops.
 *
 * ```ts
 * keras.activations.get("relu").apply(tf.tensor([-1, 2])); // [0, 2]
 * ```
 */
import * as tf from "@kiln/core";
import { ConfigError } from "./errors.js";

/** A named activation: `apply` maps a tensor elementwise (softmax: along the last axis). */
export interface Activation {
  readonly name: string;
  apply(x: tf.Tensor): tf.Tensor;
}

/** Names accepted wherever an activation is expected, as in tfjs-layers (plus `swish`/`silu`/`gelu`). */
export type ActivationIdentifier =
  | "linear"
  | "relu"
  | "relu6"
  | "elu"
  | "selu"
  | "gelu"
  | "sigmoid"
  | "hardSigmoid"
  | "tanh"
  | "softmax"
  | "logSoftmax"
  | "softplus"
  | "softsign"
  | "swish"
  | "silu"
  | "mish";

const TABLE: Record<ActivationIdentifier, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  relu6: (x) => tf.relu6(x),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  gelu: (x) => tf.gelu(x),
  sigmoid: (x) => tf.sigmoid(x),
  hardSigmoid: (x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1),
  tanh: (x) => tf.tanh(x),
  softmax: (x) => tf.softmax(x, -1),
  logSoftmax: (x) => tf.logSoftmax(x, -1),
  softplus: (x) => tf.softplus(x),
  softsign: (x) => tf.div(x, tf.add(tf.abs(x), 1)),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
  silu: (x) => tf.mul(x, tf.sigmoid(x)),
  mish: (x) => tf.mul(x, tf.tanh(tf.softplus(x))),
};

/** The names of every built-in activation. */
export const activationNames = Object.keys(TABLE) as ActivationIdentifier[];

/**
 * The activation for a name (or an `Activation` object, returned as is). An unknown name is a
 * `ConfigError` listing the valid ones; `null`/`undefined` mean linear.
 *
 * ```ts
 * keras.activations.get("swish").apply(x);
 * ```
 */
export function getActivation(
  identifier: ActivationIdentifier | Activation | string | null | undefined,
  argName = "activation",
): Activation {
  if (identifier === null || identifier === undefined) return { name: "linear", apply: TABLE.linear };
  if (typeof identifier === "object") return identifier;
  const fn = TABLE[identifier as ActivationIdentifier];
  if (fn === undefined) {
    throw new ConfigError(`Unknown ${argName} '${identifier}'; valid activations are ${activationNames.join(", ")}`);
  }
  return { name: identifier, apply: fn };
}

/** Serializes an activation to its name (what tfjs-layers writes into a layer config). */
export function serializeActivation(activation: Activation): string {
  return activation.name;
}
