/**
 * Gathers and scatters. Indices are cast to int64. `gather` with `batchDims` uses `GatherND`
 * over the batch dims (moving the gathered axis next to them and back); `scatterNd` adds
 * duplicate indices like Kiln (`ScatterND(reduction="add")` into zeros); `setRow` is one
 * `ScatterND` of a single row (no reduction); `oneHot` compares
 * with a `Range`, so out-of-range and negative indices give all-off rows as in Kiln (ONNX's
 * own `OneHot` wraps negative indices).
 *
 * ```ts
 * // tf.gather(x, i, 1)  ->  Gather(x, Cast(i, int64), axis=1)
 * ```
 */
import { attrOrInput, cast, normalize, select, unsqueeze, zeroTensor } from "./helpers.js";
import type { OpMapping } from "./mapping.js";

/** `[0, 1, ..., n - 1]` */
const iota = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

export const gatherMappings: readonly OpMapping[] = [
  {
    op: "GatherV2",
    onnx: "Gather; with batchDims, Transpose + GatherND(batch_dims) + Transpose",
    notes: "out-of-range indices are a runtime error in onnxruntime",
    convert: (n) => {
      const { b } = n;
      const rank = n.input(0).shape.length;
      const indicesRank = n.input(1).shape.length;
      const attrs = n.attrs<{ axis: number; batchDims: number }>();
      const axis = normalize(attrs.axis, rank);
      const batch = attrs.batchDims < 0 ? attrs.batchDims + indicesRank : attrs.batchDims;
      const indices = cast(b, n.inputs[1]!, n.input(1).dtype, "int64");
      if (batch === 0) return [b.node1("Gather", [n.inputs[0]!, indices], { axis: { int: axis } })];
      // Move the gathered axis right after the batch dims, gather one index deep per batch entry.
      const moved = axis === batch ? n.inputs[0]! : b.node1("Transpose", [n.inputs[0]!], { perm: { ints: [...iota(batch), axis, ...iota(axis - batch, batch), ...iota(rank - axis - 1, axis + 1)] } });
      const gathered = b.node1("GatherND", [moved, unsqueeze(b, indices, [indicesRank])], { batch_dims: { int: batch } });
      if (axis === batch) return [gathered];
      // gathered: [batch, indices[batch:], x[batch:axis], x[axis+1:]] -> [batch, x[batch:axis], indices[batch:], x[axis+1:]]
      const q = indicesRank - batch;
      const m = axis - batch;
      const outRank = n.output(0).shape.length;
      const perm = [...iota(batch), ...iota(m, batch + q), ...iota(q, batch), ...iota(outRank - batch - q - m, batch + q + m)];
      return [b.node1("Transpose", [gathered], { perm: { ints: perm } })];
    },
  },
  { op: "GatherNd", onnx: "GatherND", convert: (n) => [n.b.node1("GatherND", [n.inputs[0]!, cast(n.b, n.inputs[1]!, n.input(1).dtype, "int64")])] },
  {
    op: "ScatterNd",
    onnx: "ScatterND(reduction=add) into ConstantOfShape(0)",
    convert: (n) => {
      const { b } = n;
      const dtype = n.output(0).dtype;
      const work = dtype === "bool" ? "int32" : dtype;
      const shape = attrOrInput(n, "shape");
      const zero = b.node1("ConstantOfShape", [shape], { value: { tensor: zeroTensor(work) } });
      const updates = cast(b, n.inputs[1]!, dtype, work);
      const indices = cast(b, n.inputs[0]!, n.input(0).dtype, "int64");
      const summed = b.node1("ScatterND", [zero, indices, updates], { reduction: { string: "add" } });
      return [cast(b, summed, work, dtype)];
    },
  },
  {
    op: "SetRow",
    onnx: "ScatterND(x, Reshape(index, [1, 1]), Unsqueeze(value, 0))",
    convert: (n) => {
      const { b } = n;
      const index = b.node1("Reshape", [cast(b, n.inputs[1]!, n.input(1).dtype, "int64"), b.int64s([1, 1])]);
      return [b.node1("ScatterND", [n.inputs[0]!, index, unsqueeze(b, n.inputs[2]!, [0])])];
    },
  },
  {
    op: "OneHot",
    onnx: "Where(Equal(Unsqueeze(indices), Range(0, depth)), on, off)",
    convert: (n) => {
      const { b } = n;
      const { onValue, offValue, dtype } = n.attrs<{ onValue: number; offValue: number; dtype: "float32" | "int32" | "bool" }>();
      const depth = attrOrInput(n, "depth");
      const positions = b.node1("Range", [b.scalar("int64", 0), depth, b.scalar("int64", 1)]);
      const indices = unsqueeze(b, cast(b, n.inputs[0]!, n.input(0).dtype, "int64"), [n.input(0).shape.length]);
      const hit = b.node1("Equal", [indices, positions]);
      return [select(b, hit, b.scalar(dtype, onValue), b.scalar(dtype, offValue), dtype)];
    },
  },
];

