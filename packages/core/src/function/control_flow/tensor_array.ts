import { type DType, checkDType } from "../../base/dtype.js";
import { ArgumentError, ShapeError, formatShape } from "../../base/errors.js";
import type { Shape } from "../../base/shape.js";
import { add, maximum, sub } from "../../ops/binary.js";
import { toOwnedTensor, toTensor } from "../../ops/convert.js";
import { zeros } from "../../ops/creation.js";
import { gather } from "../../ops/gather.js";
import { concat } from "../../ops/joining.js";
import { shape } from "../../ops/shape_of.js";
import { setRow } from "../../ops/set_row.js";
import { type TensorLike, asTensor } from "../../tensor/convert.js";
import type { Tensor } from "../../tensor/tensor.js";
import { tidy } from "../../trace/scope.js";

/** Options of `new tf.TensorArray(...)`. */
export interface TensorArrayOptions {
  readonly dtype?: DType;
  /** Number of elements: a number, or an int32 scalar tensor (known when the graph runs). */
  readonly size: number | Tensor;
  /** Writes past the end grow the array (TF's `dynamic_size`); its size may then change in a loop. */
  readonly dynamicSize?: boolean;
  /** Shape of every element; needed before the first write when the array is a loop variable. */
  readonly elementShape?: readonly number[];
}

/**
 * A list of same-shaped tensors that can be written inside loops, like TF's TensorArray:
 * `write` returns a new array (pass it on as a loop variable), `stack` returns all
 * elements as one tensor. Backed by one `[size, ...elementShape]` tensor, so it works
 * eagerly and as a `tf.whileLoop` variable (with tensor indices). The size may be a tensor,
 * and with `dynamicSize` a write past the end grows the array.
 *
 * ```ts
 * let ta = new tf.TensorArray({ size: 0, dynamicSize: true, elementShape: [2] });
 * ta = ta.write(0, tf.ones([2])).write(1, tf.zeros([2]));
 * ta.stack(); // [2, 2]
 * ```
 */
export class TensorArray {
  readonly dtype: DType;
  /** The number of elements when known statically; `null` when only the run knows it. */
  readonly size: number | null;
  readonly dynamicSize: boolean;
  readonly elementShape: Shape | undefined;
  /** All elements as one tensor, or undefined before the first write when the element shape is unknown. */
  readonly buffer: Tensor | undefined;
  /** The size as given, when it is a tensor (kept until a buffer holds it). */
  readonly #sizeTensor: Tensor | undefined;

  constructor(options: TensorArrayOptions, buffer?: Tensor) {
    const sizeTensor = asTensor(options.size);
    if (sizeTensor !== undefined) {
      if (sizeTensor.rank !== 0 || sizeTensor.dtype !== "int32") {
        throw new ArgumentError(
          `TensorArray: size must be a non-negative integer or an int32 scalar tensor, received dtype ${sizeTensor.dtype} and rank ${sizeTensor.rank}`,
        );
      }
    } else if (!Number.isInteger(options.size) || (options.size as number) < 0) {
      throw new ArgumentError(`TensorArray: size must be a non-negative integer, received ${String(options.size)}`);
    }
    this.dtype = options.dtype === undefined ? "float32" : checkDType(options.dtype, "TensorArray");
    this.dynamicSize = options.dynamicSize === true;
    this.#sizeTensor = buffer === undefined ? sizeTensor : undefined;
    this.size = buffer !== undefined ? (buffer.shape[0] ?? null) : sizeTensor === undefined ? (options.size as number) : null;
    this.elementShape = buffer?.shape.slice(1) ?? options.elementShape;
    const rows: number | Tensor = sizeTensor ?? (options.size as number);
    this.buffer = buffer ?? (options.elementShape === undefined ? undefined : zeros([rows, ...options.elementShape], this.dtype));
  }

  /** The number of elements as an int32 scalar tensor (TF's `ta.size()`), known statically or read at run time. */
  rows(): Tensor {
    if (this.size !== null) return toTensor(this.size, "TensorArray.rows", "size", "int32");
    if (this.buffer !== undefined) return gather(shape(this.buffer), 0);
    return this.#sizeTensor!;
  }

  /**
   * A new array with element `index` replaced by `value` (index may be a tensor); with
   * `dynamicSize`, growing the array first when `index` is past its end. It is one `SetRow`:
   * inside a `tf.function`, an array that is a `tf.whileLoop` variable is written in place
   * (one row copied per write, not the whole buffer). An index outside the array is an
   * ArgumentError when the write runs.
   */
  write(index: TensorLike, value: TensorLike): TensorArray {
    const buffer = tidy(() => {
      const v = asTensor(value) ?? toTensor(value, "TensorArray.write", "value", this.dtype);
      if (v.dtype !== this.dtype) throw new ArgumentError(`TensorArray.write: the array holds ${this.dtype} but the value is ${v.dtype}`);
      if (
        this.elementShape !== undefined &&
        (v.shape.length !== this.elementShape.length ||
          v.shape.some((d, i) => d !== null && this.elementShape![i] !== null && d !== this.elementShape![i]))
      ) {
        throw new ShapeError(
          `TensorArray.write: elements have shape ${formatShape(this.elementShape)}, but the value has shape ${formatShape(v.shape)}`,
        );
      }
      const i = typeof index === "number" ? this.#checkIndex(index, "write") : toTensor(index, "TensorArray.write", "index", "int32");
      const element = v.shape as number[];
      let current = this.buffer ?? zeros([this.#sizeTensor ?? (this.size as number), ...element], this.dtype);
      if (this.dynamicSize) current = this.#grown(current, i, element);
      // One row replaced: in place when nothing reads the old buffer afterwards (a loop variable).
      return setRow(current, i, v);
    });
    return new TensorArray({ dtype: this.dtype, size: 0, dynamicSize: this.dynamicSize }, buffer);
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

  /** An array holding the rows of `value` (its first dim must be the size, unless the size is dynamic). */
  unstack(value: TensorLike): TensorArray {
    const given = asTensor(value);
    // Owned: the array keeps it as its buffer (a single-use conversion would be freed by the first read).
    const v = given ?? toOwnedTensor(value, "TensorArray.unstack", "value", this.dtype);
    if (!this.dynamicSize && this.size !== null && v.shape[0] !== this.size && v.shape[0] !== null) {
      if (given === undefined) v.dispose();
      throw new ShapeError(`TensorArray.unstack: expected ${this.size} rows, received shape ${formatShape(v.shape)}`);
    }
    return new TensorArray({ dtype: this.dtype, size: 0, dynamicSize: this.dynamicSize }, v);
  }

  /** `buffer` with zero rows appended so that row `index` exists. */
  #grown(buffer: Tensor, index: number | Tensor, element: readonly number[]): Tensor {
    const rows = buffer.shape[0];
    if (typeof index === "number" && rows !== null && rows !== undefined) {
      return index < rows ? buffer : concat([buffer, zeros([index + 1 - rows, ...element], this.dtype)], 0);
    }
    const have = rows ?? gather(shape(buffer), 0);
    const at = typeof index === "number" ? toTensor(index, "TensorArray.write", "index", "int32") : index;
    const extra = maximum(sub(add(at, 1), have), 0);
    return concat([buffer, zeros([extra, ...element], this.dtype)], 0);
  }

  #filled(method: string): Tensor {
    if (this.buffer !== undefined) return this.buffer;
    if (this.size === 0) return zeros([0], this.dtype);
    throw new ArgumentError(`TensorArray.${method}: nothing was written yet and no elementShape was given`);
  }

  #checkIndex(index: number, method: string): number {
    const outside = index >= (this.size ?? Number.POSITIVE_INFINITY) && !(this.dynamicSize && method === "write");
    if (!Number.isInteger(index) || index < 0 || outside) {
      throw new ArgumentError(`TensorArray.${method}: index ${index} is out of range for a TensorArray of size ${this.size}`);
    }
    return index;
  }
}
