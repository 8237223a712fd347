/**
 * Drops initializers nothing reads. Mappings ask for small shared constants freely (a
 * constant made for one branch of a mapping may go unused), and runtimes warn about unused
 * initializers, so the finished main graph keeps only those a node (in any sub-graph) or an
 * output reads.
 *
 * ```ts
 * pruneInitializers(graph); // graph.initializer without the unread ones
 * ```
 */
import type { GraphProto } from "onnx-buf";

/** Every name read by a node of `graph` or its sub-graphs, or returned by one of them. */
function readNames(graph: GraphProto, into: Set<string>): Set<string> {
  for (const node of graph.node) {
    for (const input of node.input) into.add(input);
    for (const attr of node.attribute) {
      if (attr.g !== undefined) readNames(attr.g, into);
      for (const g of attr.graphs) readNames(g, into);
    }
  }
  for (const output of graph.output) into.add(output.name);
  return into;
}

/** Removes the main graph's unread initializers, in place. */
export function pruneInitializers(graph: GraphProto): void {
  const read = readNames(graph, new Set());
  graph.initializer = graph.initializer.filter((t) => read.has(t.name));
}
