import { getRuntime } from "../trace/runtime.js";
import { Variable } from "./variable.js";

/**
 * `tf.config`: global switches.
 *
 * ```ts
 * tf.config.runFunctionsEagerly(true); // debug: tf.function calls run the JS directly
 * ```
 */
export const config = {
  /** When true, every `tf.function` call runs the original JS eagerly: no tracing, no cache growth (SPEC I1). */
  runFunctionsEagerly(enabled: boolean): void {
    getRuntime().runFunctionsEagerly = enabled;
  },
  functionsRunEagerly(): boolean {
    return getRuntime().runFunctionsEagerly;
  },
};

/**
 * Runs `fn` outside any trace, eagerly (TF's `init_scope`): used to compute initial values
 * and other one-time work from inside a traced function.
 *
 * ```ts
 * const v = tf.initScope(() => tf.zeros([3]));
 * ```
 */
export function initScope<T>(fn: () => T): T {
  return getRuntime().withEager(fn);
}

export { Variable };
