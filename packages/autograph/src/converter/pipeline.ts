/**
 * The conversion pipeline: the passes, in TF AutoGraph's order, applied to one function of
 * a parsed file (in place). Each pass lives in ../passes/ and starts with the JS it accepts
 * and what it emits.
 */
import { convertBreaks } from "../passes/break_statements.js";
import { wrapCalls } from "../passes/call_trees.js";
import { canonicalize } from "../passes/canonicalize.js";
import { convertConditionalExpressions } from "../passes/conditional_expressions.js";
import { convertContinues } from "../passes/continue_statements.js";
import { convertControlFlow } from "../passes/control_flow.js";
import { convertDirectives } from "../passes/directives.js";
import { markLeftAsWritten } from "../passes/left_as_written.js";
import { convertLogicalExpressions } from "../passes/logical_expressions.js";
import { convertOperators } from "../passes/operators.js";
import { convertReturns } from "../passes/return_statements.js";
import { LEFT_AS_WRITTEN } from "../passes/statements.js";
import { checkSupported } from "../passes/unsupported.js";
import { type NodePath, generate, type parser, type t, traverse } from "./babel.js";
import type { ConversionContext } from "./context.js";

/** The passes, in the order they run. */
export const PASSES = [
  "directives",
  "canonicalize",
  "break",
  "continue",
  "return",
  "calls",
  "controlFlow",
  "conditionalExpressions",
  "logicalExpressions",
  "operators",
] as const;
export type PassName = (typeof PASSES)[number];

/** Babel keeps paths and scopes in caches keyed by node; passes edit nodes directly, so each pass starts fresh. */
export function functionPath(file: t.File, fn: t.Function): NodePath<t.Function> {
  (traverse as unknown as { cache: { clear(): void } }).cache.clear();
  let found: NodePath<t.Function> | undefined;
  traverse(file, {
    Function(path) {
      if (path.node === fn) {
        found = path;
        path.stop();
      }
    },
  });
  if (found === undefined) throw new Error("AutoGraph internal error: the function being converted is no longer in its file");
  return found;
}

/** Runs `passes` (all by default) on `fn`, a function inside `file`, after checking it is convertible. */
export function convertFunctionNode(file: t.File, fn: t.Function, ctx: ConversionContext, passes: readonly PassName[] = PASSES): void {
  // Asked for by name: convert it even if an enclosing conversion marked it (its nested ones stay marked).
  LEFT_AS_WRITTEN.delete(fn);
  markLeftAsWritten(functionPath(file, fn));
  checkSupported(functionPath(file, fn), ctx);
  for (const pass of PASSES) {
    if (!passes.includes(pass)) continue;
    switch (pass) {
      case "directives":
        convertDirectives(functionPath(file, fn), ctx);
        break;
      case "canonicalize":
        canonicalize(functionPath(file, fn), ctx);
        break;
      case "break":
        convertBreaks(fn, ctx);
        break;
      case "continue":
        convertContinues(fn, ctx);
        break;
      case "return":
        convertReturns(fn, ctx);
        break;
      case "calls":
        wrapCalls(functionPath(file, fn));
        break;
      case "controlFlow":
        convertControlFlow(functionPath(file, fn), ctx);
        break;
      case "conditionalExpressions":
        convertConditionalExpressions(functionPath(file, fn), ctx);
        break;
      case "logicalExpressions":
        convertLogicalExpressions(functionPath(file, fn));
        break;
      case "operators":
        convertOperators(functionPath(file, fn));
        break;
    }
  }
  (traverse as unknown as { cache: { clear(): void } }).cache.clear();
}

/** Parser options shared by run-time and module conversion. */
export function parserOptions(options: { typescript?: boolean; jsx?: boolean } = {}): parser.ParserOptions {
  const plugins: parser.ParserPlugin[] = ["decorators", "explicitResourceManagement"];
  if (options.typescript) plugins.push("typescript");
  if (options.jsx) plugins.push("jsx");
  return { sourceType: "module", plugins, errorRecovery: false };
}

/** Prints a node (or file) as code. */
export function print(node: t.Node): string {
  return generate(node, { comments: true, jsescOption: { minimal: true } }).code;
}
