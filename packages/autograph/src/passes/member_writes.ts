/**
 * Writes to properties of objects that live outside a converted `if` or loop. A traced
 * branch or loop body runs once at trace time, so such a write is a side effect that the
 * `If` / `While` op would not see. Like TF AutoGraph's composite names, a plain property
 * chain of a variable or `this` (`cfg.scale`, `this.n`, `o.a.b`) is carried as state:
 *
 *   const cfg = { scale: 1 };
 *   if (x > 0) cfg.scale = 2;     // state: ["cfg.scale"], read as cfg?.scale,
 *   else cfg.scale = 3;           // written back with ag__.setMember(cfg, "scale", v)
 *
 * Writes that cannot be carried (a computed key `a[i] = v`, `delete o.p`, a property of a
 * call's result) are listed with their locations; the runtime operators reject them when
 * the statement becomes a graph op and keep JS meaning otherwise. Mutating method calls
 * (`a.push(x)`) on outer arrays, maps and sets stay trace-time side effects (SPEC G4: a
 * traced body runs once, as in TF) unless they store a tensor: those are rejected then.
 */
import { generate, t } from "../converter/babel.js";
import type { ConversionContext } from "../converter/context.js";
import { patternNames } from "./analysis.js";

/** Methods that change an array, map or set in place (checked at run time: tf.add is not one). */
const MUTATORS = new Set(["push", "unshift", "splice", "fill", "set", "add", "copyWithin"]);

export interface MemberWrites {
  /** `ag__.callMethod(a, "push", ...)` calls on outer objects, with their descriptions (`a.push(...) at f.js:3:5`). */
  readonly calls: { node: t.CallExpression; id: string }[];
  /** Property chains carried as state (`cfg.scale`, `this.n`), sorted. */
  readonly composites: string[];
  /** Writes that cannot be carried, as `a[i] at file:line:col`. */
  readonly unsupported: string[];
}

/** Names declared anywhere inside `node` (objects created there may be mutated freely). */
function declaredInside(node: t.Node): Set<string> {
  const names = new Set<string>();
  const visit = (n: t.Node | null | undefined): void => {
    if (n === null || n === undefined) return;
    if (t.isVariableDeclarator(n)) patternNames(n.id, []).forEach((x) => names.add(x));
    if ((t.isFunctionDeclaration(n) || t.isClassDeclaration(n)) && n.id) names.add(n.id.name);
    if (t.isFunction(n)) for (const p of n.params) patternNames(p, []).forEach((x) => names.add(x));
    if (t.isCatchClause(n)) patternNames(n.param, []).forEach((x) => names.add(x));
    for (const key of t.VISITOR_KEYS[n.type] ?? []) {
      const child = (n as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) for (const c of child) visit(c as t.Node);
      else if (child !== null && typeof child === "object") visit(child as t.Node);
    }
  };
  visit(node);
  return names;
}

function stripTs(node: t.Node): t.Node {
  while (t.isTSAsExpression(node) || t.isTSNonNullExpression(node) || t.isTSSatisfiesExpression(node) || t.isParenthesizedExpression(node))
    node = node.expression;
  return node;
}

/** The object a member chain starts from (`a` in `a.b[c].d`). */
function chainRoot(node: t.Node): t.Node {
  node = stripTs(node);
  while (t.isMemberExpression(node) || t.isOptionalMemberExpression(node)) node = stripTs(node.object);
  return node;
}

/** `cfg.scale` for a chain of plain property names on a variable or `this`; otherwise undefined. */
function compositeName(node: t.Node): string | undefined {
  node = stripTs(node);
  if (t.isIdentifier(node)) return node.name;
  if (t.isThisExpression(node)) return "this";
  if (!t.isMemberExpression(node) || node.computed || !t.isIdentifier(node.property)) return undefined;
  const object = compositeName(node.object);
  return object === undefined ? undefined : `${object}.${node.property.name}`;
}

function describe(node: t.Node): string {
  const text = generate(node, { compact: true }).code;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The property writes and mutations in `node` (a converted statement) of objects from outside it. */
export function memberWrites(node: t.Node, ctx: ConversionContext): MemberWrites {
  const inner = declaredInside(node);
  const composites = new Set<string>();
  const unsupported: string[] = [];
  const calls: { node: t.CallExpression; id: string }[] = [];
  /** Is the chain's root an object from outside the statement (`this` only outside nested non-arrow functions)? */
  const outer = (target: t.Node, ownThis: boolean): boolean => {
    const root = chainRoot(target);
    if (t.isIdentifier(root)) return !inner.has(root.name) && root.name !== "ag__";
    if (t.isThisExpression(root)) return !ownThis;
    return true; // f().x = ...: an object from somewhere else
  };
  const reject = (what: string, at: t.Node) => unsupported.push(`${what} at ${ctx.location(at)}`);

  const target = (pattern: t.Node | null | undefined, ownThis: boolean, at: t.Node): void => {
    if (pattern === null || pattern === undefined) return;
    const p = stripTs(pattern);
    if (t.isMemberExpression(p) || t.isOptionalMemberExpression(p)) {
      if (!outer(p, ownThis)) return;
      const name = compositeName(p);
      if (name !== undefined) composites.add(name);
      else reject(describe(p), at);
    } else if (t.isArrayPattern(p)) for (const e of p.elements) target(e, ownThis, at);
    else if (t.isObjectPattern(p)) for (const q of p.properties) target(t.isRestElement(q) ? q.argument : q.value, ownThis, at);
    else if (t.isAssignmentPattern(p)) target(p.left, ownThis, at);
    else if (t.isRestElement(p)) target(p.argument, ownThis, at);
  };

  const walk = (n: t.Node | null | undefined, ownThis: boolean): void => {
    if (n === null || n === undefined) return;
    if (t.isFunction(n) && !t.isArrowFunctionExpression(n)) ownThis = true;
    if (t.isAssignmentExpression(n)) target(n.left, ownThis, n);
    else if (t.isUpdateExpression(n)) target(n.argument, ownThis, n);
    else if ((t.isForOfStatement(n) || t.isForInStatement(n)) && !t.isVariableDeclaration(n.left)) target(n.left, ownThis, n);
    else if (t.isUnaryExpression(n, { operator: "delete" })) {
      const arg = stripTs(n.argument);
      if ((t.isMemberExpression(arg) || t.isOptionalMemberExpression(arg)) && outer(arg, ownThis)) reject(describe(n), n);
    } else if (t.isCallExpression(n) && t.isMemberExpression(n.callee) && t.isIdentifier(n.callee.object, { name: "ag__" })) {
      // The call pass turned `a.push(x)` into `ag__.callMethod(a, "push", x)` (checkedCall once rewritten).
      const method = (n.callee.property as t.Identifier).name;
      const [first, second, third] = n.arguments;
      const [object, key] = method === "callMethod" ? [first, second] : method === "checkedCall" ? [second, third] : [];
      if (object !== undefined && t.isStringLiteral(key) && MUTATORS.has(key.value) && outer(object, ownThis)) {
        calls.push({
          node: n,
          id: method === "checkedCall" ? (first as t.StringLiteral).value : `${describe(object)}.${key.value}(...) at ${ctx.location(n)}`,
        });
      }
    }
    for (const key of t.VISITOR_KEYS[n.type] ?? []) {
      const child = (n as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) for (const c of child) walk(c as t.Node, ownThis);
      else if (child !== null && typeof child === "object") walk(child as t.Node, ownThis);
    }
  };
  walk(node, false);
  return { composites: [...composites].filter((n) => n.includes(".")).sort(), unsupported, calls };
}

/** `cfg?.scale`: reading a carried property never throws, even before its object exists. */
export function compositeRead(name: string): t.Expression {
  const [root, ...keys] = name.split(".");
  let expr: t.Expression = root === "this" ? t.thisExpression() : t.identifier(root!);
  for (const key of keys) expr = t.optionalMemberExpression(expr, t.identifier(key), false, true);
  return expr;
}

/** `ag__.setMember(cfg?.a, "b", value)`: writes a carried property back (skipped when its object is gone). */
export function compositeWrite(name: string, value: t.Expression): t.Statement {
  const keys = name.split(".");
  const last = keys.pop()!;
  const object = compositeRead(keys.join("."));
  return t.expressionStatement(
    t.callExpression(t.memberExpression(t.identifier("ag__"), t.identifier("setMember")), [object, t.stringLiteral(last), value]),
  );
}
