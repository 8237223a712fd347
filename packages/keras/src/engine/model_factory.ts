/**
 * `keras.model({ inputs, outputs })`: builds a functional model (tfjs's `tf.model`).
 *
 * ```ts
 * const x = keras.input({ shape: [8] });
 * const m = keras.model({ inputs: x, outputs: keras.layers.dense({ units: 1 }).apply(x) as keras.KerasTensor });
 * ```
 */
import { Functional, type FunctionalArgs } from "./functional.js";

/** A functional model from symbolic inputs and outputs. */
export function model(args: FunctionalArgs): Functional {
  return new Functional(args);
}
