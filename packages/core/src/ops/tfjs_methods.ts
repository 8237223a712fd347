import type { DType } from "../base/dtype.js";
import { ShapeError, formatShape } from "../base/errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { cast } from "./selection.js";
import { reshape } from "./shape_ops.js";

/**
 * tfjs's shorthand tensor methods (`flatten`, `asScalar`, `as1D` ... `as5D`, `asType`,
 * `reshapeAs`, `toFloat`, `toInt`, `toBool`), written with core's `reshape` and `cast`, so
 * tfjs code that chains them ports unchanged. They add no ops: graphs show `Reshape` and `Cast`.
 */

declare module "../tensor/tensor.js" {
  interface Tensor {
    /** A rank-1 view of every element: `reshape([-1])`. */
    flatten(): Tensor;
    /** A one-element tensor as a scalar: `reshape([])`. */
    asScalar(): Tensor;
    as1D(): Tensor;
    as2D(rows: number, columns: number): Tensor;
    as3D(rows: number, columns: number, depth: number): Tensor;
    as4D(rows: number, columns: number, depth: number, depth2: number): Tensor;
    as5D(rows: number, columns: number, depth: number, depth2: number, depth3: number): Tensor;
    /** tfjs's name for `cast`. */
    asType(dtype: DType): Tensor;
    /** Reshaped to `other`'s shape. */
    reshapeAs(other: Tensor): Tensor;
    toFloat(): Tensor;
    toInt(): Tensor;
    toBool(): Tensor;
  }
}

/**
 * Chainable methods this file adds to Tensor.
 *
 * ```ts
 * tf.tensor2d([[1, 2], [3, 4]]).flatten(); // [1, 2, 3, 4]
 * tf.tensor1d([7]).asScalar();             // 7, shape []
 * ```
 */
export const tfjsMethods = {
  flatten(this: Tensor): Tensor {
    return reshape(this, [-1]);
  },
  asScalar(this: Tensor): Tensor {
    const size = this.size as number | null;
    if (size !== null && size !== 1) throw new ShapeError(`asScalar: the tensor must have exactly one element, received shape ${formatShape(this.shape)}`);
    return reshape(this, []);
  },
  as1D(this: Tensor): Tensor {
    return reshape(this, [-1]);
  },
  as2D(this: Tensor, rows: number, columns: number): Tensor {
    return reshape(this, [rows, columns]);
  },
  as3D(this: Tensor, rows: number, columns: number, depth: number): Tensor {
    return reshape(this, [rows, columns, depth]);
  },
  as4D(this: Tensor, rows: number, columns: number, depth: number, depth2: number): Tensor {
    return reshape(this, [rows, columns, depth, depth2]);
  },
  as5D(this: Tensor, rows: number, columns: number, depth: number, depth2: number, depth3: number): Tensor {
    return reshape(this, [rows, columns, depth, depth2, depth3]);
  },
  asType(this: Tensor, dtype: DType): Tensor {
    return cast(this, dtype);
  },
  reshapeAs(this: Tensor, other: Tensor): Tensor {
    return reshape(this, other.shape as number[]);
  },
  toFloat(this: Tensor): Tensor {
    return cast(this, "float32");
  },
  toInt(this: Tensor): Tensor {
    return cast(this, "int32");
  },
  toBool(this: Tensor): Tensor {
    return cast(this, "bool");
  },
};
