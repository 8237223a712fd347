/**
 * Ops that make tensors from attributes or shapes: fill, zerosLike/onesLike, range, linspace
 * and eye. Ranges and linspaces compute `start + i * step` in float64 and round once to the
 * output dtype, as Kiln's kernels do (ONNX's `Range` accumulates a running sum instead).
 *
 * ```ts
 * // tf.fill([2, 3], 7)   ->  ConstantOfShape([2, 3], value=7)
 * // tf.range(0, 1, 0.1)  ->  Cast(Add(Mul(Range(0, 10, 1) in float64, 0.1), 0), float32)
 * ```
 */
import type { DType } from "@kiln/core";
import type { GraphBuilder } from "../export/graph_builder.js";
import type { ElemType } from "../proto/dtype.js";
import { attrOrInput, cast, zeroTensor } from "./helpers.js";
import type { NodeContext, OpMapping } from "./mapping.js";

/** A tensor of `dtype` filled with `value`, of the int64 shape `shape`. */
export function filled(b: GraphBuilder, shape: string, dtype: ElemType, value: number): string {
  return b.node1("ConstantOfShape", [shape], { value: { tensor: zeroTensor(dtype, value) } });
}

/** `[0, 1, ..., count - 1]` in float64, for an int64 scalar `count`. */
function indices(b: GraphBuilder, count: string): string {
  return cast(b, b.node1("Range", [b.scalar("int64", 0), count, b.scalar("int64", 1)]), "int64", "float64");
}

/** A Range's bound as a float64 scalar: from the attr, or the input cast. */
function bound(n: NodeContext, name: "start" | "stop" | "step", input: number): string {
  const attrs = n.attrs<Record<string, number | null | undefined>>();
  if (n.op.inputs.length > input) return cast(n.b, n.inputs[input]!, n.input(input).dtype, "float64");
  return n.b.scalar("float64", attrs[name]!);
}

function range(n: NodeContext): string {
  const { b } = n;
  const [start, stop, step] = [bound(n, "start", 0), bound(n, "stop", 1), bound(n, "step", 2)];
  const known = n.output(0).shape[0];
  // The count is max(0, ceil((stop - start) / step)), as Kiln and ONNX define it.
  const count =
    typeof known === "number"
      ? b.scalar("int64", known)
      : cast(b, b.node1("Max", [b.node1("Ceil", [b.node1("Div", [b.node1("Sub", [stop, start]), step])]), b.scalar("float64", 0)]), "float64", "int64");
  const values = b.node1("Add", [b.node1("Mul", [indices(b, count), step]), start]);
  return cast(b, values, "float64", n.output(0).dtype);
}

function linspace(n: NodeContext): string {
  const { b } = n;
  const { start, stop, num } = n.attrs<{ start: number; stop: number; num: number }>();
  if (num === 1) return b.constant("float32", [1], Float32Array.of(start));
  const step = (stop - start) / (num - 1);
  const head = b.node1("Add", [b.node1("Mul", [indices(b, b.scalar("int64", num - 1)), b.scalar("float64", step)]), b.scalar("float64", start)]);
  // Like Kiln (and TF), the last value is exactly `stop`.
  return b.node1("Concat", [cast(b, head, "float64", "float32"), b.constant("float32", [1], Float32Array.of(stop))], { axis: { int: 0 } });
}

function eye(n: NodeContext): string {
  const { b } = n;
  const { numRows, numColumns, batchShape, dtype } = n.attrs<{ numRows: number; numColumns: number; batchShape: number[]; dtype: DType }>();
  const matrix = b.node1("EyeLike", [filled(b, b.int64s([numRows, numColumns]), dtype, 0)]);
  return batchShape.length === 0 ? matrix : b.node1("Expand", [matrix, b.int64s([...batchShape, numRows, numColumns])]);
}

export const creationMappings: readonly OpMapping[] = [
  {
    op: "Fill",
    onnx: "ConstantOfShape",
    convert: (n) => [filled(n.b, attrOrInput(n, "shape"), n.output(0).dtype, n.attrs<{ value: number }>().value)],
  },
  { op: "ZerosLike", onnx: "ConstantOfShape(Shape(x))", convert: (n) => [filled(n.b, n.b.node1("Shape", [n.inputs[0]!]), n.input(0).dtype, 0)] },
  { op: "OnesLike", onnx: "ConstantOfShape(Shape(x))", convert: (n) => [filled(n.b, n.b.node1("Shape", [n.inputs[0]!]), n.input(0).dtype, 1)] },
  { op: "Range", onnx: "Range over int64 indices, Mul + Add in float64, Cast", convert: (n) => [range(n)] },
  { op: "LinSpace", onnx: "Range + Mul + Add in float64, Cast, Concat(stop)", convert: (n) => [linspace(n)] },
  { op: "Eye", onnx: "EyeLike(ConstantOfShape), Expand for batch shapes", convert: (n) => [eye(n)] },
];
