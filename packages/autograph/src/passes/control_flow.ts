/**
 * Control flow: `if`, `while`, `do...while`, `for...of` and `for...in` statements become
 * calls of runtime operators that run plain JS when the condition or iterable is a JS value
 * and build `If` / `While` graph ops when it is a tensor (TF AutoGraph's control_flow and
 * operators/control_flow.py). Branch and loop bodies become functions; the variables they
 * assign that are needed afterwards (the state, see ./analysis.ts) are read and written
 * through `getState` / `setState` closures, so a traced branch can be run, undone and
 * merged:
 *
 *   if (x > 0) {                 ag__.ifStmt(x > 0, () => {
 *     y = x;                       y = x;
 *   } else {                ->   }, () => {
 *     y = -x;                      y = -x;
 *   }                            }, () => [y], (vars__) => { [y] = vars__; }, ["y"], "f.js:2:3");
 *
 *   while (i < n) {              ag__.whileStmt(() => i < n, () => {
 *     i++;                  ->     i++;
 *   }                            }, () => [i], (vars__) => { [i] = vars__; }, ["i"], "f.js:7:3");
 *
 *   for (const v of xs) {        ag__.forStmt(xs, undefined, (v) => {
 *     s += v;               ->     s += v;
 *   }                            }, () => [s], (vars__) => { [s] = vars__; }, ["s"], "f.js:9:3");
 *
 * An `if` restores every variable it assigns before tracing each branch; when some of them
 * are not needed afterwards, only the first `nouts` names are its outputs (a last
 * argument, as in TF's if_stmt).
 *
 * A `switch` stays JS (its cases compare with `===`), but its value goes through
 * `ag__.switchValue`, which reads an eager tensor and rejects a symbolic one.
 *
 * `do...while` becomes `ag__.doWhileStmt` (same arguments as whileStmt); `for...in` iterates
 * `ag__.forInKeys(obj)`. The extra test of a for...of (from break/return) is its second
 * argument.
 */
import { type NodePath, t } from "../converter/babel.js";
import { skipLeftAsWritten } from "./statements.js";
import type { ConversionContext } from "../converter/context.js";
import { accesses, declaredNames, isLiveAfter, isLiveIntoLoop, patternNames } from "./analysis.js";
import { extraTestOf } from "./statements.js";

type Converted = t.IfStatement | t.WhileStatement | t.DoWhileStatement | t.ForOfStatement | t.ForInStatement;

const ag = (name: string) => t.memberExpression(t.identifier("ag__"), t.identifier(name));
const thunk = (body: t.Expression | t.BlockStatement, params: (t.Identifier | t.Pattern | t.RestElement)[] = []) =>
  t.arrowFunctionExpression(params, body);

function union(...sets: ReadonlySet<string>[]): string[] {
  const out = new Set<string>();
  for (const s of sets) for (const n of s) out.add(n);
  return [...out].sort();
}

/** The names each converted statement must carry as state, computed before anything changes. */
function computeStates(fn: NodePath<t.Function>): { states: Map<t.Node, string[]>; outputCounts: Map<t.Node, number> } {
  const states = new Map<t.Node, string[]>();
  const outputCounts = new Map<t.Node, number>();
  const declared = declaredNames(fn.node);
  const none = t.blockStatement([]);
  fn.traverse({
    ...skipLeftAsWritten,
    IfStatement(path) {
      // Every assigned variable is restored before each branch is traced; those still needed
      // afterwards (listed first) are the outputs.
      const assigned = union(accesses(path.node.consequent).writes, accesses(path.node.alternate ?? none).writes);
      const outputs = assigned.filter((n) => isLiveAfter(path, n, fn, declared));
      states.set(path.node, [...outputs, ...assigned.filter((n) => !outputs.includes(n))]);
      outputCounts.set(path.node, outputs.length);
    },
    "WhileStatement|DoWhileStatement"(path) {
      const node = path.node as t.WhileStatement | t.DoWhileStatement;
      const assigned = union(accesses(node.test).writes, accesses(node.body).writes);
      states.set(
        node,
        assigned.filter((n) => isLiveIntoLoop(node.test, node.body, n) || isLiveAfter(path, n, fn, declared)),
      );
    },
    "ForOfStatement|ForInStatement"(path) {
      const node = path.node as t.ForOfStatement | t.ForInStatement;
      const extra = extraTestOf(node);
      const target = t.isVariableDeclaration(node.left) ? new Set<string>() : new Set(patternNames(node.left));
      const assigned = union(target, accesses(node.body).writes, extra ? accesses(extra).writes : new Set());
      states.set(
        node,
        assigned.filter((n) => isLiveIntoLoop(extra, node.body, n) || isLiveAfter(path, n, fn, declared)),
      );
    },
  });
  return { states, outputCounts };
}

/** `getState, setState, names` arguments for a state. */
function stateArguments(names: string[], ctx: ConversionContext): t.Expression[] {
  const vars = ctx.stateParam;
  const getState = thunk(t.arrayExpression(names.map((n) => t.identifier(n))));
  const setState =
    names.length === 0
      ? thunk(t.blockStatement([]))
      : thunk(
          t.blockStatement([
            t.expressionStatement(t.assignmentExpression("=", t.arrayPattern(names.map((n) => t.identifier(n))), t.identifier(vars))),
          ]),
          [t.identifier(vars)],
        );
  return [getState, setState, t.arrayExpression(names.map((n) => t.stringLiteral(n)))];
}

function asBlock(node: t.Statement | null | undefined): t.BlockStatement {
  if (node === null || node === undefined) return t.blockStatement([]);
  return t.isBlockStatement(node) ? node : t.blockStatement([node]);
}

/** The converted call for one statement (whose inner statements are converted already). */
function convertStatement(node: Converted, state: string[], outputs: number, ctx: ConversionContext): t.CallExpression {
  const loc = ctx.locationLiteral(node);
  const stateArgs = stateArguments(state, ctx);
  if (t.isIfStatement(node)) {
    const count = outputs < state.length ? [t.numericLiteral(outputs)] : [];
    return t.callExpression(ag("ifStmt"), [
      node.test,
      thunk(asBlock(node.consequent)),
      thunk(asBlock(node.alternate)),
      ...stateArgs,
      loc,
      ...count,
    ]);
  }
  if (t.isWhileStatement(node) || t.isDoWhileStatement(node)) {
    const op = t.isWhileStatement(node) ? "whileStmt" : "doWhileStmt";
    return t.callExpression(ag(op), [thunk(node.test), thunk(asBlock(node.body)), ...stateArgs, loc]);
  }
  const body = asBlock(node.body);
  let param: t.Identifier | t.Pattern;
  if (t.isVariableDeclaration(node.left)) param = node.left.declarations[0]!.id as t.Identifier | t.Pattern;
  else {
    // An existing variable (or property) receives each item: assign it first thing in the body.
    const item = t.identifier(ctx.reservedName("item__"));
    body.body.unshift(t.expressionStatement(t.assignmentExpression("=", node.left as t.LVal, item)));
    param = item;
  }
  const iterable = t.isForInStatement(node) ? t.callExpression(ag("forInKeys"), [node.right]) : node.right;
  const extra = extraTestOf(node);
  return t.callExpression(ag("forStmt"), [
    iterable,
    extra ? thunk(extra) : t.identifier("undefined"),
    thunk(body, [param]),
    ...stateArgs,
    loc,
  ]);
}

/** Converts the control-flow statements of a function (and of functions nested in it), innermost first. */
export function convertControlFlow(fn: NodePath<t.Function>, ctx: ConversionContext): void {
  const { states, outputCounts } = computeStates(fn);
  const exit = (path: NodePath) => {
    const node = path.node as Converted;
    const state = states.get(node) ?? [];
    const call = convertStatement(node, state, outputCounts.get(node) ?? state.length, ctx);
    call.loc = node.loc;
    const statement = t.expressionStatement(call);
    statement.loc = node.loc;
    // A label on a converted loop has no jumps left (the jump passes removed them).
    const target = path.parentPath?.isLabeledStatement() ? path.parentPath : path;
    target.replaceWith(statement);
    target.skip();
  };
  fn.traverse({
    ...skipLeftAsWritten,
    SwitchStatement(path) {
      const d = path.node.discriminant;
      if (t.isCallExpression(d) && t.isMemberExpression(d.callee) && t.isIdentifier(d.callee.object, { name: "ag__" })) return;
      path.node.discriminant = t.callExpression(ag("switchValue"), [d, ctx.locationLiteral(path.node)]);
    },
    IfStatement: { exit },
    WhileStatement: { exit },
    DoWhileStatement: { exit },
    ForOfStatement: { exit },
    ForInStatement: { exit },
  });
}
