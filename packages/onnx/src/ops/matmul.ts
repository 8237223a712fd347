/**
 * Matrix products. `MatMul` (rank 2) with transposes becomes `Gemm`, which takes the flags as
 * attributes; `BatchMatMulV2` transposes the last two axes where asked and uses `MatMul`,
 * which broadcasts batch dimensions like Kiln.
 *
 * ```ts
 * // tf.matMul(a, b, false, true) on matrices  ->  Gemm(a, b, transB=1)
 * ```
 */
import type { GraphBuilder } from "../export/graph_builder.js";
import type { OpMapping } from "./mapping.js";

/** `x` with its last two axes swapped. */
function swapLast(b: GraphBuilder, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return b.node1("Transpose", [x], { perm: { ints: perm } });
}

export const matmulMappings: readonly OpMapping[] = [
  {
    op: "MatMul",
    onnx: "MatMul, or Gemm(transA, transB) when transposed",
    convert: (n) => {
      const { transposeA, transposeB } = n.attrs<{ transposeA: boolean; transposeB: boolean }>();
      if (!transposeA && !transposeB) return [n.b.node1("MatMul", n.inputs)];
      return [n.b.node1("Gemm", n.inputs, { transA: { int: transposeA ? 1 : 0 }, transB: { int: transposeB ? 1 : 0 } })];
    },
  },
  {
    op: "BatchMatMulV2",
    onnx: "MatMul (Transpose of the last two axes for adjX/adjY)",
    convert: (n) => {
      const { adjX, adjY } = n.attrs<{ adjX: boolean; adjY: boolean }>();
      const a = adjX ? swapLast(n.b, n.inputs[0]!, n.input(0).shape.length) : n.inputs[0]!;
      const c = adjY ? swapLast(n.b, n.inputs[1]!, n.input(1).shape.length) : n.inputs[1]!;
      return [n.b.node1("MatMul", [a, c])];
    },
  },
];
