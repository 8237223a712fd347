import { type DType, checkDType } from "../base/dtype.js";
import type { Shape } from "../base/shape.js";
import { formatTfShape } from "../tensor/format.js";

/**
 * Describes a tensor by shape and dtype; `null` marks a dimension of any size. Used in
 * `inputSignature` and in `getConcreteFunction`.
 *
 * ```ts
 * new tf.TensorSpec([null, 28, 28], "float32", "images");
 * ```
 */
export class TensorSpec {
  readonly shape: Shape;
  readonly dtype: DType;

  constructor(
    shape: Shape,
    dtype: DType = "float32",
    readonly name?: string,
  ) {
    if (!Array.isArray(shape) || !shape.every((d) => d === null || (Number.isInteger(d) && d >= 0))) {
      throw new TypeError(`TensorSpec: shape must be an array of non-negative integers or null, received ${JSON.stringify(shape)}`);
    }
    this.shape = Object.freeze([...shape]);
    this.dtype = checkDType(dtype, "TensorSpec");
  }

  /** True if a value of this shape and dtype fits the spec. */
  isCompatibleWith(value: { shape: Shape; dtype: DType }): boolean {
    return value.dtype === this.dtype && value.shape.length === this.shape.length && this.shape.every((d, i) => d === null || d === value.shape[i]);
  }

  /** `TensorSpec(shape=(None, 2), dtype=float32, name=None)`, like TF. */
  toString(): string {
    return `TensorSpec(shape=${formatTfShape(this.shape)}, dtype=${this.dtype}, name=${this.name === undefined ? "None" : `'${this.name}'`})`;
  }
}
