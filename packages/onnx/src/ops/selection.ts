/**
 * `where`, `cast` and `clipByValue`. A float32 to int32 cast follows Kiln's rule (truncate
 * toward zero, saturate at the int32 range, NaN to 0) with a clip and two `Where`s, because
 * an ONNX `Cast` of an out-of-range float is undefined behaviour in C++ runtimes.
 *
 * ```ts
 * // tf.clipByValue(x, lo, hi)  ->  Where(x < lo, lo, Where(x > hi, hi, x))
 * ```
 */
import type { GraphBuilder } from "../export/graph_builder.js";
import { cast, select } from "./helpers.js";
import type { OpMapping } from "./mapping.js";

/** The largest float32 below 2^31: the largest value whose cast to int32 is defined. */
const BELOW_2_31 = 2147483520;

/** float32 -> int32 with truncation, saturation and NaN to 0. */
function saturatingToInt32(b: GraphBuilder, x: string): string {
  const clipped = b.node1("Clip", [x, b.scalar("float32", -2147483648), b.scalar("float32", BELOW_2_31)]);
  const truncated = cast(b, clipped, "float32", "int32");
  const high = b.node1("GreaterOrEqual", [x, b.scalar("float32", 2147483648)]);
  const saturated = b.node1("Where", [high, b.scalar("int32", 2147483647), truncated]);
  return b.node1("Where", [b.node1("IsNaN", [x]), b.scalar("int32", 0), saturated]);
}

export const selectionMappings: readonly OpMapping[] = [
  {
    op: "SelectV2",
    onnx: "Where (bool values: And, Or, Not)",
    convert: (n) => [select(n.b, n.inputs[0]!, n.inputs[1]!, n.inputs[2]!, n.output(0).dtype)],
  },
  {
    op: "Cast",
    onnx: "Cast (float32 to int32: Clip + Cast + Where for saturation and NaN)",
    convert: (n) => {
      const from = n.input(0).dtype;
      const to = n.output(0).dtype;
      if (from === to) return [n.b.node1("Identity", n.inputs)];
      if (from === "float32" && to === "int32") return [saturatingToInt32(n.b, n.inputs[0]!)];
      return [cast(n.b, n.inputs[0]!, from, to)];
    },
  },
  {
    op: "ClipByValue",
    onnx: "Where(Less(x, lo), lo, Where(Greater(x, hi), hi, x))",
    notes: "tensor bounds are allowed, as in Kiln; NaN stays NaN",
    convert: (n) => {
      const { b } = n;
      const [x, lo, hi] = n.inputs as [string, string, string];
      return [b.node1("Where", [b.node1("Less", [x, lo]), lo, b.node1("Where", [b.node1("Greater", [x, hi]), hi, x])])];
    },
  },
];
