/**
 * `slice` and `stridedSlice` as one ONNX `Slice` (ONNX clamps starts and ends the way TF's
 * strided slice does), then `Squeeze` for single indices and `Unsqueeze` for new axes. The
 * masks are resolved by core's `stridedSliceSpec`, the same code Kiln's kernels use.
 *
 * ```ts
 * // x[1, ::-1]  ->  Slice(starts=[1, INT64_MAX], ends=[2, INT64_MIN], steps=[1, -1]) + Squeeze([0])
 * ```
 */
import { stridedSliceSpec, type StridedSliceAttrs } from "@kiln/core";
import { squeeze, unsqueeze } from "./helpers.js";
import type { OpMapping } from "./mapping.js";

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

export const slicingMappings: readonly OpMapping[] = [
  {
    op: "Slice",
    onnx: "Slice",
    convert: (n) => {
      const { b } = n;
      const { begin, size } = n.attrs<{ begin: number[]; size: number[] }>();
      if (begin.length === 0) return [b.node1("Identity", [n.inputs[0]!])];
      const ends = begin.map((s, i) => (size[i] === -1 ? INT64_MAX : BigInt(s + size[i]!)));
      const axes = begin.map((_, i) => i);
      return [b.node1("Slice", [n.inputs[0]!, b.int64s(begin), b.int64s(ends), b.int64s(axes)])];
    },
  },
  {
    op: "StridedSlice",
    onnx: "Slice + Squeeze (shrunk axes) + Unsqueeze (new axes)",
    convert: (n) => {
      const { b } = n;
      const spec = stridedSliceSpec(n.input(0).shape, n.attrs<StridedSliceAttrs>());
      const starts: bigint[] = [];
      const ends: bigint[] = [];
      const steps: number[] = [];
      const shrunk: number[] = [];
      spec.dense.forEach((e, i) => {
        if (e.shrink) {
          starts.push(BigInt(e.begin));
          ends.push(e.begin === -1 ? INT64_MAX : BigInt(e.begin + 1));
          steps.push(1);
          shrunk.push(i);
          return;
        }
        starts.push(e.beginMasked ? (e.stride > 0 ? 0n : INT64_MAX) : BigInt(e.begin));
        ends.push(e.endMasked ? (e.stride > 0 ? INT64_MAX : INT64_MIN) : BigInt(e.end));
        steps.push(e.stride);
      });
      const axes = spec.dense.map((_, i) => i);
      const sliced =
        axes.length === 0
          ? b.node1("Identity", [n.inputs[0]!])
          : b.node1("Slice", [n.inputs[0]!, b.int64s(starts), b.int64s(ends), b.int64s(axes), b.int64s(steps)]);
      const newAxes = spec.outputAxes.flatMap((a, k) => (a === "new" ? [k] : []));
      return [unsqueeze(b, squeeze(b, sliced, shrunk), newAxes)];
    },
  },
];
