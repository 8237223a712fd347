import { type DType, checkDType, INT32_MAX, INT32_MIN } from "../base/dtype.js";
import { ArgumentError, DTypeError } from "../base/errors.js";

/**
 * Argument checks shared by the seeded (`random.ts`) and stateless (`stateless_random.ts`)
 * random ops: the distribution's parameters and dtype. Each op's `infer` calls them, so
 * eager calls, traced calls and loaded graphs are checked alike.
 *
 * ```ts
 * checkUniformArgs({ minval: 0, maxval: 10, dtype: "int32" }, "randomUniform"); // "int32"
 * ```
 */

function checkNumber(value: unknown, name: string, api: string): void {
  if (typeof value !== "number") throw new ArgumentError(`${api}: ${name} must be a number, received ${typeof value} (${String(value)})`);
}

/** Checks a uniform draw's bounds and dtype (float32, or int32 on a non-empty int32 interval); returns the dtype. */
export function checkUniformArgs(
  attrs: { readonly minval: unknown; readonly maxval: unknown; readonly dtype: unknown },
  api: string,
): DType {
  const dtype = checkDType(attrs.dtype, api);
  checkNumber(attrs.minval, "minval", api);
  checkNumber(attrs.maxval, "maxval", api);
  const minval = attrs.minval as number;
  const maxval = attrs.maxval as number;
  if (dtype === "bool") throw new DTypeError(`${api}: dtype bool is not supported; use float32 or int32`);
  if (dtype === "int32") {
    // Integer draws are exact only on a non-empty int32 interval (TF: "Need minval < maxval").
    for (const [name, v] of [
      ["minval", minval],
      ["maxval", maxval],
    ] as const) {
      if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
        throw new ArgumentError(`${api}: ${name} ${v} must be an int32 integer when dtype is int32`);
      }
    }
    if (!(minval < maxval)) {
      throw new ArgumentError(
        `${api}: int32 values are drawn from [minval, maxval), so minval must be less than maxval; received minval ${minval}, maxval ${maxval}`,
      );
    }
  }
  return dtype;
}

/** Checks a normal draw's mean, standard deviation and dtype (float32 only); returns the dtype. */
export function checkNormalArgs(attrs: { readonly mean: unknown; readonly stdDev: unknown; readonly dtype: unknown }, api: string): DType {
  const dtype = checkDType(attrs.dtype, api);
  checkNumber(attrs.mean, "mean", api);
  checkNumber(attrs.stdDev, "stdDev", api);
  if (dtype !== "float32") {
    throw new DTypeError(
      `${api}: normal values are float32 only, received dtype ${dtype}; draw float32 and convert with tf.cast (after tf.round) if you need integers`,
    );
  }
  return dtype;
}

/** An int32 uniform draw needs its upper bound spelled out (like TF; tfjs rounds floats instead). */
export function requireIntMaxval(dtype: DType, maxval: number | undefined, api: string): void {
  if (dtype === "int32" && maxval === undefined) {
    throw new ArgumentError(`${api}: int32 values are drawn from [minval, maxval), so maxval must be given explicitly (like TF)`);
  }
}
