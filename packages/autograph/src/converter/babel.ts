/**
 * One place that imports Babel. Babel 7 ships CommonJS whose default export is nested under
 * `default` when loaded from ES modules, so the unwrapping lives here and every pass
 * imports `traverse`, `generate` and `t` from this file.
 */
import * as parser from "@babel/parser";
import generateModule from "@babel/generator";
import traverseModule from "@babel/traverse";
import * as t from "@babel/types";

type Unwrap<M> = M extends { default: infer D } ? D : M;

function unwrap<M>(module: M): Unwrap<M> {
  const inner = (module as { default?: unknown }).default;
  return (typeof module === "function" ? module : inner) as Unwrap<M>;
}

export const traverse = unwrap(traverseModule);
export const generate = unwrap(generateModule);
export { parser, t };
export type { NodePath, Scope, Visitor } from "@babel/traverse";
