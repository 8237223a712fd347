import * as builtin from "../ir/builtin_ops.js";
import type { AnyOpDef } from "../ir/op.js";
import * as binary from "./binary.js";
import * as convolution from "./convolution.js";
import * as creation from "./creation.js";
import * as gather from "./gather.js";
import * as joining from "./joining.js";
import * as matmul from "./matmul.js";
import * as nn from "./nn.js";
import * as random from "./random.js";
import * as reduction from "./reduction.js";
import * as selection from "./selection.js";
import * as shapeOps from "./shape_ops.js";
import * as slicing from "./slicing.js";
import * as stopGradient from "./stop_gradient.js";
import * as unary from "./unary.js";

/** True for an op definition made by `defineOp` (name, api, family and an `infer` function). */
export function isOpDef(value: unknown): value is AnyOpDef {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<Record<keyof AnyOpDef, unknown>>;
  return typeof v.name === "string" && typeof v.api === "string" && typeof v.family === "string" && typeof v.infer === "function";
}

// Every op family module; a new family file must be added here so saved graphs can name its ops.
const FAMILIES: readonly object[] = [
  builtin,
  binary,
  convolution,
  creation,
  gather,
  joining,
  matmul,
  nn,
  random,
  reduction,
  selection,
  shapeOps,
  slicing,
  stopGradient,
  unary,
];

/**
 * Every op declared by core's op families and the IR's builtin ops (Placeholder, Const,
 * Identity), collected from the modules' exports. The function layer adds its own ops
 * (variables, calls, printing) on top; see `knownOps()`.
 *
 * ```ts
 * coreOpDefs().map((op) => op.name); // ["Const", "Identity", "Placeholder", "AddV2", ...]
 * ```
 */
export function coreOpDefs(): AnyOpDef[] {
  const seen = new Set<AnyOpDef>();
  for (const family of FAMILIES) for (const value of Object.values(family)) if (isOpDef(value)) seen.add(value);
  return [...seen];
}
