/**
 * @kiln/graphviz: pictures of Kiln graphs. Core exports Graphviz DOT (`cf.graph.toDot()`,
 * `cf.planSummary().toDot()`); this package lays it out with Graphviz compiled to
 * WebAssembly, in Node and in browsers, so core carries no renderer.
 *
 * ```ts
 * import { toSvg } from "@kiln/graphviz";
 * const svg = await toSvg(tfCube.getConcreteFunction(tf.ones([2])).graph);
 * ```
 */
export { toSvg, loadGraphviz, type SvgOptions, type LayoutEngine } from "./render.js";
export { dotOf, GraphvizError, type DotSource } from "./dot_source.js";
