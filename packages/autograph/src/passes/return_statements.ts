/**
 * `return`: a return inside a converted `if` or loop would only leave the branch function,
 * so returns assign the result to `retval__` and the function returns it at the end (TF
 * AutoGraph's return_statements). First, code after an `if` whose branch always returns
 * moves into the other branch, which makes most early returns structured:
 *
 *   if (x > 0) {                    let retval__;
 *     return x;                     if (x > 0) {
 *   }                          ->     retval__ = x;
 *   x = -x;                         } else {
 *   return x * 2;                     x = -x;
 *                                     retval__ = x * 2;
 *                                   }
 *                                   return retval__;
 *
 * A return that is not last (inside a loop, or followed by more code) also sets
 * `doReturn__`, which guards the statements after it and stops enclosing loops:
 *
 *   for (const x of xs) {           let doReturn__ = false; let retval__;
 *     if (x > 2) return x;     ->   for (const x of xs) {        // extra test: !doReturn__
 *   }                                 if (x > 2) { retval__ = x; doReturn__ = true; }
 *   return -1;                      }
 *                                   if (!doReturn__) { retval__ = -1; doReturn__ = true; }
 *                                   return retval__;
 */
import { t } from "../converter/babel.js";
import type { ConversionContext } from "../converter/context.js";
import { LEFT_AS_WRITTEN } from "./statements.js";
import { addLoopCondition, containsSetter, guardAfterSetters, isLoop, replaceJump } from "./statements.js";

/** Every path through `stmt` ends in a `return`. */
function alwaysReturns(stmt: t.Statement | null | undefined): boolean {
  if (stmt === null || stmt === undefined) return false;
  if (t.isReturnStatement(stmt)) return true;
  if (t.isBlockStatement(stmt)) return stmt.body.some(alwaysReturns);
  if (t.isIfStatement(stmt)) return alwaysReturns(stmt.consequent) && alwaysReturns(stmt.alternate);
  return false;
}

function appendTo(branch: t.Statement | null | undefined, statements: t.Statement[]): t.BlockStatement {
  if (branch === null || branch === undefined) return t.blockStatement(statements);
  if (t.isBlockStatement(branch)) {
    branch.body.push(...statements);
    return branch;
  }
  return t.blockStatement([branch, ...statements]);
}

/**
 * Moves the statements after an `if` with one always-returning branch into the other
 * branch. Not in switch cases: their closing `break` must stay outside any branch.
 */
function structureReturns(list: t.Statement[], inCase = false): void {
  for (let i = 0; i < list.length; i++) {
    const stmt = list[i]!;
    if (t.isIfStatement(stmt) && i < list.length - 1 && !inCase) {
      const consequentReturns = alwaysReturns(stmt.consequent);
      const alternateReturns = alwaysReturns(stmt.alternate);
      if (consequentReturns !== alternateReturns) {
        // Hoisted function declarations stay where they are: moving them would change their scope.
        const rest = list.slice(i + 1).filter((s) => !t.isFunctionDeclaration(s));
        const kept = list.slice(i + 1).filter((s) => t.isFunctionDeclaration(s));
        if (rest.length > 0) {
          if (consequentReturns) stmt.alternate = appendTo(stmt.alternate, rest);
          else stmt.consequent = appendTo(stmt.consequent, rest);
          list.splice(i + 1, list.length - i - 1, ...kept);
        }
      }
    }
    for (const inner of nestedLists(stmt)) structureReturns(inner, t.isSwitchStatement(stmt));
  }
}

/** Statement lists directly nested in a statement (not inside functions). */
function nestedLists(stmt: t.Node): t.Statement[][] {
  if (t.isBlockStatement(stmt)) return [stmt.body];
  if (t.isIfStatement(stmt))
    return [
      ...nestedLists(stmt.consequent),
      ...(stmt.alternate ? (t.isIfStatement(stmt.alternate) ? nestedLists(stmt.alternate) : nestedLists(stmt.alternate)) : []),
    ];
  if (isLoop(stmt) || t.isLabeledStatement(stmt)) return nestedLists(stmt.body);
  if (t.isTryStatement(stmt))
    return [stmt.block.body, ...(stmt.handler ? [stmt.handler.body.body] : []), ...(stmt.finalizer ? [stmt.finalizer.body] : [])];
  if (t.isSwitchStatement(stmt)) return stmt.cases.map((c) => c.consequent);
  return [];
}

interface FoundReturn {
  readonly node: t.ReturnStatement;
  readonly list: t.Statement[];
  /** Inside an `if` or a loop, which will become functions. */
  readonly nested: boolean;
  /** Nothing can run after it: last in its list, through `if`s and blocks only, up to the function body. */
  readonly tail: boolean;
}

function findReturns(body: t.BlockStatement): FoundReturn[] {
  const found: FoundReturn[] = [];
  const visitList = (list: t.Statement[], nested: boolean, tail: boolean): void => {
    list.forEach((stmt, i) => visit(stmt, list, nested, tail && i === list.length - 1));
  };
  const visit = (stmt: t.Statement, list: t.Statement[], nested: boolean, tail: boolean): void => {
    if (t.isReturnStatement(stmt)) found.push({ node: stmt, list, nested, tail });
    else if (t.isBlockStatement(stmt)) visitList(stmt.body, nested, tail);
    else if (t.isIfStatement(stmt)) {
      visit(stmt.consequent, [stmt.consequent], true, tail);
      if (stmt.alternate) visit(stmt.alternate, [stmt.alternate], true, tail);
    } else if (t.isLabeledStatement(stmt)) visit(stmt.body, [stmt.body], nested, tail);
    else for (const inner of nestedLists(stmt)) visitList(inner, nested || isLoop(stmt), false);
  };
  visitList(body.body, false, true);
  return found;
}

/** Converts the returns of one function (nested functions are converted on their own). */
function convertFunctionReturns(fn: t.Function, ctx: ConversionContext): void {
  if (!t.isBlockStatement(fn.body)) return;
  structureReturns(fn.body.body);
  const returns = findReturns(fn.body);
  if (!returns.some((r) => r.nested)) return;
  const retval = ctx.reservedName("retval__");
  const needFlag = returns.some((r) => !r.tail);
  const doReturn = needFlag ? ctx.reservedName("doReturn__") : undefined;
  const setters = new WeakSet<t.Node>();
  for (const r of returns) {
    const assign = t.inherits(
      t.expressionStatement(t.assignmentExpression("=", t.identifier(retval), r.node.argument ?? t.identifier("undefined"))),
      r.node,
    );
    const replacement: t.Statement[] = [assign];
    if (doReturn !== undefined)
      replacement.push(t.expressionStatement(t.assignmentExpression("=", t.identifier(doReturn), t.booleanLiteral(true))));
    replaceJump(r, replacement, setters);
  }
  const body = fn.body;
  if (doReturn !== undefined) {
    guardAfterSetters(body, doReturn, setters, { enterLoops: true, updates: "separate" });
    const stopLoops = (node: t.Node | null | undefined): void => {
      if (node === null || node === undefined || t.isFunction(node)) return;
      if (isLoop(node) && containsSetter(node.body, setters)) addLoopCondition(node, t.unaryExpression("!", t.identifier(doReturn)));
      for (const key of t.VISITOR_KEYS[node.type] ?? []) {
        const child = (node as unknown as Record<string, unknown>)[key];
        if (Array.isArray(child)) for (const c of child) stopLoops(c as t.Node);
        else if (child !== null && typeof child === "object") stopLoops(child as t.Node);
      }
    };
    stopLoops(body);
    body.body.unshift(t.variableDeclaration("let", [t.variableDeclarator(t.identifier(doReturn), t.booleanLiteral(false))]));
  }
  body.body.unshift(t.variableDeclaration("let", [t.variableDeclarator(t.identifier(retval))]));
  body.body.push(t.returnStatement(t.identifier(retval)));
}

/** Converts returns in `root` and in every function nested in it. */
export function convertReturns(root: t.Function, ctx: ConversionContext): void {
  const visit = (node: t.Node | null | undefined): void => {
    if (node === null || node === undefined || LEFT_AS_WRITTEN.has(node)) return;
    for (const key of t.VISITOR_KEYS[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) for (const c of child) visit(c as t.Node);
      else if (child !== null && typeof child === "object") visit(child as t.Node);
    }
    if (t.isFunction(node)) convertFunctionReturns(node, ctx);
  };
  visit(root);
}
