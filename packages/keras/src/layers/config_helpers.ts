/**
 * Helpers for layer configs: serializing initializers, regularizers and constraints the way
 * tfjs-layers writes them (`{ className, config }` or `null`), and resolving them back.
 *
 * ```ts
 * serializeOptional(this.kernelRegularizer); // { className: "L1L2", config: { l1: 0, l2: 0.01 } } or null
 * ```
 */
import type { Constraint } from "../constraints.js";
import type { ConfigDict, ConfigValue } from "../engine/serialization.js";
import type { Initializer } from "../initializers.js";
import type { Regularizer } from "../regularizers.js";

/** `{ className, config }` of an object, or `null` when absent. */
export function serializeOptional(value: Initializer | Regularizer | Constraint | undefined): ConfigValue {
  if (value === undefined) return null;
  return { className: value.getClassName(), config: value.getConfig() } as ConfigDict;
}
