/**
 * Renames one value throughout a graph's nodes and the sub-graphs of their attributes (branch
 * and loop bodies read outer values by name). Names are unique model-wide (one `NameScope`),
 * so a rename never captures another value.
 *
 * ```ts
 * renameValue(builder.nodes, "relu_Relu", "output_1"); // Relu now writes output_1 itself
 * ```
 */
import type { GraphProto, NodeProto } from "onnx-buf";

export function renameValue(nodes: readonly NodeProto[], from: string, to: string): void {
  const swap = (names: string[]) => names.map((n) => (n === from ? to : n));
  for (const node of nodes) {
    node.input = swap(node.input);
    node.output = swap(node.output);
    for (const attribute of node.attribute) {
      if (attribute.g !== undefined) renameInGraph(attribute.g, from, to);
      for (const g of attribute.graphs) renameInGraph(g, from, to);
    }
  }
}

function renameInGraph(graph: GraphProto, from: string, to: string): void {
  renameValue(graph.node, from, to);
  for (const output of graph.output) if (output.name === from) output.name = to;
}
