import { ArgumentError } from "../base/errors.js";
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
  /**
   * The largest tensor an op may create, in bytes (default 2 GiB). Larger results are a
   * `ResourceExhaustedError` naming the op, raised before anything is allocated.
   *
   * ```ts
   * tf.config.setMaxTensorBytes(8 * 2 ** 30); // allow tensors up to 8 GiB
   * ```
   */
  setMaxTensorBytes(bytes: number): void {
    if (typeof bytes !== "number" || !Number.isFinite(bytes) || bytes <= 0) {
      throw new ArgumentError(`config.setMaxTensorBytes: expected a positive, finite number of bytes, received ${typeof bytes === "number" ? bytes : typeof bytes}`);
    }
    getRuntime().maxTensorBytes = bytes;
  },
  maxTensorBytes(): number {
    return getRuntime().maxTensorBytes;
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

/**
 * True when ops run now, eagerly; false while a `tf.function` (or a control-flow branch
 * inside one) is being traced, where ops become graph nodes (TF's `tf.executing_eagerly`).
 *
 * ```ts
 * tf.function(() => tf.executingEagerly())(); // false while tracing
 * ```
 */
export function executingEagerly(): boolean {
  return getRuntime().graphTrace() === undefined;
}

/** Valid scope names: TF's rule (letters, digits, `.`, then also `_`, `-`, `/`). */
const SCOPE_NAME = /^[A-Za-z0-9.][A-Za-z0-9_.\-/]*$/;

/**
 * Runs `fn` inside a name scope (TF's `tf.name_scope`): while tracing, the operations it
 * adds are named `name/...` (nested scopes join with `/`; a name used twice in one graph
 * becomes `name_1`). Eagerly it just runs `fn`. Returns what `fn` returns.
 *
 * ```ts
 * tf.nameScope("dense", () => tf.matMul(x, w).add(b)); // dense/MatMul, dense/add
 * ```
 */
export function nameScope<T>(name: string, fn: () => T): T {
  if (typeof name !== "string" || !SCOPE_NAME.test(name)) {
    throw new ArgumentError(`nameScope: ${JSON.stringify(name)} is not a valid scope name; use letters, digits, '.', '_', '-' and '/', not starting with '_', '-' or '/'`);
  }
  if (typeof fn !== "function") throw new ArgumentError(`nameScope: expected a function to run inside the scope, received ${typeof fn}`);
  const trace = getRuntime().graphTrace();
  return trace === undefined ? fn() : trace.withNameScope(name, fn);
}
