/**
 * Canonicalization, before the jump passes: puts the function in the few shapes the later
 * passes handle.
 *
 *   if (c) x = 1;                       ->  if (c) { x = 1; }
 *   if (c) { var y = 2; }               ->  var y;  ...  if (c) { y = 2; }
 *   for (let i = 0; i < n; i++) body    ->  { let i = 0; while (i < n) { body; i++; } }
 *
 * Bodies become blocks (so every jump sits in a statement list). `var`s declared inside
 * blocks are hoisted to the top of their function, where JS puts them anyway, because the
 * blocks will become closures. C-style `for` loops become `while` loops whose last
 * statement is the update, marked so that `continue` still runs it.
 */
import { type NodePath, t } from "../converter/babel.js";
import { patternNames } from "./analysis.js";
import { LOOP_UPDATES } from "./statements.js";
import { LEFT_AS_WRITTEN } from "./statements.js";

function asBlock(node: t.Statement): t.BlockStatement {
  return t.isBlockStatement(node) ? node : t.blockStatement([node]);
}

/** Rewrites `var` declarations nested in blocks of one function into assignments; returns their names. */
function hoistVars(fn: t.Function): string[] {
  if (!t.isBlockStatement(fn.body)) return [];
  const names: string[] = [];
  const assignment = (decl: t.VariableDeclaration): t.Expression | undefined => {
    const parts = decl.declarations.filter((d) => d.init).map((d) => t.assignmentExpression("=", d.id as t.LVal, d.init!));
    for (const d of decl.declarations) patternNames(d.id, names);
    if (parts.length === 0) return undefined;
    return parts.length === 1 ? parts[0]! : t.sequenceExpression(parts);
  };
  const visit = (node: t.Node | null | undefined, topLevel: boolean): void => {
    if (node === null || node === undefined || t.isFunction(node)) return;
    if (t.isBlockStatement(node) || t.isSwitchCase(node)) {
      const list = t.isBlockStatement(node) ? node.body : node.consequent;
      for (let i = 0; i < list.length; i++) {
        const stmt = list[i]!;
        if (!topLevel && t.isVariableDeclaration(stmt) && stmt.kind === "var") {
          const expr = assignment(stmt);
          if (expr === undefined) list.splice(i--, 1);
          else list[i] = t.inherits(t.expressionStatement(expr), stmt);
        } else visit(stmt, false);
      }
      return;
    }
    if (
      (t.isForStatement(node) && t.isVariableDeclaration(node.init, { kind: "var" })) ||
      ((t.isForOfStatement(node) || t.isForInStatement(node)) && t.isVariableDeclaration(node.left, { kind: "var" }))
    ) {
      if (t.isForStatement(node)) node.init = assignment(node.init as t.VariableDeclaration) ?? null;
      else {
        const decl = node.left as t.VariableDeclaration;
        patternNames(decl.declarations[0]!.id, names);
        node.left = decl.declarations[0]!.id as t.LVal;
      }
    }
    for (const key of t.VISITOR_KEYS[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) for (const c of child) visit(c as t.Node, false);
      else if (child !== null && typeof child === "object") visit(child as t.Node, false);
    }
  };
  visit(fn.body, true);
  return [...new Set(names)];
}

/** `for (init; test; update) body` as `{ init; while (test) { body; update; } }`. */
function desugarFor(loop: t.ForStatement, label: t.Identifier | undefined): t.Statement {
  const body = asBlock(loop.body);
  if (loop.update) {
    const update = t.expressionStatement(loop.update);
    t.inherits(update, loop.update);
    LOOP_UPDATES.add(update);
    body.body.push(update);
  }
  const whileLoop = t.inherits(t.whileStatement(loop.test ?? t.booleanLiteral(true), body), loop);
  const init: t.Statement[] =
    loop.init === null || loop.init === undefined
      ? []
      : [t.isVariableDeclaration(loop.init) ? loop.init : t.expressionStatement(loop.init)];
  return t.blockStatement([...init, label ? t.labeledStatement(label, whileLoop) : whileLoop]);
}

/** Runs the canonicalization on a function and every function nested in it. */
export function canonicalize(fnPath: NodePath<t.Function>): void {
  const hoist = (fn: t.Function) => {
    const names = hoistVars(fn).filter((n) => !fn.params.some((p) => patternNames(p).includes(n)));
    if (names.length > 0 && t.isBlockStatement(fn.body)) {
      fn.body.body.unshift(
        t.variableDeclaration(
          "var",
          names.map((n) => t.variableDeclarator(t.identifier(n))),
        ),
      );
    }
  };
  hoist(fnPath.node);
  fnPath.traverse({
    Function(p) {
      if (LEFT_AS_WRITTEN.has(p.node)) p.skip();
      else hoist(p.node);
    },
    IfStatement(p) {
      p.node.consequent = asBlock(p.node.consequent);
      if (p.node.alternate && !t.isIfStatement(p.node.alternate)) p.node.alternate = asBlock(p.node.alternate);
    },
    Loop(p) {
      p.node.body = asBlock(p.node.body);
    },
    ForStatement: {
      exit(p) {
        const labelled = p.parentPath.isLabeledStatement();
        const replacement = desugarFor(p.node, labelled ? (p.parentPath.node as t.LabeledStatement).label : undefined);
        (labelled ? p.parentPath : p).replaceWith(replacement);
      },
    },
  });
}
