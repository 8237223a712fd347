import type { Graph, Operation } from "./graph.js";
import { isResourceOutput as isResource } from "./graph.js";
import { calledFunctions, formatType, libraryFunctions } from "./printer.js";

/**
 * A DOT string literal. Inside quotes DOT gives meaning only to `\"` and to backslash
 * escapes (`\n`, `\l`, `\N`...), so backslashes are doubled, quotes escaped, line breaks
 * turned into `\n` and other control characters dropped. Node ids are generated (`n0`,
 * `f1_n3`), so user-chosen names only ever appear inside these literals.
 */
export function dotString(text: string): string {
  const escaped = text
    .replace(/[\\"]/g, "\\$&")
    .replace(/\r\n|\r|\n/g, "\\n")
    .replace(/\p{Cc}/gu, "");
  return `"${escaped}"`;
}

const NODE_STYLE: Readonly<Record<string, string>> = {
  Placeholder: "shape=ellipse",
  Const: "shape=box, style=rounded",
};

/** Emits one graph's nodes and edges; returns the id of each operation's node. */
function emitGraph(graph: Graph, prefix: string, indent: string, lines: string[]): Map<Operation, string> {
  const ids = new Map<Operation, string>();
  graph.operations.forEach((op, i) => {
    const id = `${prefix}n${i}`;
    ids.set(op, id);
    const style = NODE_STYLE[op.type];
    lines.push(`${indent}${id} [label=${dotString(`${op.name}\n${op.type}`)}${style === undefined ? "" : `, ${style}`}];`);
  });
  const returnId = `${prefix}return`;
  lines.push(`${indent}${returnId} [label="return", shape=oval];`);
  for (const op of graph.operations) {
    const to = ids.get(op)!;
    for (const input of op.inputs) {
      const index = input.op.outputs.length > 1 ? `:${input.index} ` : "";
      lines.push(`${indent}${ids.get(input.op) ?? "missing"} -> ${to} [label=${dotString(index + formatType(input, isResource(input)))}];`);
    }
    for (const control of op.controlInputs) lines.push(`${indent}${ids.get(control) ?? "missing"} -> ${to} [style=dashed];`);
  }
  graph.outputs.forEach((output, i) => {
    lines.push(
      `${indent}${ids.get(output.op) ?? "missing"} -> ${returnId} [label=${dotString(`${i}: ${formatType(output, isResource(output))}`)}];`,
    );
  });
  return ids;
}

/**
 * The graph in Graphviz DOT (SPEC B14): one node per operation labelled with its name and
 * type, data edges labelled with the value's type (and output index for multi-output
 * ops), control edges dashed, and each called function as a cluster that its call
 * operations point to with a dotted edge. Render with `dot -Tsvg`.
 *
 * ```ts
 * graphToDot(cf.graph); // 'digraph "tfCube" {\n  compound=true; ...'
 * ```
 */
export function graphToDot(graph: Graph): string {
  const lines = [
    `digraph ${dotString(graph.name)} {`,
    "  compound=true;",
    '  node [shape=box, fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const callers: { op: Operation; id: string }[] = [];
  const record = (ids: Map<Operation, string>) => {
    for (const [op, id] of ids) if (calledFunctions(op).length > 0) callers.push({ op, id });
  };
  record(emitGraph(graph, "", "  ", lines));
  const clusters = new Map<string, { cluster: string; first: string }>();
  libraryFunctions(graph).forEach((fn, i) => {
    const cluster = `cluster_f${i}`;
    lines.push(`  subgraph ${cluster} {`, `    label=${dotString(fn.name)};`, "    style=rounded;");
    const ids = emitGraph(fn.graph, `f${i}_`, "    ", lines);
    lines.push("  }");
    clusters.set(fn.name, { cluster, first: ids.values().next().value ?? `f${i}_return` });
    record(ids);
  });
  for (const { op, id } of callers) {
    for (const name of calledFunctions(op)) {
      const target = clusters.get(name);
      if (target !== undefined) lines.push(`  ${id} -> ${target.first} [style=dotted, lhead=${target.cluster}];`);
    }
  }
  lines.push("}");
  return lines.join("\n");
}
