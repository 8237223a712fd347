/**
 * `createVariable`: a `tf.Variable` whose initial value comes from a function, computed
 * eagerly (even while tracing, like TF's init_scope) and freed once the variable has taken
 * its copy. Core's `new tf.Variable(() => tensor)` keeps the function's tensor alive (see
 * the package README, "Core gaps"), so keras never passes it a function.
 *
 * ```ts
 * const w = createVariable(() => tf.zeros([3]), { name: "dense/bias" });
 * ```
 */
import * as tf from "@kiln/core";

/** A variable initialized from `initial()`, leaking no temporary tensor. */
export function createVariable(initial: () => tf.Tensor, options: tf.VariableOptions = {}): tf.Variable {
  return tf.initScope(() => {
    const value = initial();
    try {
      return new tf.Variable(value, options);
    } finally {
      value.dispose();
    }
  });
}
