/**
 * Operators: JS cannot overload `+`, `<` or `===`, so arithmetic, comparisons, unary minus,
 * compound assignments and `++`/`--` call runtime operators that use tensor ops when an
 * operand is a tensor and keep the JS meaning otherwise (SPEC G2):
 *
 *   x ** 3            ->   ag__.pow(x, 3)
 *   a < b             ->   ag__.lt(a, b)
 *   a === b           ->   ag__.eq(a, b)        (== is ag__.looseEq, != is ag__.looseNe)
 *   -x                ->   ag__.neg(x)
 *   x += 1;           ->   x = ag__.add(ag__.target(x), 1);
 *   this.n *= 2;      ->   this.n = ag__.mul(ag__.target(this.n), 2);
 *   i++;              ->   i = ag__.inc(i);     (where the value is unused)
 *
 * A target that cannot be read and written again (its object or key would run twice) is
 * evaluated once by a runtime operator, and so is a postfix update whose value is used:
 *
 *   a[i] += 1         ->   ag__.assignMember(a, i, "add", () => 1)
 *   o.p.q *= 2        ->   ag__.assignMember(o.p, "q", "mul", () => 2)
 *   a[f()]++          ->   ag__.updateMember(a, f(), "inc", false)
 *   const old = y++   ->   const old = ag__.postfix(y, "inc", _value => y = _value)
 *
 * Left alone, because no tensor can be involved or JS meaning must be exact: operations on
 * two literals, equality with `null`, `undefined`,
 * a string or `typeof`, bitwise operators, `in`, `instanceof`, negative number literals,
 * and updates of `super` members or private fields of nested objects.
 */
import { type NodePath, t } from "../converter/babel.js";
import { skipLeftAsWritten } from "./statements.js";

const BINARY: Record<string, string> = {
  "+": "add",
  "-": "sub",
  "*": "mul",
  "/": "div",
  "%": "mod",
  "**": "pow",
  "<": "lt",
  "<=": "le",
  ">": "gt",
  ">=": "ge",
  "===": "eq",
  "!==": "ne",
  "==": "looseEq",
  "!=": "looseNe",
};

/** The operators ag__.assignMember supports (compound assignments have no comparison forms). */
const COMPOUND = { add: 1, sub: 1, mul: 1, div: 1, mod: 1, pow: 1 };

const EQUALITY = new Set(["===", "!==", "==", "!="]);

const ag = (name: string) => t.memberExpression(t.identifier("ag__"), t.identifier(name));

function isStringLike(node: t.Node): boolean {
  return t.isStringLiteral(node) || t.isTemplateLiteral(node) || (t.isUnaryExpression(node) && node.operator === "typeof");
}

function isNullish(node: t.Node): boolean {
  return t.isNullLiteral(node) || t.isIdentifier(node, { name: "undefined" }) || (t.isUnaryExpression(node) && node.operator === "void");
}

function isLiteral(node: t.Node): boolean {
  return (
    t.isNumericLiteral(node) ||
    t.isStringLiteral(node) ||
    t.isBooleanLiteral(node) ||
    (t.isUnaryExpression(node, { operator: "-" }) && t.isNumericLiteral(node.argument))
  );
}

function keepsJsMeaning(operator: string, left: t.Node, right: t.Node): boolean {
  if (isLiteral(left) && isLiteral(right)) return true;
  if (EQUALITY.has(operator) && (isNullish(left) || isNullish(right) || isStringLike(left) || isStringLike(right))) return true;
  return false;
}

/** A target that can be read and written again without side effects: `x`, `this.p`, `obj.p`, `obj["p"]`. */
function isSimpleTarget(node: t.Node): node is t.Identifier | t.MemberExpression {
  if (t.isIdentifier(node)) return true;
  if (!t.isMemberExpression(node)) return false;
  const objectOk = t.isIdentifier(node.object) || t.isThisExpression(node.object);
  const propertyOk = !node.computed || t.isStringLiteral(node.property) || t.isNumericLiteral(node.property);
  return objectOk && propertyOk;
}

/** `object` and `key` of a member the runtime can update (`a[i]`, `o.p.q`), or undefined (super, private names). */
function memberParts(node: t.Node): [t.Expression, t.Expression] | undefined {
  if (!t.isMemberExpression(node) || t.isSuper(node.object) || t.isPrivateName(node.property)) return undefined;
  const key = node.computed ? (node.property as t.Expression) : t.stringLiteral((node.property as t.Identifier).name);
  return [node.object, key];
}

/** True where an expression's value is discarded (`i++;`, `for` updates, non-last parts of `a, b`). */
function valueUnused(path: NodePath): boolean {
  const parent = path.parentPath;
  if (parent === null) return false;
  if (parent.isExpressionStatement()) return true;
  if (parent.isSequenceExpression()) {
    const expressions = parent.node.expressions;
    return expressions.indexOf(path.node as t.Expression) < expressions.length - 1 || valueUnused(parent);
  }
  return false;
}

/** Converts the operators of a function (and of functions nested in it). */
export function convertOperators(fn: NodePath<t.Function>): void {
  fn.traverse({
    ...skipLeftAsWritten,
    BinaryExpression: {
      exit(path) {
        const { operator, left, right } = path.node;
        const name = BINARY[operator];
        if (name === undefined || t.isPrivateName(left) || keepsJsMeaning(operator, left, right)) return;
        const call = t.callExpression(ag(name), [left as t.Expression, right]);
        t.inherits(call, path.node);
        path.replaceWith(call);
        path.skip();
      },
    },
    UnaryExpression: {
      exit(path) {
        if (path.node.operator !== "-" || t.isNumericLiteral(path.node.argument)) return;
        const call = t.callExpression(ag("neg"), [path.node.argument]);
        t.inherits(call, path.node);
        path.replaceWith(call);
        path.skip();
      },
    },
    AssignmentExpression: {
      exit(path) {
        const { operator, left, right } = path.node;
        const name = BINARY[operator.slice(0, -1)];
        if (operator === "=" || name === undefined) return;
        if (!isSimpleTarget(left)) {
          const parts = memberParts(left);
          if (parts === undefined || !(name in COMPOUND)) return;
          const call = t.callExpression(ag("assignMember"), [...parts, t.stringLiteral(name), t.arrowFunctionExpression([], right)]);
          t.inherits(call, path.node);
          path.replaceWith(call);
          path.skip();
          return;
        }
        // ag__.target: a Variable may not be updated by a JS operator (SPEC H4).
        const read = t.callExpression(ag("target"), [t.cloneNode(left, true, true) as t.Expression]);
        const assign = t.assignmentExpression("=", left, t.callExpression(ag(name), [read, right]));
        t.inherits(assign, path.node);
        path.replaceWith(assign);
        path.skip();
      },
    },
    UpdateExpression: {
      exit(path) {
        const { operator, prefix, argument } = path.node;
        const op = t.stringLiteral(operator === "++" ? "inc" : "dec");
        let call: t.Expression | undefined;
        if (t.isIdentifier(argument) && !prefix && !valueUnused(path)) {
          // The old value is the result: the runtime stores the new one through a setter.
          const value = path.scope.generateUidIdentifier("value");
          const setter = t.arrowFunctionExpression([value], t.assignmentExpression("=", t.identifier(argument.name), t.cloneNode(value)));
          call = t.callExpression(ag("postfix"), [t.identifier(argument.name), op, setter]);
        } else if (!isSimpleTarget(argument) || (!prefix && !valueUnused(path))) {
          const parts = memberParts(argument);
          if (parts !== undefined) call = t.callExpression(ag("updateMember"), [...parts, op, t.booleanLiteral(prefix)]);
        }
        if (call !== undefined) {
          t.inherits(call, path.node);
          path.replaceWith(call);
          path.skip();
          return;
        }
        if (!isSimpleTarget(argument) || (!prefix && !valueUnused(path))) return;
        const read = t.cloneNode(argument, true, true) as t.Expression;
        const assign = t.assignmentExpression("=", argument, t.callExpression(ag(operator === "++" ? "inc" : "dec"), [read]));
        t.inherits(assign, path.node);
        path.replaceWith(assign);
        path.skip();
      },
    },
  });
}
