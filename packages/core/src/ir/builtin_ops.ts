import { checkDType, DTYPES, type DType } from "../base/dtype.js";
import { ArgumentError, DTypeError, ShapeError } from "../base/errors.js";
import type { Shape } from "../base/shape.js";
import { defineOp } from "./op.js";
import { scalarKernel } from "./scalar.js";

/** The largest dim a graph value may declare (the largest tensor size). */
const MAX_DIM = 2 ** 31 - 1;

/** A declared shape: an array of dims, each a non-negative integer (or `null` where `unknown` is allowed). */
function checkDeclaredShape(shape: unknown, api: string, unknown: boolean): Shape {
  const ok = Array.isArray(shape) && shape.every((d) => (d === null && unknown) || (Number.isInteger(d) && d >= 0 && d <= MAX_DIM));
  if (!ok) {
    throw new ShapeError(
      `${api}: 'shape' must be an array of dims (integers from 0 to ${MAX_DIM}${unknown ? ", or null for unknown" : ""}), received ${JSON.stringify(shape)?.slice(0, 80)}`,
    );
  }
  return shape as Shape;
}

/**
 * A graph input. Resource placeholders stand for a variable (TF's `DT_RESOURCE`).
 *
 * ```ts
 * // Placeholder {shape: [null, 2], dtype: "float32"}      a tensor input
 * // Placeholder {shape: [2], dtype: "float32", resource: true}   a variable's resource
 * ```
 */
export const Placeholder = defineOp<{ shape: Shape; dtype: DType; resource?: boolean }>({
  name: "Placeholder",
  api: "placeholder",
  family: "opaque",
  inputs: [],
  execution: { kind: "input" },
  // Gradients reach inputs through the tape's record of the ops that use them.
  grad: "none",
  infer: (_inputs, attrs) => {
    if (attrs.resource !== undefined && typeof attrs.resource !== "boolean")
      throw new ArgumentError(`placeholder: 'resource' must be true, false or absent, received ${JSON.stringify(attrs.resource)}`);
    return [{ shape: checkDeclaredShape(attrs.shape, "placeholder", true), dtype: checkDType(attrs.dtype, "placeholder") }];
  },
});

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Each value must be a number `dtype` holds exactly (float32: any number; int32: integers in range; bool: 0 or 1). */
function checkConstValues(values: readonly unknown[], dtype: DType): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const ok =
      typeof v === "number" && (dtype === "float32" || (dtype === "int32" ? Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX : v === 0 || v === 1));
    if (!ok) throw new DTypeError(`Const: value[${i}] is ${JSON.stringify(v) ?? String(v)}, which a ${dtype} tensor cannot hold exactly`);
  }
}

/**
 * A literal tensor; `value` holds the flat values as plain numbers so graphs serialize to
 * JSON. The shape is fully known and matches the number of values, and each value is one
 * the dtype holds exactly (a graph file cannot smuggle other data into a typed array).
 *
 * ```ts
 * // Const {value: [1, 2, 3, 4], shape: [2, 2], dtype: "int32"}
 * ```
 */
export const Const = defineOp<{ value: readonly number[]; shape: readonly number[]; dtype: DType }>({
  name: "Const",
  api: "constant",
  family: "creation",
  inputs: [],
  execution: { kind: "constant" },
  grad: "none",
  infer: (_inputs, attrs) => {
    const dtype = checkDType(attrs.dtype, "Const");
    const shape = checkDeclaredShape(attrs.shape, "Const", false) as readonly number[];
    const size = shape.reduce((a, b) => a * b, 1);
    if (!Array.isArray(attrs.value) || attrs.value.length !== size) {
      throw new ArgumentError(
        `Const: value has ${Array.isArray(attrs.value) ? attrs.value.length : "no"} elements but shape [${shape.join(",")}] needs ${size}`,
      );
    }
    checkConstValues(attrs.value, dtype);
    return [{ shape, dtype }];
  },
});

/** Passes its input through. Every function output goes through one, like TF. */
export const Identity = defineOp<{}>({
  name: "Identity",
  api: "identity",
  family: "elementwise",
  inputs: ["input"],
  execution: { kind: "alias" },
  infer: ([x]) => [x!],
  scalar: DTYPES.map((dtype) => scalarKernel([dtype], (x) => x!)),
  grad: ({ dys }) => [dys[0] ?? null],
});
