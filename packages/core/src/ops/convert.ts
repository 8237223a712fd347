import type { DType } from "../base/dtype.js";
import { DTypeError } from "../base/errors.js";
import type { DataArray } from "../base/dtype.js";
import { type NestedValues, type TensorLike, asTensor, checkTensorLike, ephemeralTensors, flattenValues } from "../tensor/convert.js";
import { Tensor } from "../tensor/tensor.js";
import { getRuntime } from "../trace/runtime.js";

/**
 * Converts an op argument to a tensor. JS values become constants (of `dtype` when given);
 * tensors pass through unchanged and are never cast.
 *
 * ```ts
 * const x = toTensor(3, "add", "b", "int32");
 * const w = toTensor(filter, "conv2d", "filter", "float32", x); // frees x if filter is rejected
 * ```
 *
 * `converted` are the op's arguments converted before this one: when this conversion
 * throws, those made from JS values are freed (no `bind` will free them).
 */
export function toTensor(value: TensorLike, op: string, argName: string, dtype?: DType, converted?: Converted): Tensor {
  if (converted === undefined) return convert(value, op, argName, dtype);
  try {
    return convert(value, op, argName, dtype);
  } catch (error) {
    freeConverted(converted);
    throw error;
  }
}

/** `toTensor` without the freeing of earlier conversions. */
function convert(value: TensorLike, op: string, argName: string, dtype: DType | undefined): Tensor {
  const tensor = asTensor(value);
  if (tensor !== undefined) return tensor;
  checkTensorLike(value, op, argName);
  const flat = flattenValues(value as NestedValues | DataArray, dtype, op);
  const created = getRuntime().trace.constant(flat.values, flat.shape, flat.dtype, `${op}/${argName}`);
  ephemeralTensors.add(created);
  return created;
}

/** Tensors an op has converted so far: one, or a list. */
export type Converted = Tensor | readonly Tensor[];

/**
 * Frees those of `tensors` that the op converted from JS arguments (other tensors are left
 * alone). `bind` frees them when the op runs; a wrapper calls this on the paths that never
 * reach `bind`: an argument it rejects, a result it computes without an op.
 *
 * ```ts
 * const t = toTensor(x, "rank", "x");
 * freeConverted(t); // only its shape was needed
 * ```
 */
export function freeConverted(tensors: Converted): void {
  if (tensors instanceof Tensor) {
    if (ephemeralTensors.has(tensors)) tensors.dispose();
    return;
  }
  for (const t of tensors) if (ephemeralTensors.has(t)) t.dispose();
}

/**
 * Runs `check`, the validation of JS arguments that needs the converted inputs (an axis
 * checked against the rank, a fill value against the dtype), and returns its result; when
 * it throws, first frees the inputs converted from JS values.
 *
 * ```ts
 * const t = toTensor(x, "argMax", "x");
 * return bind1(ArgMax, [t], { axis: checkConverted(t, () => checkSingleAxis(axis, t.shape, "argMax")) });
 * ```
 */
export function checkConverted<T>(inputs: Converted, check: () => T): T {
  try {
    return check();
  } catch (error) {
    freeConverted(inputs);
    throw error;
  }
}

/**
 * Converts the tensor-likes of a list argument (`tf.concat`'s tensors, a shape's entries)
 * with `each`; when one fails, frees the ones already converted.
 *
 * ```ts
 * const inputs = convertEach(values, (v, i) => toTensor(v, "concat", `tensors[${i}]`));
 * ```
 */
export function convertEach<V>(values: readonly V[], each: (value: V, index: number) => Tensor): Tensor[] {
  const out: Tensor[] = [];
  try {
    for (let i = 0; i < values.length; i++) out.push(each(values[i]!, i));
  } catch (error) {
    freeConverted(out);
    throw error;
  }
  return out;
}

/**
 * Converts the two operands of a binary op. A JS operand adopts the other operand's dtype
 * (so `x.add(1)` works for int32 and float32 `x`); two tensors must already agree. When
 * the second is rejected, the first, if converted, is freed.
 */
export function toTensorPair(a: TensorLike, b: TensorLike, op: string): [Tensor, Tensor] {
  const ta = asTensor(a);
  const tb = asTensor(b);
  const x = ta ?? toTensor(a, op, "x", tb?.dtype);
  const y = tb ?? toTensor(b, op, "y", x.dtype, x);
  if (x.dtype !== y.dtype) {
    freeConverted([x, y]);
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
