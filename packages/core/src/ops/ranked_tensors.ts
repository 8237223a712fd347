import { checkDType, type DataArray, type DType } from "../base/dtype.js";
import { ArgumentError, ShapeError, formatShape } from "../base/errors.js";
import { type NestedValues, checkTensorLike, inferShape, isTensorConvertible } from "../tensor/convert.js";
import { Tensor } from "../tensor/tensor.js";
import { tensor } from "./creation.js";

/**
 * tfjs's rank-checked constructors (`tensor1d` ... `tensor6d`): `tf.tensor` that insists on
 * the rank, so a flat list meant as a matrix without its shape fails here rather than later.
 * Values are nested arrays of that depth, or flat values with a `shape` of that rank.
 */
function rankedTensor(api: string, rank: number, values: NestedValues | DataArray, shape: readonly number[] | undefined, dtype: DType | undefined): Tensor {
  checkTensorLike(values, api, "values");
  if (values instanceof Tensor || isTensorConvertible(values)) {
    throw new ArgumentError(`${api}: values must be numbers, booleans, nested arrays or a typed array, received a tensor; use tf.reshape(x, shape) to change its shape`);
  }
  if (dtype !== undefined) checkDType(dtype, api);
  if (shape !== undefined) {
    if (!Array.isArray(shape) || shape.length !== rank) {
      throw new ShapeError(`${api}: shape must have ${rank} dimensions, received ${Array.isArray(shape) ? formatShape(shape) : JSON.stringify(shape)}`);
    }
    return tensor(values, shape, dtype);
  }
  const inferred = inferShape(values, api);
  if (inferred.length !== rank) {
    throw new ShapeError(
      `${api}: values must be nested ${rank} deep (rank ${rank}), received rank ${inferred.length} (shape ${formatShape(inferred)}); ` +
        `give flat values a shape, e.g. ${api}(values, [${Array.from({ length: rank }, (_, i) => (i === 0 ? "rows" : i === 1 ? "cols" : `d${i}`)).join(", ")}])`,
    );
  }
  return tensor(values, undefined, dtype);
}

/**
 * A rank-1 tensor (tfjs's `tf.tensor1d`).
 *
 * ```ts
 * tf.tensor1d([1, 2, 3]);
 * tf.tensor1d([1, 2, 3], "int32");
 * ```
 */
export function tensor1d(values: NestedValues | DataArray, dtype?: DType): Tensor {
  return rankedTensor("tensor1d", 1, values, undefined, dtype);
}

/**
 * A rank-2 tensor from nested arrays, or from flat values and a shape (tfjs's `tf.tensor2d`).
 *
 * ```ts
 * tf.tensor2d([[1, 2], [3, 4]]);
 * tf.tensor2d([1, 2, 3, 4], [2, 2]);
 * ```
 */
export function tensor2d(values: NestedValues | DataArray, shape?: readonly [number, number], dtype?: DType): Tensor {
  return rankedTensor("tensor2d", 2, values, shape, dtype);
}

/**
 * A rank-3 tensor (tfjs's `tf.tensor3d`).
 *
 * ```ts
 * tf.tensor3d([1, 2, 3, 4], [2, 2, 1]);
 * ```
 */
export function tensor3d(values: NestedValues | DataArray, shape?: readonly [number, number, number], dtype?: DType): Tensor {
  return rankedTensor("tensor3d", 3, values, shape, dtype);
}

/**
 * A rank-4 tensor, e.g. a batch of images `[batch, height, width, channels]` (tfjs's `tf.tensor4d`).
 *
 * ```ts
 * tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
 * ```
 */
export function tensor4d(values: NestedValues | DataArray, shape?: readonly [number, number, number, number], dtype?: DType): Tensor {
  return rankedTensor("tensor4d", 4, values, shape, dtype);
}

/**
 * A rank-5 tensor (tfjs's `tf.tensor5d`).
 *
 * ```ts
 * tf.tensor5d([1, 2, 3, 4], [1, 1, 2, 2, 1]);
 * ```
 */
export function tensor5d(values: NestedValues | DataArray, shape?: readonly [number, number, number, number, number], dtype?: DType): Tensor {
  return rankedTensor("tensor5d", 5, values, shape, dtype);
}

/**
 * A rank-6 tensor (tfjs's `tf.tensor6d`).
 *
 * ```ts
 * tf.tensor6d([1, 2, 3, 4], [1, 1, 1, 2, 2, 1]);
 * ```
 */
export function tensor6d(values: NestedValues | DataArray, shape?: readonly [number, number, number, number, number, number], dtype?: DType): Tensor {
  return rankedTensor("tensor6d", 6, values, shape, dtype);
}
