import type { DType } from "../base/dtype.js";
import { checkDType } from "../base/dtype.js";
import { ShapeError, formatShape } from "../base/errors.js";
import { sizeOf } from "../base/shape.js";
import { type NestedValues, type TensorLike, asTensor, checkTensorLike, flattenValues } from "../tensor/convert.js";
import type { DataArray } from "../base/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { getRuntime } from "../trace/runtime.js";

/**
 * Creates a tensor from a JS value. Numbers become `float32` unless `dtype` says otherwise
 * (JS cannot tell `10` from `10.0`); booleans become `bool`. A tensor passes through.
 *
 * ```ts
 * tf.constant(10, "int32");
 * tf.constant([[1, 2], [3, 4]]);
 * ```
 */
export function constant(value: TensorLike, dtype?: DType): Tensor {
  const existing = asTensor(value);
  if (existing !== undefined) return existing;
  checkTensorLike(value, "constant", "value");
  if (dtype !== undefined) checkDType(dtype, "constant");
  const flat = flattenValues(value as NestedValues | DataArray, dtype, "constant");
  return getRuntime().trace.constant(flat.values, flat.shape, flat.dtype);
}

/**
 * tfjs's `tensor(values, shape?, dtype?)`: like `constant`, and a flat array can be given
 * a shape.
 *
 * ```ts
 * tf.tensor([1, 2, 3, 4], [2, 2]);
 * ```
 */
export function tensor(values: NestedValues | DataArray, shape?: readonly number[], dtype?: DType): Tensor {
  checkTensorLike(values, "tensor", "values");
  if (dtype !== undefined) checkDType(dtype, "tensor");
  const flat = flattenValues(values, dtype, "tensor");
  if (shape === undefined) return getRuntime().trace.constant(flat.values, flat.shape, flat.dtype);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(`tensor: shape must be an array of non-negative integers, received ${JSON.stringify(shape)}`);
  }
  if (sizeOf(shape) !== flat.values.length) {
    throw new ShapeError(`tensor: shape ${formatShape(shape)} needs ${sizeOf(shape)} values, but ${flat.values.length} were given`);
  }
  return getRuntime().trace.constant(flat.values, shape, flat.dtype);
}

/**
 * A rank-0 tensor.
 *
 * ```ts
 * tf.scalar(3.5);
 * ```
 */
export function scalar(value: number | boolean, dtype?: DType): Tensor {
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new ShapeError(`scalar: expected a number or boolean, received ${Array.isArray(value) ? "an array (use tf.tensor)" : typeof value}`);
  }
  return constant(value, dtype);
}
