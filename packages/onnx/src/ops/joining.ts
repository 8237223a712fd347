/**
 * Joining and splitting: concat, stack, unstack and split. Split sizes with a `-1` along an
 * axis whose size is unknown are completed at run time from the input's shape.
 *
 * ```ts
 * // tf.stack([a, b], 1)  ->  Concat(Unsqueeze(a, [1]), Unsqueeze(b, [1]), axis=1)
 * ```
 */
import { normalize, squeeze, unsqueeze } from "./helpers.js";
import type { OpMapping } from "./mapping.js";

export const joiningMappings: readonly OpMapping[] = [
  {
    op: "ConcatV2",
    onnx: "Concat",
    convert: (n) => [n.b.node1("Concat", n.inputs, { axis: { int: normalize(n.attrs<{ axis: number }>().axis, n.output(0).shape.length) } })],
  },
  {
    op: "Pack",
    onnx: "Unsqueeze + Concat",
    convert: (n) => {
      const axis = normalize(n.attrs<{ axis: number }>().axis, n.output(0).shape.length);
      const parts = n.inputs.map((x) => unsqueeze(n.b, x, [axis]));
      return [parts.length === 1 ? n.b.node1("Identity", parts) : n.b.node1("Concat", parts, { axis: { int: axis } })];
    },
  },
  {
    op: "Unpack",
    onnx: "Split + Squeeze",
    convert: (n) => {
      const { num, axis } = n.attrs<{ num: number; axis: number }>();
      if (num === 0) return [];
      const a = normalize(axis, n.input(0).shape.length);
      const parts = num === 1 ? [n.inputs[0]!] : n.b.node("Split", [n.inputs[0]!], { axis: { int: a } }, num);
      return parts.map((p) => squeeze(n.b, p, [a]));
    },
  },
  {
    op: "SplitV",
    onnx: "Split",
    convert: (n) => {
      const { b } = n;
      const { sizeSplits, numSplit, axis } = n.attrs<{ sizeSplits: number[] | null; numSplit: number; axis: number }>();
      const a = normalize(axis, n.input(0).shape.length);
      const count = n.op.outputs.length;
      if (count === 1) return [b.node1("Identity", [n.inputs[0]!])];
      if (sizeSplits === null) return b.node("Split", [n.inputs[0]!], { axis: { int: a } }, numSplit);
      const sizes = n.op.outputs.map((o) => o.shape[a] ?? null);
      let split: string;
      if (sizes.every((s) => s !== null)) split = b.int64s(sizes as number[]);
      else {
        // One size is -1 on an axis of unknown size: it is what the others leave.
        const dim = b.node1("Gather", [b.node1("Shape", [n.inputs[0]!]), b.int64s([a])], { axis: { int: 0 } });
        const known = sizeSplits.filter((s) => s !== -1).reduce((x, y) => x + y, 0);
        const rest = b.node1("Sub", [dim, b.int64s([known])]);
        split = b.node1("Concat", sizeSplits.map((s) => (s === -1 ? rest : b.int64s([s]))), { axis: { int: 0 } });
      }
      return b.node("Split", [n.inputs[0]!, split], { axis: { int: a } }, count);
    },
  },
];
