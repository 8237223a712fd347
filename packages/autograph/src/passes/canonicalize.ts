/**
 * Canonicalization, before the jump passes: puts the function in the few shapes the later
 * passes handle.
 *
 *   if (c) x = 1;                       ->  if (c) { x = 1; }
 *   if (c) { var y = 2; }               ->  var y;  ...  if (c) { y = 2; }
 *   for (let i = 0; i < n; i++) body    ->  { let i = 0; while (i < n) { body; i++; } }
 *
 * JS gives each iteration of a `for (let ...)` loop its own copy of the loop variables, so
 * closures made in the body see their own iteration's value. When the body makes closures,
 * the copy is spelled out (and copied back before the update, which `continue` also runs):
 *
 *   for (let i = 0; i < 3; i++) {       { let i = 0;
 *     fs.push(() => i);            ->     while (i < 3) {
 *   }                                       let i__1 = i;
 *                                           { let i = i__1; fs.push(() => i); i__1 = i; }
 *                                           i = i__1;
 *                                           i++;
 *                                         } }
 *
 * Bodies become blocks (so every jump sits in a statement list). `var`s declared inside
 * blocks are hoisted to the top of their function, where JS puts them anyway, because the
 * blocks will become closures. C-style `for` loops become `while` loops whose last
 * statement is the update, marked so that `continue` still runs it.
 */
import { type NodePath, t } from "../converter/babel.js";
import type { ConversionContext } from "../converter/context.js";
import { patternNames } from "./analysis.js";
import { moveLoopOptions } from "./directives.js";
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

/** True if a function or class (whose methods are functions) occurs in `node`. */
function containsFunction(node: t.Node | null | undefined): boolean {
  if (node === null || node === undefined) return false;
  if (t.isFunction(node) || t.isClass(node)) return true;
  for (const key of t.VISITOR_KEYS[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(child)) {
      for (const c of child) if (containsFunction(c as t.Node)) return true;
    } else if (child !== null && typeof child === "object" && containsFunction(child as t.Node)) return true;
  }
  return false;
}

/** `left = right;`, marked as part of the loop update (so `continue` does not skip it). */
function updateStatement(left: string, right: string): t.ExpressionStatement {
  const stmt = t.expressionStatement(t.assignmentExpression("=", t.identifier(left), t.identifier(right)));
  LOOP_UPDATES.add(stmt);
  return stmt;
}

/**
 * The body of a `for (let ...)` loop run on a per-iteration copy of the loop variables:
 * `let i__1 = i; { let i = i__1; body; i__1 = i; } i = i__1;`. The inner block is needed
 * because the body's `i` shadows the loop's, which the copy back must still reach.
 */
function perIterationBody(body: t.BlockStatement, names: string[], ctx: ConversionContext): t.Statement[] {
  const copies = names.map((name) => ({ name, copy: ctx.freshName(name) }));
  const snapshot = t.variableDeclaration(
    "let",
    copies.map(({ name, copy }) => t.variableDeclarator(t.identifier(copy), t.identifier(name))),
  );
  const inner = t.blockStatement([
    t.variableDeclaration(
      "let",
      copies.map(({ name, copy }) => t.variableDeclarator(t.identifier(name), t.identifier(copy))),
    ),
    ...body.body,
    ...copies.map(({ name, copy }) => updateStatement(copy, name)),
  ]);
  inner.loc = body.loc;
  return [snapshot, inner, ...copies.map(({ name, copy }) => updateStatement(name, copy))];
}

/** `for (init; test; update) body` as `{ init; while (test) { body; update; } }`. */
function desugarFor(loop: t.ForStatement, label: t.Identifier | undefined, ctx: ConversionContext): t.Statement {
  let body = asBlock(loop.body);
  // Only `let` needs copies: a `const` cannot change, and a `var` is one binding anyway.
  const perIteration = t.isVariableDeclaration(loop.init, { kind: "let" }) && containsFunction(body);
  if (perIteration) {
    const names = (loop.init as t.VariableDeclaration).declarations.flatMap((d) => patternNames(d.id));
    body = t.inherits(t.blockStatement(perIterationBody(body, names, ctx)), body);
  }
  if (loop.update) {
    const update = t.expressionStatement(loop.update);
    t.inherits(update, loop.update);
    LOOP_UPDATES.add(update);
    body.body.push(update);
  }
  const whileLoop = t.inherits(t.whileStatement(loop.test ?? t.booleanLiteral(true), body), loop);
  moveLoopOptions(loop, whileLoop);
  const init: t.Statement[] =
    loop.init === null || loop.init === undefined
      ? []
      : [t.isVariableDeclaration(loop.init) ? loop.init : t.expressionStatement(loop.init)];
  return t.blockStatement([...init, label ? t.labeledStatement(label, whileLoop) : whileLoop]);
}

/** Runs the canonicalization on a function and every function nested in it. */
export function canonicalize(fnPath: NodePath<t.Function>, ctx: ConversionContext): void {
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
        const replacement = desugarFor(p.node, labelled ? (p.parentPath.node as t.LabeledStatement).label : undefined, ctx);
        (labelled ? p.parentPath : p).replaceWith(replacement);
      },
    },
  });
}
