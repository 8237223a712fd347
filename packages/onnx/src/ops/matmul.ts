/**
 * Matrix products as ONNX `MatMul`, with the last two axes transposed first where asked
 * (onnxruntime fuses such transposes into its kernel). Batch dims broadcast like NumPy in both.
 * `Gemm` is not used: onnxruntime has no int32 Gemm kernel. (Empty results of known shape never
 * reach this mapping: the emitter writes them as constants, because onnxruntime's MatMul loses
 * the broadcast batch dims of empty results.)
 *
 * ```ts
 * // tf.matMul(a, b, false, true)  ->  MatMul(a, Transpose(b, [1, 0]))
 * ```
 */
import type { GraphBuilder } from "../export/graph_builder.js";
import type { NodeContext, OpMapping } from "./mapping.js";

/** `x` with its last two axes swapped. */
function swapLast(b: GraphBuilder, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return b.node1("Transpose", [x], { perm: { ints: perm } });
}

/** Operand `i`, transposed if asked. */
function operand(n: NodeContext, i: number, transpose: boolean): string {
  return transpose ? swapLast(n.b, n.inputs[i]!, n.input(i).shape.length) : n.inputs[i]!;
}

function product(n: NodeContext, transposeA: boolean, transposeB: boolean): string {
  return n.b.node1("MatMul", [operand(n, 0, transposeA), operand(n, 1, transposeB)]);
}

export const matmulMappings: readonly OpMapping[] = [
  {
    op: "MatMul",
    onnx: "MatMul (Transpose for transposeA/transposeB)",
    convert: (n) => {
      const { transposeA, transposeB } = n.attrs<{ transposeA: boolean; transposeB: boolean }>();
      return [product(n, transposeA, transposeB)];
    },
  },
  {
    op: "BatchMatMulV2",
    onnx: "MatMul (Transpose for adjX/adjY)",
    convert: (n) => {
      const { adjX, adjY } = n.attrs<{ adjX: boolean; adjY: boolean }>();
      return [product(n, adjX, adjY)];
    },
  },
];
