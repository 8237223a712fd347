/**
 * Shared helpers for the jump passes (break, continue, return): finding statement lists,
 * the jumps that target a loop, and guarding the statements that follow a jump with its
 * flag. They work on plain nodes; no pass output is produced here.
 *
 *   while (c) { a(); if (d) { break__1 = true; } b(); }
 *   // guardAfterFlags(body, flag "break__1") gives
 *   while (c) { a(); if (d) { break__1 = true; } if (!break__1) { b(); } }
 */
import { type NodePath, t } from "../converter/babel.js";

/** Nested functions the passes leave as written (generators, async functions). */
export const LEFT_AS_WRITTEN = new WeakSet<t.Node>();

/** A visitor entry that keeps Babel traversals out of functions left as written. */
export const skipLeftAsWritten = {
  Function(path: NodePath<t.Function>) {
    if (LEFT_AS_WRITTEN.has(path.node)) path.skip();
  },
};

export type Loop = t.WhileStatement | t.DoWhileStatement | t.ForStatement | t.ForOfStatement | t.ForInStatement;

export function isLoop(node: t.Node | null | undefined): node is Loop {
  return (
    t.isWhileStatement(node) || t.isDoWhileStatement(node) || t.isForStatement(node) || t.isForOfStatement(node) || t.isForInStatement(node)
  );
}

/** The loop a statement in a list stands for (itself, or the body of `label: loop`). */
export function loopOf(stmt: t.Node): { loop: Loop; label: string | undefined } | undefined {
  if (isLoop(stmt)) return { loop: stmt, label: undefined };
  if (t.isLabeledStatement(stmt) && isLoop(stmt.body)) return { loop: stmt.body, label: stmt.label.name };
  return undefined;
}

/** Annotation: extra loop conditions of a for...of/for...in (`!break__1`), which has no test slot. */
const EXTRA_TESTS = new WeakMap<t.Node, t.Expression>();

export function extraTestOf(loop: t.Node): t.Expression | undefined {
  return EXTRA_TESTS.get(loop);
}

/** Adds `condition` to a loop's test: `!flag && test` (or the extra test of a for...of). */
export function addLoopCondition(loop: Loop, condition: t.Expression): void {
  if (t.isForOfStatement(loop) || t.isForInStatement(loop)) {
    const previous = EXTRA_TESTS.get(loop);
    EXTRA_TESTS.set(loop, previous === undefined ? condition : t.logicalExpression("&&", condition, previous));
  } else if (t.isForStatement(loop)) {
    loop.test = loop.test ? t.logicalExpression("&&", condition, loop.test) : condition;
  } else {
    loop.test = t.logicalExpression("&&", condition, loop.test);
  }
}

/** Annotation: the update statement of a desugared `for (;;)`, which `continue` must not skip. */
export const LOOP_UPDATES = new WeakSet<t.Node>();

/** Calls `visit` on every statement list under `node`, innermost first, not entering functions. */
export function forEachStatementList(node: t.Node, visit: (list: t.Statement[], owner: t.Node) => void, enterFunctions = false): void {
  const walk = (n: t.Node | null | undefined): void => {
    if (n === null || n === undefined) return;
    if (t.isFunction(n) && (!enterFunctions || LEFT_AS_WRITTEN.has(n))) return;
    for (const key of t.VISITOR_KEYS[n.type] ?? []) {
      const child = (n as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) for (const c of child) walk(c as t.Node);
      else if (child !== null && typeof child === "object") walk(child as t.Node);
    }
    if (t.isBlockStatement(n) || t.isProgram(n) || t.isStaticBlock(n)) visit(n.body as t.Statement[], n);
    else if (t.isSwitchCase(n)) visit(n.consequent, n);
  };
  walk(node);
}

/** A jump statement found inside a loop or switch, with the list that holds it. */
export interface Jump {
  readonly node: t.BreakStatement | t.ContinueStatement | t.ReturnStatement;
  readonly list: t.Statement[];
  /** True when the jump sits directly in a case of the target switch (not inside a block, try or if). */
  readonly direct: boolean;
}

/**
 * The jumps of `kind` that leave or restart `target`: unlabelled ones not inside an inner
 * loop (or, for break, an inner switch), and labelled ones naming `label`.
 */
export function jumpsTo(target: Loop | t.SwitchStatement, label: string | undefined, kind: "BreakStatement" | "ContinueStatement"): Jump[] {
  const found: Jump[] = [];
  const directLists = new Set<t.Statement[]>(t.isSwitchStatement(target) ? target.cases.map((c) => c.consequent) : []);
  const walk = (n: t.Node | null | undefined, list: t.Statement[] | undefined, inSwitch: boolean, inInnerLoop: boolean): void => {
    if (n === null || n === undefined || t.isFunction(n) || t.isClass(n)) return;
    if (n.type === kind && list !== undefined) {
      const jump = n as t.BreakStatement | t.ContinueStatement;
      const targets = jump.label ? jump.label.name === label : !inInnerLoop && !(kind === "BreakStatement" && inSwitch);
      if (targets) found.push({ node: jump, list, direct: directLists.has(list) });
      return;
    }
    const inner = inInnerLoop || isLoop(n);
    const switching = inSwitch || t.isSwitchStatement(n);
    for (const key of t.VISITOR_KEYS[n.type] ?? []) {
      const child = (n as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) {
        const childList = t.isBlockStatement(n) || t.isSwitchCase(n) ? (child as t.Statement[]) : undefined;
        for (const c of child) walk(c as t.Node, childList, switching, inner);
      } else if (child !== null && typeof child === "object") walk(child as t.Node, undefined, switching, inner);
    }
  };
  if (t.isSwitchStatement(target)) for (const c of target.cases) for (const s of c.consequent) walk(s, c.consequent, false, false);
  else walk(target.body, undefined, false, false);
  return found;
}

/**
 * Replaces a jump with `replacement` (flag assignments). Statements after the jump are
 * unreachable and dropped, except hoisted function declarations.
 */
export function replaceJump(jump: Pick<Jump, "node" | "list">, replacement: t.Statement[], setters: WeakSet<t.Node>): void {
  const index = jump.list.indexOf(jump.node);
  const hoisted = jump.list.slice(index + 1).filter((s) => t.isFunctionDeclaration(s));
  for (const s of replacement) setters.add(s);
  jump.list.splice(index, jump.list.length - index, ...replacement, ...hoisted);
}

/** True if a setter statement occurs in `node` (not inside functions). */
export function containsSetter(node: t.Node | null | undefined, setters: WeakSet<t.Node>, enterLoops = true): boolean {
  if (node === null || node === undefined || t.isFunction(node)) return false;
  if (setters.has(node)) return true;
  if (!enterLoops && isLoop(node)) return false;
  for (const key of t.VISITOR_KEYS[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(child)) {
      for (const c of child) if (containsSetter(c as t.Node, setters, enterLoops)) return true;
    } else if (child !== null && typeof child === "object" && containsSetter(child as t.Node, setters, enterLoops)) return true;
  }
  return false;
}

/**
 * In every statement list under `root` (functions excluded; nested loops only when
 * `enterLoops`), wraps the statements after one that may set `flag` in `if (!flag) { ... }`.
 * The update of a desugared `for (;;)` (last in its body) gets a guard of its own, marked
 * as the update, because a later `continue` must not skip it (`updates: "separate"`:
 * break, return), or stays unguarded (`updates: "unguarded"`: continue, which runs it).
 */
export function guardAfterSetters(
  root: t.BlockStatement | t.SwitchStatement,
  flag: string,
  setters: WeakSet<t.Node>,
  options: { enterLoops: boolean; updates: "separate" | "unguarded" },
): void {
  const guarded = (statements: t.Statement[]) => {
    const guard = t.ifStatement(t.unaryExpression("!", t.identifier(flag)), t.blockStatement(statements));
    guard.loc = statements[0]!.loc ?? null;
    return guard;
  };
  const guardList = (list: t.Statement[], inCase: boolean): void => {
    for (let i = 0; i < list.length; i++) {
      const stmt = list[i]!;
      if (setters.has(stmt) || !containsSetter(stmt, setters, options.enterLoops)) continue;
      // Function declarations are hoisted: they stay at their level, unguarded, so the
      // whole list still sees them (a guard would make them block-scoped).
      const hoisted = list.slice(i + 1).filter((s) => t.isFunctionDeclaration(s));
      const rest = list.slice(i + 1).filter((s) => !t.isFunctionDeclaration(s));
      // A case's closing `break` stays a real break: leaving the switch early is harmless
      // once the flag is set, and a guard would put it inside a function.
      const exits: t.Statement[] = [];
      while (inCase && rest.length > 0 && t.isBreakStatement(rest.at(-1)) && !(rest.at(-1) as t.BreakStatement).label)
        exits.unshift(rest.pop()!);
      const updates: t.Statement[] = [];
      while (rest.length > 0 && LOOP_UPDATES.has(rest.at(-1)!)) updates.unshift(rest.pop()!);
      if (rest.length === 0 && (updates.length === 0 || options.updates === "unguarded")) continue;
      const after = updates.length > 0 && options.updates === "separate" ? [guarded(updates)] : updates;
      for (const s of after) LOOP_UPDATES.add(s);
      list.splice(i + 1, list.length - i - 1, ...(rest.length > 0 ? [guarded(rest)] : []), ...after, ...exits, ...hoisted);
      // The moved statements are guarded again inside the new block, if they set the flag too.
      guardList(rest, false);
      return;
    }
  };
  const guardCases = (node: t.SwitchStatement): void => {
    // A switch is left by falling through the remaining cases, so they are guarded too.
    const first = node.cases.findIndex((c) => containsSetter(c, setters, options.enterLoops));
    if (first < 0) return;
    for (const c of node.cases.slice(first + 1)) {
      const body = [...c.consequent];
      const exits: t.Statement[] = [];
      while (body.length > 0 && t.isBreakStatement(body.at(-1)) && !(body.at(-1) as t.BreakStatement).label) exits.unshift(body.pop()!);
      if (body.length > 0) c.consequent = [guarded(body), ...exits];
    }
  };
  forEachStatementList(root, (list, owner) => {
    if (!options.enterLoops && owner !== root && insideInnerLoop(root, owner)) return;
    for (const stmt of list) if (t.isSwitchStatement(stmt)) guardCases(stmt);
    guardList(list, t.isSwitchCase(owner));
  });
  if (t.isSwitchStatement(root)) guardCases(root);
}

/** True if `owner` lies inside a loop nested in `root`. */
function insideInnerLoop(root: t.Node, owner: t.Node): boolean {
  let found = false;
  const walk = (n: t.Node | null | undefined, inLoop: boolean): void => {
    if (found || n === null || n === undefined || t.isFunction(n)) return;
    if (n === owner) {
      found = inLoop;
      return;
    }
    const loop = inLoop || (n !== root && isLoop(n));
    for (const key of t.VISITOR_KEYS[n.type] ?? []) {
      const child = (n as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) for (const c of child) walk(c as t.Node, loop);
      else if (child !== null && typeof child === "object") walk(child as t.Node, loop);
    }
  };
  walk(root, false);
  return found;
}

/** `let name = false;` */
export function flagDeclaration(name: string): t.VariableDeclaration {
  return t.variableDeclaration("let", [t.variableDeclarator(t.identifier(name), t.booleanLiteral(false))]);
}

/** `name = true;` */
export function setFlag(name: string): t.ExpressionStatement {
  return t.expressionStatement(t.assignmentExpression("=", t.identifier(name), t.booleanLiteral(true)));
}
