import { DTypeError, ShapeError, formatShape } from "../base/errors.js";
import { defineOp } from "../ir/op.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { toTensor } from "./convert.js";
import { checkIndicesDType, mergeDim } from "./movement_args.js";
import { setRowGrad } from "./set_row_grad.js";

/**
 * `SetRow`: `x` with row `index` (along axis 0) replaced by `value` (TF's
 * `TensorListSetItem` on a dense list, XLA's `DynamicUpdateSlice` of one row). The output
 * may take over `x`'s buffer (`inPlace`): when nothing reads `x` afterwards, as for a list
 * carried through a `While`, a plan writes the row in place instead of copying the list.
 * The index is data: kernels range-check it (an ArgumentError where the backend can read it).
 */
export const SetRow = defineOp<{}>({
  name: "SetRow",
  api: "setRow",
  family: "movement",
  inputs: ["x", "index", "value"],
  inPlace: 0,
  infer: ([x, index, value]) => {
    if (x!.shape.length === 0) throw new ShapeError(`setRow: 'x' must have rank >= 1 (a list of rows), received a scalar`);
    checkIndicesDType("setRow", "index", index!);
    if (index!.shape.length !== 0) throw new ShapeError(`setRow: 'index' must be a scalar, received shape ${formatShape(index!.shape)}`);
    if (value!.dtype !== x!.dtype) throw new DTypeError(`setRow: 'value' has dtype ${value!.dtype}, but the rows of 'x' are ${x!.dtype}`);
    const row = x!.shape.slice(1);
    const mismatch = () => `'value' has shape ${formatShape(value!.shape)}, but a row of 'x' (shape ${formatShape(x!.shape)}) has shape ${formatShape(row)}`;
    if (value!.shape.length !== row.length) throw new ShapeError(`setRow: ${mismatch()}`);
    const merged = row.map((d, i) => mergeDim(d, value!.shape[i]!, "setRow", mismatch));
    return [{ shape: [x!.shape[0]!, ...merged], dtype: x!.dtype }];
  },
  grad: (args) => setRowGrad(args),
});

/**
 * `x` with row `index` replaced by `value` (shaped like one row of `x`): a list written one
 * element at a time, as `tf.TensorArray.write` does. Inside a `tf.function` a list that is
 * not read after the write (a loop variable of a `While`) is updated in place, so filling
 * `T` rows costs `T` row copies, not `T` list copies. An index outside `[0, rows)` is an
 * ArgumentError.
 *
 * ```ts
 * tf.setRow(tf.zeros([3, 2]), 1, tf.tensor([7, 8])); // [[0, 0], [7, 8], [0, 0]]
 * ```
 */
export function setRow(x: TensorLike, index: TensorLike, value: TensorLike): Tensor {
  const t = toTensor(x, "setRow", "x");
  const inputs = [t, toTensor(index, "setRow", "index", "int32", t)];
  inputs.push(toTensor(value, "setRow", "value", t.dtype, inputs));
  return bind1(SetRow, inputs, {});
}
