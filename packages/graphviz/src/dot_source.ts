import { KilnError } from "@kiln/core";

/**
 * Anything that has a Graphviz DOT form: DOT text itself, a graph (`cf.graph`), a plan
 * summary (`cf.planSummary()`), or a concrete function (its graph is drawn).
 */
export type DotSource = string | { toDot(): string } | { readonly graph: { toDot(): string } };

/** A DOT source that is none of the accepted kinds, or DOT that Graphviz cannot lay out. */
export class GraphvizError extends KilnError {
  static override readonly errorName: string = "GraphvizError";
}

/**
 * The DOT text of a source: the string itself, `source.toDot()`, or `source.graph.toDot()`.
 *
 * ```ts
 * dotOf(cf);               // cf.graph.toDot()
 * dotOf(cf.planSummary()); // the optimized plan
 * ```
 */
export function dotOf(source: DotSource): string {
  if (typeof source === "string") return source;
  // A concrete function is callable, so it is a JS function with a graph.
  if ((typeof source === "object" || typeof source === "function") && source !== null) {
    if (typeof (source as { toDot?: unknown }).toDot === "function") return (source as { toDot(): string }).toDot();
    const graph = (source as { graph?: { toDot?: unknown } }).graph;
    if (typeof graph?.toDot === "function") return (graph as { toDot(): string }).toDot();
  }
  const received =
    source === null
      ? "null"
      : typeof source === "object" || typeof source === "function"
        ? `an object without toDot()${Object.keys(source).length > 0 ? ` (keys: ${Object.keys(source).slice(0, 5).join(", ")})` : ""}`
        : typeof source;
  throw new GraphvizError(
    `toSvg: expected DOT text, a graph (cf.graph), a plan summary (cf.planSummary()) or a concrete function, received ${received}`,
  );
}
