import { ArgumentError, formatShape } from "../base/errors.js";
import { defineOp } from "../ir/op.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { checkConverted, toTensor } from "./convert.js";
import { type IndexSpec, indexToStridedSlice } from "./index_spec.js";
import { checkIntArray, show } from "./movement_args.js";
import * as g from "./slicing_grads.js";
import { type StridedSliceAttrs, stridedSliceSpec } from "./strided_slice_spec.js";

export type { IndexPart, IndexSpec, SliceRange } from "./index_spec.js";
export { type StridedSliceAttrs, type StridedSliceSpec, stridedSliceSpec } from "./strided_slice_spec.js";

/**
 * Slicing: `slice` takes a box (begin + size), `stridedSlice` TensorFlow's full
 * begin/end/strides/masks form, and `index` the readable NumPy-style spec that lowers to
 * the same StridedSlice op.
 */

/** `size` entries of -1 mean "to the end of the dimension". */
export type SliceAttrs = { readonly begin: readonly number[]; readonly size: readonly number[] };

/** `Slice`: a contiguous box of the input. */
export const Slice = defineOp<SliceAttrs>({
  name: "Slice",
  api: "slice",
  family: "movement",
  inputs: ["x"],
  infer: ([x], attrs) => {
    const shape = x!.shape;
    const begin = checkIntArray(attrs.begin, "slice", "begin");
    const size = checkIntArray(attrs.size, "slice", "size", -1, "integers >= -1");
    if (begin.length !== shape.length || size.length !== shape.length) {
      throw new ArgumentError(
        `slice: begin ${show(begin)} and size ${show(size)} must each have one entry per dimension of the input, which has shape ${formatShape(shape)}`,
      );
    }
    const out = shape.map((dim, i) => {
      const b = begin[i]!;
      const s = size[i]!;
      if (b < 0)
        throw new ArgumentError(
          `slice: begin[${i}] is ${b}; slice needs non-negative begins (use tf.stridedSlice or tf.index for negative indices)`,
        );
      if (dim === null) return s === -1 ? null : s;
      if (b > dim)
        throw new ArgumentError(`slice: begin[${i}] = ${b} is past the end of dimension ${i} with size ${dim}; valid begins are 0..${dim}`);
      if (s === -1) return dim - b;
      if (b + s > dim) throw new ArgumentError(`slice: begin[${i}] + size[${i}] = ${b} + ${s} exceeds dimension ${i} with size ${dim}`);
      return s;
    });
    return [{ shape: out, dtype: x!.dtype }];
  },
  grad: (args) => g.sliceGrad(args),
});

/**
 * Extracts the box that starts at `begin` and spans `size` (a size of `-1` runs to the end
 * of that dimension). Like tfjs, a number or a shorter list is padded: begins with 0, sizes
 * with -1.
 *
 * ```ts
 * tf.slice(tf.tensor([[1, 2, 3], [4, 5, 6]]), [0, 1], [2, 2]); // [[2, 3], [5, 6]]
 * ```
 */
export function slice(x: TensorLike, begin: number | readonly number[], size?: number | readonly number[]): Tensor {
  const t = toTensor(x, "slice", "x");
  const pad = (value: number | readonly number[] | undefined, fill: number): readonly number[] => {
    const list = value === undefined ? [] : typeof value === "number" ? [value] : value;
    return Array.isArray(list) && list.length < t.rank ? [...list, ...new Array<number>(t.rank - list.length).fill(fill)] : list;
  };
  return bind1(Slice, [t], { begin: pad(begin, 0), size: pad(size, -1) });
}

/** `StridedSlice`: TensorFlow's general slicing op (see `stridedSliceSpec` for the rules). */
export const StridedSlice = defineOp<StridedSliceAttrs>({
  name: "StridedSlice",
  api: "stridedSlice",
  family: "movement",
  inputs: ["x"],
  infer: ([x], attrs) => [{ shape: [...stridedSliceSpec(x!.shape, attrs).shape], dtype: x!.dtype }],
  grad: (args) => g.stridedSliceGrad(args),
});

/**
 * TensorFlow's strided slice: for each entry `i`, elements `begin[i]`, `begin[i] +
 * strides[i]`, ... before `end[i]` (negative indices count from the end, out-of-range ones
 * are clamped, negative strides walk backwards). Bit `i` of `beginMask`/`endMask` ignores
 * `begin[i]`/`end[i]`; of `ellipsisMask` makes entry `i` a `...`; of `newAxisMask` inserts a
 * size-1 axis; of `shrinkAxisMask` takes the single index `begin[i]` and drops the axis.
 * `tf.index` writes the same thing readably.
 *
 * ```ts
 * const x = tf.tensor([[1, 2, 3], [4, 5, 6]]);
 * tf.stridedSlice(x, [0, 0], [0, 0], [1, -1], 3, 3); // x[:, ::-1] = [[3, 2, 1], [6, 5, 4]]
 * ```
 */
export function stridedSlice(
  x: TensorLike,
  begin: readonly number[],
  end: readonly number[],
  strides?: readonly number[],
  beginMask = 0,
  endMask = 0,
  ellipsisMask = 0,
  newAxisMask = 0,
  shrinkAxisMask = 0,
): Tensor {
  const t = toTensor(x, "stridedSlice", "x");
  const ones = Array.isArray(begin) ? new Array<number>(begin.length).fill(1) : [];
  return bind1(StridedSlice, [t], { begin, end, strides: strides ?? ones, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask });
}

/**
 * NumPy-style indexing, the TypeScript spelling of Python's `x[...]`. `spec` is a string
 * with the Python index between the brackets, or an array of parts:
 *
 * | Python            | string spec          | array spec                                  |
 * | ----------------- | -------------------- | ------------------------------------------- |
 * | `x[1]`            | `"1"` (or the number `1`) | `[1]`                                  |
 * | `x[-1]`           | `"-1"`               | `[-1]`                                      |
 * | `x[1:3]`          | `"1:3"`              | `[{ start: 1, stop: 3 }]`                   |
 * | `x[:, ::2, ::2]`  | `":, ::2, ::2"`      | `[{}, { step: 2 }, { step: 2 }]`            |
 * | `x[::-1]`         | `"::-1"`             | `[{ step: -1 }]`                            |
 * | `x[..., 0]`       | `"..., 0"`           | `["...", 0]`                                |
 * | `x[:, np.newaxis]`| `":, newaxis"` (or `None`) | `[{}, null]`                          |
 *
 * An integer picks one element and drops that axis; `start:stop:step` keeps the axis, with
 * NumPy's defaults for omitted parts, negative indices counting from the end, and bounds
 * clamped (so `"0:100"` is fine); `...` stands for all axes not otherwise indexed; `newaxis`
 * inserts an axis of size 1. Trailing axes not mentioned are taken whole. The result is one
 * `StridedSlice` op, in graphs too.
 *
 * Errors (ArgumentError, quoting the spec): a malformed spec, a zero step, more than one
 * `...`, more indices than dimensions, or an integer index out of range (NumPy's
 * IndexError). Tensor-valued indices are not slices: use `tf.gather` / `tf.gatherNd`.
 *
 * ```ts
 * const images = tf.zeros([8, 28, 28]);
 * tf.index(images, ":, ::2, ::2").shape; // [8, 14, 14]
 * images.index("-1").shape;              // [28, 28]  (the last image)
 * images.index([0, { start: 2, stop: 5 }, "..."]).shape; // [3, 28]
 * ```
 */
export function index(x: TensorLike, spec: IndexSpec): Tensor {
  const t = toTensor(x, "index", "x");
  return bind1(StridedSlice, [t], checkConverted(t, () => indexToStridedSlice(spec, t.shape, "index")));
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    slice(begin: number | readonly number[], size?: number | readonly number[]): Tensor;
    stridedSlice(
      begin: readonly number[],
      end: readonly number[],
      strides?: readonly number[],
      beginMask?: number,
      endMask?: number,
      ellipsisMask?: number,
      newAxisMask?: number,
      shrinkAxisMask?: number,
    ): Tensor;
    /** NumPy-style indexing: `x.index(":, ::2, -1")` is Python's `x[:, ::2, -1]`. See `tf.index`. */
    index(spec: IndexSpec): Tensor;
  }
}

/** Chainable methods this file adds to Tensor. */
export const slicingMethods = {
  slice(this: Tensor, begin: number | readonly number[], size?: number | readonly number[]): Tensor {
    return slice(this, begin, size);
  },
  stridedSlice(
    this: Tensor,
    begin: readonly number[],
    end: readonly number[],
    strides?: readonly number[],
    beginMask?: number,
    endMask?: number,
    ellipsisMask?: number,
    newAxisMask?: number,
    shrinkAxisMask?: number,
  ): Tensor {
    return stridedSlice(this, begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask);
  },
  index(this: Tensor, spec: IndexSpec): Tensor {
    return index(this, spec);
  },
};
