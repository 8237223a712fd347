import { ephemeralTensors } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { tidy } from "../trace/scope.js";

/**
 * Runs the body of a composite op (one written with several public ops, like softmax).
 * Arguments converted from JS values stay alive for the whole body instead of being freed
 * after the first op that uses them, and everything else the body creates eagerly is
 * freed except its result.
 *
 * ```ts
 * const t = toTensor(logits, "softmax", "logits");
 * return composite([t], () => div(exp(t), sum(exp(t))));
 * ```
 */
export function composite<T>(inputs: readonly Tensor[], body: () => T): T {
  const owned = inputs.filter((t) => ephemeralTensors.delete(t));
  try {
    return tidy(body);
  } finally {
    for (const t of owned) t.dispose();
  }
}
