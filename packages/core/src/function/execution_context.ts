import type { ExecutionContext } from "../plan/execution.js";
import { getRuntime, type Runtime } from "../trace/runtime.js";
import { directVariableAccess } from "./variable_access.js";

const contexts = new WeakMap<Runtime, ExecutionContext>();

/**
 * What plans run by synchronous calls in `runtime` use: its kernels, variables accessed
 * directly, and its `tf.print` destination.
 *
 * ```ts
 * plan.run(inputs, undefined, executionContext());
 * ```
 */
export function executionContext(runtime: Runtime = getRuntime()): ExecutionContext {
  let context = contexts.get(runtime);
  if (context === undefined) {
    contexts.set(
      runtime,
      (context = { registry: runtime.backends, variables: directVariableAccess(runtime), print: (text) => runtime.print(text) }),
    );
  }
  return context;
}
