import type { PlanContext } from "../runtime/executor.js";
import { type Runtime, getRuntime } from "../trace/runtime.js";
import { functionHandlers } from "./handlers.js";

const contexts = new WeakMap<Runtime, PlanContext>();

/** The kernels and runtime-implemented ops plans of the current runtime use. */
export function planContext(): PlanContext {
  const runtime = getRuntime();
  let context = contexts.get(runtime);
  if (context === undefined) contexts.set(runtime, (context = { registry: runtime.backends, handlers: functionHandlers(runtime) }));
  return context;
}
