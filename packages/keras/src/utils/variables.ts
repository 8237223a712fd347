/**
 * `createVariable`: a `tf.Variable` whose initial value comes from a function, freed once
 * the variable has taken its copy. Inside a trace, core lifts the initial value out and
 * computes it eagerly, and enforces SPEC H1 (variables only on a function's first trace). Core's `new tf.Variable(() => tensor)` keeps the function's tensor alive (see
 * the package README, "Core gaps"), so keras never passes it a function.
 *
 * ```ts
 * const w = createVariable(() => tf.zeros([3]), { name: "dense/bias" });
 * ```
 */
import * as tf from "@kiln/core";

/** A variable initialized from `initial()`, leaking no temporary tensor. */
export function createVariable(initial: () => tf.Tensor, options: tf.VariableOptions = {}): tf.Variable {
  const value = initial();
  try {
    return new tf.Variable(value, options);
  } finally {
    if (!value.isSymbolic) value.dispose();
  }
}
