/**
 * Logical expressions: `&&` and `||` short-circuit, so both operands become functions and
 * the right one runs only when JS would run it; on tensors they become a lazy `cond`
 * (TF AutoGraph's logical_expressions). `!` becomes `ag__.not` (`logicalNot` on tensors):
 *
 *   a && b      ->   ag__.and(() => a, () => b)
 *   a || f(b)   ->   ag__.or(() => a, () => f(b))
 *   !done       ->   ag__.not(done)
 *
 * `??` is left alone: a tensor is never nullish.
 */
import { type NodePath, t } from "../converter/babel.js";
import { skipLeftAsWritten } from "./statements.js";

const ag = (name: string) => t.memberExpression(t.identifier("ag__"), t.identifier(name));

/** Converts every `&&`, `||` and `!` in a function (and in functions nested in it). */
export function convertLogicalExpressions(fn: NodePath<t.Function>): void {
  fn.traverse({
    ...skipLeftAsWritten,
    LogicalExpression: {
      exit(path) {
        const { operator, left, right } = path.node;
        if (operator === "??") return;
        const call = t.callExpression(ag(operator === "&&" ? "and" : "or"), [
          t.arrowFunctionExpression([], left),
          t.arrowFunctionExpression([], right),
        ]);
        t.inherits(call, path.node);
        path.replaceWith(call);
        path.skip();
      },
    },
    UnaryExpression: {
      exit(path) {
        if (path.node.operator !== "!") return;
        const call = t.callExpression(ag("not"), [path.node.argument]);
        t.inherits(call, path.node);
        path.replaceWith(call);
        path.skip();
      },
    },
  });
}
