import type { DType } from "../base/dtype.js";
import { DTypeError } from "../base/errors.js";
import type { DataArray } from "../base/dtype.js";
import { type NestedValues, type TensorLike, asTensor, checkTensorLike, ephemeralTensors, flattenValues } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { getRuntime } from "../trace/runtime.js";

/**
 * Converts an op argument to a tensor. JS values become constants (of `dtype` when given);
 * tensors pass through unchanged and are never cast.
 *
 * ```ts
 * const x = toTensor(3, "add", "b", "int32");
 * ```
 */
export function toTensor(value: TensorLike, op: string, argName: string, dtype?: DType): Tensor {
  const tensor = asTensor(value);
  if (tensor !== undefined) return tensor;
  checkTensorLike(value, op, argName);
  const flat = flattenValues(value as NestedValues | DataArray, dtype, op);
  const created = getRuntime().trace.constant(flat.values, flat.shape, flat.dtype, `${op}/${argName}`);
  ephemeralTensors.add(created);
  return created;
}

/**
 * Converts the two operands of a binary op. A JS operand adopts the other operand's dtype
 * (so `x.add(1)` works for int32 and float32 `x`); two tensors must already agree.
 */
export function toTensorPair(a: TensorLike, b: TensorLike, op: string): [Tensor, Tensor] {
  const ta = asTensor(a);
  const tb = asTensor(b);
  const x = ta ?? toTensor(a, op, "x", tb?.dtype);
  const y = tb ?? toTensor(b, op, "y", x.dtype);
  if (x.dtype !== y.dtype) {
    for (const t of [x, y]) if (ephemeralTensors.has(t)) t.dispose();
    throw new DTypeError(`${op}: both operands must have the same dtype, received ${x.dtype} and ${y.dtype}; convert one with tf.cast(x, "${x.dtype}")`);
  }
  return [x, y];
}

/**
 * Like `toTensor`, for values that outlive the op (a variable's initial value): the
 * created tensor is not freed after the next op.
 */
export function toOwnedTensor(value: TensorLike, op: string, argName: string, dtype?: DType): Tensor {
  const tensor = toTensor(value, op, argName, dtype);
  ephemeralTensors.delete(tensor);
  return tensor;
}
