/**
 * Ops that change shapes without computing values: reshape, transpose, expand and squeeze
 * dims, broadcast, tile, reverse, pad, and the shape and size of a tensor. Shapes given as
 * int32 tensors (`tf.reshape(x, tf.shape(y))`) are cast to ONNX's int64 shapes.
 *
 * ```ts
 * // tf.reverse(x, [1])  ->  Slice(x, starts=[-1], ends=[INT64_MIN], axes=[1], steps=[-1])
 * ```
 */
import { attrOrInput, cast, normalize, squeeze, unsqueeze } from "./helpers.js";
import type { OpMapping } from "./mapping.js";

const INT64_MIN = -(2n ** 63n);

export const shapeMappings: readonly OpMapping[] = [
  {
    op: "Reshape",
    onnx: "Reshape(allowzero=1)",
    convert: (n) => [n.b.node1("Reshape", [n.inputs[0]!, attrOrInput(n, "shape")], { allowzero: { int: 1 } })],
  },
  { op: "Transpose", onnx: "Transpose", convert: (n) => [n.b.node1("Transpose", [n.inputs[0]!], { perm: { ints: n.attrs<{ perm: number[] }>().perm } })] },
  {
    op: "ExpandDims",
    onnx: "Unsqueeze",
    convert: (n) => {
      const rank = n.input(0).shape.length;
      const axis = n.attrs<{ axis: number }>().axis;
      return [unsqueeze(n.b, n.inputs[0]!, [axis < 0 ? axis + rank + 1 : axis])];
    },
  },
  {
    op: "Squeeze",
    onnx: "Squeeze",
    convert: (n) => {
      const shape = n.input(0).shape;
      const listed = n.attrs<{ axis: number[] }>().axis;
      const axes = listed.length > 0 ? listed.map((a) => normalize(a, shape.length)) : shape.flatMap((d, i) => (d === 1 ? [i] : []));
      return [axes.length === 0 ? n.b.node1("Identity", [n.inputs[0]!]) : squeeze(n.b, n.inputs[0]!, [...new Set(axes)].sort((a, c) => a - c))];
    },
  },
  { op: "BroadcastTo", onnx: "Expand", convert: (n) => [n.b.node1("Expand", [n.inputs[0]!, attrOrInput(n, "shape")])] },
  { op: "Tile", onnx: "Tile", convert: (n) => [n.b.node1("Tile", [n.inputs[0]!, attrOrInput(n, "multiples")])] },
  {
    op: "ReverseV2",
    onnx: "Slice with step -1",
    convert: (n) => {
      const { b } = n;
      const rank = n.input(0).shape.length;
      const axes = [...new Set(n.attrs<{ axis: number[] }>().axis.map((a) => normalize(a, rank)))];
      if (axes.length === 0) return [b.node1("Identity", [n.inputs[0]!])];
      const starts = b.int64s(axes.map(() => -1));
      const ends = b.int64s(axes.map(() => INT64_MIN));
      return [b.node1("Slice", [n.inputs[0]!, starts, ends, b.int64s(axes), b.int64s(axes.map(() => -1))])];
    },
  },
  {
    op: "PadV2",
    onnx: "Pad(mode=constant)",
    convert: (n) => {
      const { paddings, constantValue } = n.attrs<{ paddings: [number, number][]; constantValue: number }>();
      // onnxruntime's Pad rejects scalars; padding nothing is a copy.
      if (paddings.every((p) => p[0] === 0 && p[1] === 0)) return [n.b.node1("Identity", [n.inputs[0]!])];
      const pads = n.b.int64s([...paddings.map((p) => p[0]), ...paddings.map((p) => p[1])]);
      return [n.b.node1("Pad", [n.inputs[0]!, pads, n.b.scalar(n.input(0).dtype, constantValue)], { mode: { string: "constant" } })];
    },
  },
  { op: "Shape", onnx: "Shape + Cast", convert: (n) => [cast(n.b, n.b.node1("Shape", [n.inputs[0]!]), "int64", "int32")] },
  { op: "Size", onnx: "Size + Cast", convert: (n) => [cast(n.b, n.b.node1("Size", [n.inputs[0]!]), "int64", "int32")] },
];
