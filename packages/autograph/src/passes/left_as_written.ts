/**
 * Functions inside a converted function that conversion must leave as written, marked
 * before any pass runs (the passes skip them like nested generators, SPEC G8):
 *
 *   tf.function((y) => ..., { autograph: false })   // the user asked for no conversion
 *   autograph.doNotConvert((y) => ...)              // likewise
 *   @tf.function({ autograph: false }) m() {}        // likewise, for a method
 *   ag__.converted((y) => ...)                      // converted already (loader, plugin)
 *   ag__.register(original, ag__.converted(twin))   // an original kept for autograph: false, and its twin
 *   @ag__.converted m() {}                          // a method converted already
 *
 * Emits nothing.
 */
import { type NodePath, t } from "../converter/babel.js";
import { autographSetting, calleeName, doNotConvertArgument, isRuntimeCall, looksLikeTfFunction } from "../converter/function_options.js";
import { LEFT_AS_WRITTEN } from "./statements.js";

function markFunctions(nodes: readonly (t.Node | null | undefined)[]): void {
  for (const node of nodes) if (t.isFunction(node)) LEFT_AS_WRITTEN.add(node);
}

/** Does a decorator say "converted already" or "do not convert" (`@ag__.converted`, `@tf.function({ autograph: false })`)? */
function keepsMethod(decorator: t.Decorator): boolean {
  const expr = t.isParenthesizedExpression(decorator.expression) ? decorator.expression.expression : decorator.expression;
  if (t.isMemberExpression(expr) && t.isIdentifier(expr.object, { name: "ag__" }) && calleeName(expr) === "converted") return true;
  return t.isCallExpression(expr) && looksLikeTfFunction(expr.callee) && autographSetting(expr.arguments[0]) === "off";
}

/** Marks the functions under `fnPath` (not itself) that conversion leaves as written. */
export function markLeftAsWritten(fnPath: NodePath<t.Function>): void {
  fnPath.traverse({
    CallExpression(path) {
      const node = path.node;
      if (isRuntimeCall(node, "converted") || isRuntimeCall(node, "register")) markFunctions(node.arguments);
      else if (looksLikeTfFunction(node.callee) && autographSetting(node.arguments[1]) === "off") markFunctions([node.arguments[0]]);
      else markFunctions([doNotConvertArgument(node)]);
    },
    "ClassMethod|ClassPrivateMethod"(path) {
      const node = path.node as t.ClassMethod | t.ClassPrivateMethod;
      if ((node.decorators ?? []).some(keepsMethod)) LEFT_AS_WRITTEN.add(node);
    },
  });
}
