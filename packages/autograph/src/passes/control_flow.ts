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
 * argument. A loop with options (`setLoopOptions`, see ./directives.ts) gets them as its
 * last argument.
 */
import { type NodePath, t } from "../converter/babel.js";
import { skipLeftAsWritten } from "./statements.js";
import type { ConversionContext } from "../converter/context.js";
import { loopOptionsOf } from "./directives.js";
import { accesses, capturedNames, declaredNames, isLiveAfter, isLiveIntoLoop, patternNames } from "./analysis.js";
import { compositeRead, compositeWrite, memberWrites } from "./member_writes.js";
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

interface States {
  states: Map<t.Node, string[]>;
  outputCounts: Map<t.Node, number>;
  /** Mutations of outer objects that cannot be carried, rejected if the statement becomes a graph op. */
  mutations: Map<t.Node, string[]>;
  /** Mutating method calls on outer objects, rejected if they store a tensor while the statement is traced. */
  watched: Map<t.Node, string[]>;
}

/** The names each converted statement must carry as state, computed before anything changes. */
function computeStates(fn: NodePath<t.Function>, ctx: ConversionContext): States {
  const states = new Map<t.Node, string[]>();
  const outputCounts = new Map<t.Node, number>();
  const mutations = new Map<t.Node, string[]>();
  const watched = new Map<t.Node, string[]>();
  const calls = new Map<t.CallExpression, string>();
  const declared = declaredNames(fn.node);
  const captured = capturedNames(fn.node);
  const none = t.blockStatement([]);
  const live = (path: NodePath, n: string) => isLiveAfter(path, n, fn, declared, captured);
  /** Property chains written in `parts` (cfg.scale), unless their root variable is reassigned there too. */
  const compositesOf = (node: t.Node, parts: (t.Node | null | undefined)[], writes: readonly string[]): string[] => {
    const found = new Set<string>();
    const rejected: string[] = [];
    const ids: string[] = [];
    for (const part of parts) {
      if (part === null || part === undefined) continue;
      const result = memberWrites(part, ctx);
      for (const c of result.composites) if (!writes.includes(c.split(".")[0]!)) found.add(c);
      rejected.push(...result.unsupported);
      for (const call of result.calls) {
        calls.set(call.node, call.id);
        ids.push(call.id);
      }
    }
    if (rejected.length > 0) mutations.set(node, rejected);
    if (ids.length > 0) watched.set(node, ids);
    return [...found].sort();
  };
  fn.traverse({
    ...skipLeftAsWritten,
    IfStatement(path) {
      // Every assigned variable is restored before each branch is traced; those still needed
      // afterwards (listed first) are the outputs.
      const assigned = union(accesses(path.node.consequent).writes, accesses(path.node.alternate ?? none).writes);
      const composites = compositesOf(path.node, [path.node.consequent, path.node.alternate], assigned);
      // A property is an output while its object may be used afterwards (`this` always is).
      const outputs = [
        ...assigned.filter((n) => live(path, n)),
        ...composites.filter((c) => c.startsWith("this.") || live(path, c.split(".")[0]!)),
      ];
      const all = [...assigned, ...composites];
      states.set(path.node, [...outputs, ...all.filter((n) => !outputs.includes(n))]);
      outputCounts.set(path.node, outputs.length);
    },
    "WhileStatement|DoWhileStatement"(path) {
      const node = path.node as t.WhileStatement | t.DoWhileStatement;
      const assigned = union(accesses(node.test).writes, accesses(node.body).writes);
      const composites = compositesOf(node, [node.test, node.body], assigned);
      states.set(node, [...assigned.filter((n) => isLiveIntoLoop(node.test, node.body, n) || live(path, n)), ...composites]);
    },
    "ForOfStatement|ForInStatement"(path) {
      const node = path.node as t.ForOfStatement | t.ForInStatement;
      const extra = extraTestOf(node);
      const target = t.isVariableDeclaration(node.left) ? new Set<string>() : new Set(patternNames(node.left));
      const assigned = union(target, accesses(node.body).writes, extra ? accesses(extra).writes : new Set());
      const composites = compositesOf(node, [node.body, extra], assigned);
      states.set(node, [...assigned.filter((n) => isLiveIntoLoop(extra, node.body, n) || live(path, n)), ...composites]);
    },
  });
  // ag__.callMethod(a, "push", x) -> ag__.checkedCall("a.push(...) at f.js:3:5", a, "push", x)
  for (const [call, id] of calls) {
    call.callee = ag("checkedCall");
    call.arguments.unshift(t.stringLiteral(id));
  }
  return { states, outputCounts, mutations, watched };
}

/** `getState, setState, names` arguments for a state (property chains such as `cfg.scale` included). */
function stateArguments(names: string[], ctx: ConversionContext): t.Expression[] {
  const vars = ctx.stateParam;
  const isComposite = (n: string) => n.includes(".");
  const getState = thunk(t.arrayExpression(names.map((n) => (isComposite(n) ? compositeRead(n) : t.identifier(n)))));
  const plain = names.some((n) => !isComposite(n))
    ? [
        t.expressionStatement(
          t.assignmentExpression("=", t.arrayPattern(names.map((n) => (isComposite(n) ? null : t.identifier(n)))), t.identifier(vars)),
        ),
      ]
    : [];
  // Properties are written after the variables, so a property of a restored object lands on it.
  const properties = names.flatMap((n, i) =>
    isComposite(n) ? [compositeWrite(n, t.memberExpression(t.identifier(vars), t.numericLiteral(i), true))] : [],
  );
  const setState =
    names.length === 0 ? thunk(t.blockStatement([])) : thunk(t.blockStatement([...plain, ...properties]), [t.identifier(vars)]);
  return [getState, setState, t.arrayExpression(names.map((n) => t.stringLiteral(n)))];
}

function asBlock(node: t.Statement | null | undefined): t.BlockStatement {
  if (node === null || node === undefined) return t.blockStatement([]);
  return t.isBlockStatement(node) ? node : t.blockStatement([node]);
}

/** The converted call for one statement (whose inner statements are converted already). */
function convertStatement(
  node: Converted,
  state: string[],
  outputs: number,
  mutations: readonly string[],
  watched: readonly string[],
  ctx: ConversionContext,
): t.CallExpression {
  const loc = ctx.locationLiteral(node);
  const stateArgs = stateArguments(state, ctx);
  // Mutations the state cannot carry: the operator rejects them if it builds a graph op.
  const list = (items: readonly string[]) => t.arrayExpression(items.map((m) => t.stringLiteral(m)));
  const rejected = mutations.length > 0 || watched.length > 0 ? [list(mutations), ...(watched.length > 0 ? [list(watched)] : [])] : [];
  // Options from a setLoopOptions directive (./directives.ts) come last.
  const options = loopOptionsOf(node);
  const loopTail = options === undefined ? rejected : [list(mutations), list(watched), options];
  if (t.isIfStatement(node)) {
    const count = outputs < state.length || rejected.length > 0 ? [t.numericLiteral(outputs), ...rejected] : [];
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
    return t.callExpression(ag(op), [thunk(node.test), thunk(asBlock(node.body)), ...stateArgs, loc, ...loopTail]);
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
    ...loopTail,
  ]);
}

/** Converts the control-flow statements of a function (and of functions nested in it), innermost first. */
export function convertControlFlow(fn: NodePath<t.Function>, ctx: ConversionContext): void {
  const { states, outputCounts, mutations, watched } = computeStates(fn, ctx);
  const exit = (path: NodePath) => {
    const node = path.node as Converted;
    const state = states.get(node) ?? [];
    const call = convertStatement(
      node,
      state,
      outputCounts.get(node) ?? state.length,
      mutations.get(node) ?? [],
      watched.get(node) ?? [],
      ctx,
    );
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
