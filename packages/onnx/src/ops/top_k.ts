/**
 * `topK` along the last axis: ONNX `TopK` (largest, sorted, the lower index first among ties,
 * as in Kiln) with its int64 indices cast to int32. bool values are ranked as int32; float32
 * values by float64 keys that put NaN first, then gathered from the input by index.
 *
 * ```ts
 * // tf.topK(x, 3)  ->  TopK(x, K=[3], axis=-1) + Cast(indices, int32)
 * ```
 */
import type { GraphBuilder } from "../export/graph_builder.js";
import { cast } from "./helpers.js";
import type { OpMapping } from "./mapping.js";

/**
 * float32 `x` as float64 keys that rank NaN above +Infinity above every number (Kiln's order;
 * onnxruntime's TopK leaves NaN's place unspecified): NaN -> 2e300, +Infinity -> 1e300.
 */
function nanLargest(b: GraphBuilder, x: string): string {
  const wide = cast(b, x, "float32", "float64");
  const infinite = b.node1("Equal", [x, b.scalar("float32", Number.POSITIVE_INFINITY)]);
  const ranked = b.node1("Where", [infinite, b.scalar("float64", 1e300), wide]);
  return b.node1("Where", [b.node1("IsNaN", [x]), b.scalar("float64", 2e300), ranked]);
}

export const topKMappings: readonly OpMapping[] = [
  {
    op: "TopKV2",
    onnx: "TopK + Cast (float32: TopK of float64 keys ranking NaN largest, GatherElements)",
    notes: "sorted=false also returns sorted values",
    convert: (n) => {
      const { b } = n;
      const dtype = n.input(0).dtype;
      const work = dtype === "bool" ? "int32" : dtype;
      const x = cast(b, n.inputs[0]!, dtype, work);
      const k = b.int64s([n.attrs<{ k: number }>().k]);
      const attrs = { axis: { int: -1 }, largest: { int: 1 }, sorted: { int: 1 } };
      if (dtype === "float32" && n.options.specialValues !== "runtime") {
        const [, indices] = b.node("TopK", [nanLargest(b, x), k], attrs, 2);
        return [b.node1("GatherElements", [x, indices!], { axis: { int: -1 } }), cast(b, indices!, "int64", "int32")];
      }
      const [values, indices] = b.node("TopK", [x, k], attrs, 2);
      return [cast(b, values!, work, dtype), cast(b, indices!, "int64", "int32")];
    },
  },
];
