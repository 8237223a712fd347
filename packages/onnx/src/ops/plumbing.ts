/**
 * Graph plumbing: constants, identities, variable reads, calls of concrete functions, and the
 * stateful ops ONNX cannot express. A call is inlined (its callee's nodes join the caller's
 * graph). A variable read is the variable's value itself: an initializer, or a graph input
 * with `{ variables: "inputs" }`.
 *
 * ```ts
 * // ReadVariableOp(dense/kernel)  ->  the initializer dense_kernel
 * ```
 */
import { elemData } from "../export/graph_builder.js";
import type { NodeContext, OpMapping } from "./mapping.js";

/** An op whose result is its input's value: no node (a graph output that is such a value is copied where it must be). */
const identity = (op: string, notes?: string): OpMapping => ({
  op,
  onnx: "none: the input's value",
  ...(notes === undefined ? {} : { notes }),
  convert: (n) => [n.inputs[0]!],
});

function inlineCall(n: NodeContext): readonly string[] {
  const callee = n.graphs.library(n.attrs<{ f: string }>().f);
  return n.graphs.emit(callee, n.b, n.inputs);
}

const WRITE =
  "assigns a variable, and an ONNX model is a pure function of its inputs with no state to write; " +
  "export the inference function (without assignments), e.g. a Keras model's predict function";

export const plumbingMappings: readonly OpMapping[] = [
  {
    op: "Const",
    onnx: "initializer",
    convert: (n) => {
      const { value, shape, dtype } = n.attrs<{ value: number[]; shape: number[]; dtype: "float32" | "int32" | "bool" }>();
      return [n.b.constant(dtype, shape, elemData(dtype, value), n.op.name)];
    },
  },
  identity("Identity"),
  identity("StopGradient", "gradients are not part of an exported model"),
  identity("CustomGradient", "the forward value; the custom gradient is not exported"),
  { op: "ReadVariableOp", onnx: "initializer (or graph input)", convert: (n) => [n.inputs[0]!] },
  { op: "PartitionedCall", onnx: "inlined", convert: inlineCall },
  { op: "StatefulPartitionedCall", onnx: "inlined", convert: inlineCall },
  {
    op: "PrintV2",
    onnx: "none: a StatefulOpError, or dropped with { prints: \"drop\" }",
    convert: (n) =>
      n.options.prints === "drop"
        ? []
        : n.stateful(`tf.print has no ONNX equivalent (ONNX models have no side effects); remove it, or pass { prints: "drop" } to leave it out`),
  },
  { op: "AssignVariableOp", onnx: "none: a StatefulOpError", convert: (n) => n.stateful(WRITE) },
  { op: "AssignAddVariableOp", onnx: "none: a StatefulOpError", convert: (n) => n.stateful(WRITE) },
  { op: "AssignSubVariableOp", onnx: "none: a StatefulOpError", convert: (n) => n.stateful(WRITE) },
];
