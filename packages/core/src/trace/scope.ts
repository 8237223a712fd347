import { describeValue } from "../base/describe.js";
import { Tensor } from "../tensor/tensor.js";
import { getRuntime } from "./runtime.js";

/** Values a tidy function may return: tensors are kept, found inside arrays and plain objects. */
function collectTensors(value: unknown, out: Tensor[], seen = new Set<unknown>()): Tensor[] {
  if (value instanceof Tensor) out.push(value);
  else if (typeof value === "object" && value !== null && !seen.has(value)) {
    seen.add(value);
    if (Array.isArray(value)) for (const item of value) collectTensors(item, out, seen);
    else if (Object.getPrototypeOf(value) === Object.prototype || value instanceof Map) {
      for (const item of value instanceof Map ? value.values() : Object.values(value)) collectTensors(item, out, seen);
    }
  }
  return out;
}

/**
 * Runs `fn` and disposes every tensor it created except those it returns (also inside
 * returned arrays and objects) and those passed to `keep`. Async functions are supported:
 * the scope ends when the promise settles. Tensors created by other code running
 * concurrently in the meantime are also owned by the scope, so keep async tidies sequential.
 *
 * ```ts
 * const y = tf.tidy(() => tf.add(x, 1).mul(2)); // the intermediate `x + 1` is freed
 * ```
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError(`tidy: expected a function to run in the scope, received ${describeValue(fn)}`);
  const tracker = getRuntime().tracker;
  const scope = tracker.openScope();
  let result: T;
  try {
    result = fn();
  } catch (error) {
    tracker.closeScope(scope, []);
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value) => {
        tracker.closeScope(scope, collectTensors(value, []));
        return value;
      },
      (error: unknown) => {
        tracker.closeScope(scope, []);
        throw error;
      },
    ) as T;
  }
  tracker.closeScope(scope, collectTensors(result, []));
  return result;
}

/** Protects a tensor from disposal by the enclosing `tidy` scopes. */
export function keep<T extends Tensor>(tensor: T): T {
  return getRuntime().tracker.keep(tensor);
}

/** Disposes tensors found in `value` (a tensor, or arrays/objects of them). */
export function dispose(value: unknown): void {
  for (const t of collectTensors(value, [])) t.dispose();
}
