import * as builtin from "../ir/builtin_ops.js";
import type { AnyOpDef } from "../ir/op.js";
import * as families from "./index.js";

/** True for an op definition made by `defineOp` (name, api, family and an `infer` function). */
export function isOpDef(value: unknown): value is AnyOpDef {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<Record<keyof AnyOpDef, unknown>>;
  return typeof v.name === "string" && typeof v.api === "string" && typeof v.family === "string" && typeof v.infer === "function";
}

/**
 * Every op declared by core's op families (`ops/index.ts`) and the IR's builtin ops
 * (Placeholder, Const, Identity). The function layer adds its own ops (variables, calls,
 * control flow, printing); `tf.knownOps()` holds them all.
 *
 * ```ts
 * coreOpDefs().map((op) => op.name); // ["Const", "Identity", "Placeholder", "AddV2", ...]
 * ```
 */
export function coreOpDefs(): AnyOpDef[] {
  const seen = new Set<AnyOpDef>();
  for (const family of [builtin, families]) for (const value of Object.values(family)) if (isOpDef(value)) seen.add(value);
  return [...seen];
}

/** The chainable method tables of the op families (`binaryMethods`, ...), derived from the same list. */
export function methodTables(): Record<string, Function>[] {
  return Object.entries(families)
    .filter(([name, value]) => name.endsWith("Methods") && typeof value === "object" && value !== null)
    .map(([, value]) => value as Record<string, Function>);
}
