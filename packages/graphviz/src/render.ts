import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { type DotSource, dotOf, GraphvizError } from "./dot_source.js";

/** Graphviz layout engines; `dot` (layered, top to bottom) is the one for data-flow graphs. */
export type LayoutEngine = "dot" | "neato" | "fdp" | "sfdp" | "circo" | "twopi" | "osage" | "patchwork";

/** Options of `toSvg`. */
export interface SvgOptions {
  /** The layout engine (default `dot`). */
  readonly engine?: LayoutEngine;
}

let loading: Promise<Graphviz> | undefined;

/**
 * The Graphviz WebAssembly module, compiled on first use and shared afterwards (about
 * 0.3 s the first time). Call it early to warm up; `toSvg` calls it anyway.
 *
 * ```ts
 * const graphviz = await loadGraphviz();
 * graphviz.version(); // "16.1.0"
 * ```
 */
export function loadGraphviz(): Promise<Graphviz> {
  loading ??= Graphviz.load().catch((error: unknown) => {
    loading = undefined;
    throw new GraphvizError(`could not load Graphviz (WebAssembly): ${error instanceof Error ? error.message : String(error)}`);
  });
  return loading;
}

/**
 * Draws a graph as SVG text with Graphviz (compiled to WebAssembly, so it runs the same in
 * Node and browsers). Accepts DOT text, a graph, a plan summary or a concrete function.
 * Each operation becomes a `<g class="node">` whose text is its name and type; `If` and
 * `While` sub-graphs and called functions are clusters (`<g class="cluster">`).
 *
 * ```ts
 * import { toSvg } from "@kiln/graphviz";
 * await writeFile("graph.svg", await toSvg(cf.graph));        // the traced graph
 * await writeFile("plan.svg", await toSvg(cf.planSummary()));  // what runs after fusion
 * ```
 */
export async function toSvg(source: DotSource, options: SvgOptions = {}): Promise<string> {
  const dot = dotOf(source);
  const graphviz = await loadGraphviz();
  try {
    return graphviz.layout(dot, "svg", options.engine ?? "dot");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new GraphvizError(
      `toSvg: Graphviz could not lay out the DOT (${message.trim() || "syntax error"}); DOT starts: ${JSON.stringify(dot.slice(0, 80))}`,
    );
  }
}
