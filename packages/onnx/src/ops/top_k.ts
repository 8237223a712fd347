/**
 * `topK` along the last axis: ONNX `TopK` (largest, sorted, the lower index first among ties,
 * as in Kiln) with its int64 indices cast to int32. bool values are ranked as int32.
 *
 * ```ts
 * // tf.topK(x, 3)  ->  TopK(x, K=[3], axis=-1) + Cast(indices, int32)
 * ```
 */
import { cast } from "./helpers.js";
import type { OpMapping } from "./mapping.js";

export const topKMappings: readonly OpMapping[] = [
  {
    op: "TopKV2",
    onnx: "TopK + Cast",
    notes: "sorted=false also returns sorted values",
    convert: (n) => {
      const { b } = n;
      const dtype = n.input(0).dtype;
      const work = dtype === "bool" ? "int32" : dtype;
      const x = cast(b, n.inputs[0]!, dtype, work);
      const k = b.int64s([n.attrs<{ k: number }>().k]);
      const [values, indices] = b.node("TopK", [x, k], { axis: { int: -1 }, largest: { int: 1 }, sorted: { int: 1 } }, 2);
      return [cast(b, values!, work, dtype), cast(b, indices!, "int64", "int32")];
    },
  },
];
