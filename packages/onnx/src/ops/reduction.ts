/**
 * Reductions, arg-reductions and cumulative sums. Kiln's attrs always list the axes (`null`
 * was resolved to every axis when the op was made); an empty list reduces nothing, which ONNX
 * would read as "every axis", so it becomes an Identity (or a Cast). bool inputs, which
 * opset 17's reductions do not take, are reduced as int32.
 *
 * ```ts
 * // tf.sum(x, 1, true)  ->  ReduceSum(x, axes=[1], keepdims=1)
 * // tf.all(b)           ->  Cast(ReduceMin(Cast(b, int32)), bool)
 * ```
 */
import type { DType } from "@kiln/core";
import { cast, normalize } from "./helpers.js";
import type { NodeContext, OpMapping } from "./mapping.js";

type ReductionAttrs = { axis: readonly number[]; keepDims: boolean };

/**
 * A reduction: the input cast to `work` (from its dtype), reduced with `onnx`, and the result
 * cast to the Kiln output dtype. `axesAsInput` is true for ReduceSum (opset 13 takes the axes
 * as an input; the others take an attribute until opset 18).
 */
function reduction(op: string, onnx: string, work: (dtype: DType) => DType, notes?: string): OpMapping {
  return {
    op,
    onnx: op === "All" || op === "Any" ? `Cast + ${onnx} + Cast` : onnx,
    ...(notes === undefined ? {} : { notes }),
    convert: (n: NodeContext) => {
      const { b } = n;
      const { axis, keepDims } = n.attrs<ReductionAttrs>();
      const from = n.input(0).dtype;
      const to = n.output(0).dtype;
      const x = cast(b, n.inputs[0]!, from, work(from));
      if (axis.length === 0) return [to === work(from) ? b.node1("Identity", [x]) : cast(b, x, work(from), to)];
      const axes = axis.map((a) => normalize(a, n.input(0).shape.length));
      const keepdims = { int: keepDims ? 1 : 0 };
      const reduced =
        onnx === "ReduceSum" ? b.node1(onnx, [x, b.int64s(axes)], { keepdims }) : b.node1(onnx, [x], { axes: { ints: axes }, keepdims });
      return [cast(b, reduced, work(from), to)];
    },
  };
}

const boolAsInt = (d: DType): DType => (d === "bool" ? "int32" : d);
const toFloat = (): DType => "float32";

/** argMax/argMin: ONNX's int64 indices cast to int32 (bool inputs compared as int32). */
function argReduction(op: string, onnx: string): OpMapping {
  return {
    op,
    onnx: `${onnx} + Cast`,
    notes: "ties pick the first index, as in Kiln; NaN handling is the runtime's",
    convert: (n) => {
      const { b } = n;
      const from = n.input(0).dtype;
      const x = cast(b, n.inputs[0]!, from, boolAsInt(from));
      const axis = normalize(n.attrs<{ axis: number }>().axis, n.input(0).shape.length);
      const index = b.node1(onnx, [x], { axis: { int: axis }, keepdims: { int: 0 }, select_last_index: { int: 0 } });
      return [cast(b, index, "int64", "int32")];
    },
  };
}

export const reductionMappings: readonly OpMapping[] = [
  reduction("Sum", "ReduceSum", boolAsInt),
  reduction("Mean", "ReduceMean", toFloat, "int32 and bool inputs are averaged in float32"),
  reduction("Max", "ReduceMax", boolAsInt, "NaN handling is the runtime's"),
  reduction("Min", "ReduceMin", boolAsInt, "NaN handling is the runtime's"),
  reduction("Prod", "ReduceProd", boolAsInt),
  reduction("All", "ReduceMin", () => "int32"),
  reduction("Any", "ReduceMax", () => "int32"),
  argReduction("ArgMax", "ArgMax"),
  argReduction("ArgMin", "ArgMin"),
  {
    op: "Cumsum",
    onnx: "CumSum",
    convert: (n) => {
      const { b } = n;
      const { axis, exclusive, reverse } = n.attrs<{ axis: number; exclusive: boolean; reverse: boolean }>();
      const from = n.input(0).dtype;
      const x = cast(b, n.inputs[0]!, from, boolAsInt(from));
      const a = b.scalar("int64", normalize(axis, n.input(0).shape.length));
      return [b.node1("CumSum", [x, a], { exclusive: { int: exclusive ? 1 : 0 }, reverse: { int: reverse ? 1 : 0 } })];
    },
  },
];
