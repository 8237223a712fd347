/**
 * Conditional expressions: `c ? a : b` evaluates only one side in JS, so both sides become
 * functions and `ag__.ifExp` picks (JS value) or builds a `cond` (tensor), like TF
 * AutoGraph's conditional_expressions:
 *
 *   const y = x > 0 ? x : -x;   ->   const y = ag__.ifExp(x > 0, () => x, () => -x, "f.js:2:13");
 */
import { type NodePath, t } from "../converter/babel.js";
import { skipLeftAsWritten } from "./statements.js";
import type { ConversionContext } from "../converter/context.js";

/** Converts every `?:` in a function (and in functions nested in it). */
export function convertConditionalExpressions(fn: NodePath<t.Function>, ctx: ConversionContext): void {
  fn.traverse({
    ...skipLeftAsWritten,
    ConditionalExpression: {
      exit(path) {
        const { test, consequent, alternate } = path.node;
        const call = t.callExpression(t.memberExpression(t.identifier("ag__"), t.identifier("ifExp")), [
          test,
          t.arrowFunctionExpression([], consequent),
          t.arrowFunctionExpression([], alternate),
          ctx.locationLiteral(path.node),
        ]);
        t.inherits(call, path.node);
        path.replaceWith(call);
        path.skip();
      },
    },
  });
}
