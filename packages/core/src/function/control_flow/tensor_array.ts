import { type DType, checkDType } from "../../base/dtype.js";
import { ArgumentError, ShapeError, formatShape } from "../../base/errors.js";
import type { Shape } from "../../base/shape.js";
import { equal } from "../../ops/binary.js";
import { toOwnedTensor, toTensor } from "../../ops/convert.js";
import { tidy } from "../../trace/scope.js";
import { zeros, range } from "../../ops/creation.js";
import { gather } from "../../ops/gather.js";
import { where } from "../../ops/selection.js";
import { expandDims, reshape } from "../../ops/shape_ops.js";
import { type TensorLike, asTensor } from "../../tensor/convert.js";
import type { Tensor } from "../../tensor/tensor.js";

/** Options of `new tf.TensorArray(...)`. */
export interface TensorArrayOptions {
  readonly dtype?: DType;
  /** Number of elements (fixed). */
  readonly size: number;
  /** Shape of every element; needed before the first write when the array is a loop variable. */
  readonly elementShape?: readonly number[];
}

/**
 * A fixed-size list of same-shaped tensors that can be written inside loops, like TF's
 * TensorArray: `write` returns a new array (pass it on as a loop variable), `stack`
 * returns all elements as one tensor. Backed by one `[size, ...elementShape]` tensor, so
 * it works eagerly and as a `tf.whileLoop` variable (with tensor indices).
 *
 * ```ts
 * let ta = new tf.TensorArray({ size: 3, elementShape: [2] });
 * ta = ta.write(0, tf.ones([2]));
 * ta.stack(); // [3, 2]
 * ```
 */
export class TensorArray {
  readonly dtype: DType;
  readonly size: number;
  readonly elementShape: Shape | undefined;
  /** All elements as one tensor, or undefined before the first write when the element shape is unknown. */
  readonly buffer: Tensor | undefined;

  constructor(options: TensorArrayOptions, buffer?: Tensor) {
    if (!Number.isInteger(options.size) || options.size < 0) throw new ArgumentError(`TensorArray: size must be a non-negative integer, received ${options.size}`);
    this.dtype = options.dtype === undefined ? "float32" : checkDType(options.dtype, "TensorArray");
    this.size = options.size;
    this.elementShape = buffer?.shape.slice(1) ?? options.elementShape;
    this.buffer = buffer ?? (options.elementShape === undefined ? undefined : zeros([options.size, ...options.elementShape], this.dtype));
  }

  /**
   * A new array with element `index` replaced by `value` (index may be a tensor). Eagerly,
   * only the new buffer survives (the mask and the value's new axis are freed).
   */
  write(index: TensorLike, value: TensorLike): TensorArray {
    const buffer = tidy(() => {
      const v = asTensor(value) ?? toTensor(value, "TensorArray.write", "value", this.dtype);
      if (v.dtype !== this.dtype) throw new ArgumentError(`TensorArray.write: the array holds ${this.dtype} but the value is ${v.dtype}`);
      if (this.elementShape !== undefined && (v.shape.length !== this.elementShape.length || v.shape.some((d, i) => d !== null && this.elementShape![i] !== null && d !== this.elementShape![i]))) {
        throw new ShapeError(`TensorArray.write: elements have shape ${formatShape(this.elementShape)}, but the value has shape ${formatShape(v.shape)}`);
      }
      const i = typeof index === "number" ? this.#checkIndex(index, "write") : index;
      const current = this.buffer ?? zeros([this.size, ...(v.shape as number[])], this.dtype);
      // Rows equal to `index` take the value; others keep the buffer.
      const mask = reshape(equal(range(0, this.size, 1, "int32"), toTensor(i, "TensorArray.write", "index", "int32")), [this.size, ...v.shape.map(() => 1)]);
      return where(mask, expandDims(v, 0), current);
    });
    return new TensorArray({ dtype: this.dtype, size: this.size }, buffer);
  }

  /** Element `index`. */
  read(index: TensorLike): Tensor {
    if (typeof index === "number") this.#checkIndex(index, "read");
    return gather(this.#filled("read"), index);
  }

  /** Elements at `indices`, stacked. */
  gather(indices: TensorLike): Tensor {
    return gather(this.#filled("gather"), indices);
  }

  /** All elements stacked along a new first axis. */
  stack(): Tensor {
    return this.#filled("stack");
  }

  /** An array holding the rows of `value` (its first dim must be the size). */
  unstack(value: TensorLike): TensorArray {
    const given = asTensor(value);
    // Owned: the array keeps it as its buffer (a single-use conversion would be freed by the first read).
    const v = given ?? toOwnedTensor(value, "TensorArray.unstack", "value", this.dtype);
    if (v.shape[0] !== this.size && v.shape[0] !== null) {
      if (given === undefined) v.dispose();
      throw new ShapeError(`TensorArray.unstack: expected ${this.size} rows, received shape ${formatShape(v.shape)}`);
    }
    return new TensorArray({ dtype: this.dtype, size: this.size }, v);
  }

  #filled(method: string): Tensor {
    if (this.buffer !== undefined) return this.buffer;
    if (this.size === 0) return zeros([0], this.dtype);
    throw new ArgumentError(`TensorArray.${method}: nothing was written yet and no elementShape was given`);
  }

  #checkIndex(index: number, method: string): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new ArgumentError(`TensorArray.${method}: index ${index} is out of range for a TensorArray of size ${this.size}`);
    }
    return index;
  }
}
