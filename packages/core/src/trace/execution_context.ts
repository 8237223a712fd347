import type { ExecutionContext, VariableAccess } from "../plan/execution.js";
import type { Runtime } from "./runtime.js";

/**
 * What plans run by `runtime` use: its kernels, `variables` (direct, or a view for a call
 * that waits on async reads), its `tf.print` and its tensor size limit (read at each use,
 * so `tf.config` changes apply to cached plans).
 *
 * ```ts
 * const context = executionContext(runtime, directVariableAccess(runtime));
 * ```
 */
export function executionContext(runtime: Runtime, variables: VariableAccess): ExecutionContext {
  return {
    registry: runtime.backends,
    variables,
    print: (text) => runtime.print(text),
    get maxTensorBytes() {
      return runtime.maxTensorBytes;
    },
  };
}
