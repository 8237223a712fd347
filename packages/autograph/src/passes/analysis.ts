/**
 * Analysis: what names a piece of code reads and assigns, and which assigned names are
 * still needed afterwards. The control-flow pass asks these questions to choose the state
 * of each converted `if` and loop (TF AutoGraph's activity and liveness analyses):
 *
 *   let s = 0, t;                  // assigned in the loop: s, t, i
 *   for (const x of xs) {          //   s is read before it is assigned: loop-carried
 *     t = x * 2;                   //   t is assigned before any read and unused after: local
 *     s += t;
 *   }
 *   return s;                      // s is live after the loop
 *
 * Nothing is emitted: the functions below only read the AST. They are conservative: when
 * unsure, a name counts as read, so it is carried as state rather than silently dropped.
 */
import { type NodePath, t } from "../converter/babel.js";

/** Names read and assigned by a subtree, excluding names declared inside it. */
export interface Accesses {
  readonly reads: ReadonlySet<string>;
  readonly writes: ReadonlySet<string>;
}

const TS_EXPRESSIONS = new Set([
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSNonNullExpression",
  "TSTypeAssertion",
  "TSInstantiationExpression",
]);
const SKIPPED_KEYS = new Set([
  "typeAnnotation",
  "typeParameters",
  "returnType",
  "superTypeParameters",
  "implements",
  "predicate",
  "decorators",
]);

/** The names a declaration pattern binds (`[a, { b }] = ...` binds a and b). */
export function patternNames(pattern: t.Node | null | undefined, out: string[] = []): string[] {
  if (pattern === null || pattern === undefined) return out;
  switch (pattern.type) {
    case "Identifier":
      out.push(pattern.name);
      break;
    case "ArrayPattern":
      for (const element of pattern.elements) patternNames(element, out);
      break;
    case "ObjectPattern":
      for (const property of pattern.properties) patternNames(property.type === "RestElement" ? property : property.value, out);
      break;
    case "AssignmentPattern":
      patternNames(pattern.left, out);
      break;
    case "RestElement":
      patternNames(pattern.argument, out);
      break;
    case "TSParameterProperty":
      patternNames(pattern.parameter, out);
      break;
    default:
      break;
  }
  return out;
}

/** `var` names declared in a function body, not looking into nested functions. */
export function varNames(body: t.Node): string[] {
  const out: string[] = [];
  const visit = (node: t.Node | null | undefined): void => {
    if (node === null || node === undefined || t.isFunction(node) || t.isClass(node)) return;
    if (t.isVariableDeclaration(node) && node.kind === "var") for (const d of node.declarations) patternNames(d.id, out);
    for (const key of t.VISITOR_KEYS[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) for (const c of child) visit(c as t.Node);
      else if (child !== null && typeof child === "object") visit(child as t.Node);
    }
  };
  visit(body);
  return out;
}

/** Names declared directly in a block-like statement list (let, const, class, function). */
function lexicalNames(statements: readonly t.Node[]): string[] {
  const out: string[] = [];
  for (const s of statements) {
    const stmt = t.isExportNamedDeclaration(s) || t.isExportDefaultDeclaration(s) ? s.declaration : s;
    if (t.isVariableDeclaration(stmt) && stmt.kind !== "var") for (const d of stmt.declarations) patternNames(d.id, out);
    else if ((t.isFunctionDeclaration(stmt) || t.isClassDeclaration(stmt)) && stmt.id) out.push(stmt.id.name);
  }
  return out;
}

type Visit = (name: string, access: "read" | "write" | "readwrite", node: t.Identifier) => void;

/**
 * Walks a subtree calling `visit` for every access to a name that is not declared inside
 * the subtree (an inner declaration shadows it). Type annotations are skipped.
 */
export function forEachOuterAccess(root: t.Node, visit: Visit): void {
  const scopes: Set<string>[] = [];
  const shadowed = (name: string) => scopes.some((s) => s.has(name));
  const report = (id: t.Identifier, access: "read" | "write" | "readwrite") => {
    if (!shadowed(id.name)) visit(id.name, access, id);
  };
  const withScope = (names: Iterable<string>, fn: () => void) => {
    scopes.push(new Set(names));
    try {
      fn();
    } finally {
      scopes.pop();
    }
  };

  const target = (pattern: t.Node | null | undefined, access: "write" | "readwrite"): void => {
    if (pattern === null || pattern === undefined) return;
    switch (pattern.type) {
      case "Identifier":
        report(pattern, access);
        return;
      case "ArrayPattern":
        for (const e of pattern.elements) target(e, access);
        return;
      case "ObjectPattern":
        for (const p of pattern.properties) {
          if (p.type === "RestElement") target(p.argument, access);
          else {
            if (p.computed) walk(p.key, p);
            target(p.value, access);
          }
        }
        return;
      case "AssignmentPattern":
        target(pattern.left, access);
        walk(pattern.right, pattern);
        return;
      case "RestElement":
        target(pattern.argument, access);
        return;
      default:
        if (TS_EXPRESSIONS.has(pattern.type)) target((pattern as t.TSAsExpression).expression, access);
        else walk(pattern, undefined); // a member expression: its object and key are read
    }
  };

  /** Defaults and computed keys inside a declaration pattern are reads; its names are not accesses. */
  const declarationPattern = (pattern: t.Node | null | undefined): void => {
    if (pattern === null || pattern === undefined) return;
    switch (pattern.type) {
      case "ArrayPattern":
        for (const e of pattern.elements) declarationPattern(e);
        return;
      case "ObjectPattern":
        for (const p of pattern.properties) {
          if (p.type === "RestElement") declarationPattern(p.argument);
          else {
            if (p.computed) walk(p.key, p);
            declarationPattern(p.value);
          }
        }
        return;
      case "AssignmentPattern":
        declarationPattern(pattern.left);
        walk(pattern.right, pattern);
        return;
      case "RestElement":
        declarationPattern(pattern.argument);
        return;
      case "TSParameterProperty":
        declarationPattern(pattern.parameter);
        return;
      default:
        return;
    }
  };

  const children = (node: t.Node): void => {
    for (const key of t.VISITOR_KEYS[node.type] ?? []) {
      if (SKIPPED_KEYS.has(key)) continue;
      const child = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) for (const c of child) walk(c as t.Node, node);
      else if (child !== null && typeof child === "object") walk(child as t.Node, node);
    }
  };

  const fn = (node: t.Function): void => {
    const names: string[] = [];
    for (const p of node.params) patternNames(p, names);
    if (t.isFunctionExpression(node) && node.id) names.push(node.id.name);
    if (t.isBlockStatement(node.body)) names.push(...varNames(node.body));
    // An arrow has no `arguments` of its own: it reads its enclosing function's.
    if (!t.isArrowFunctionExpression(node)) names.push("arguments");
    withScope(names, () => {
      for (const p of node.params) declarationPattern(p);
      if (t.isObjectMethod(node) || t.isClassMethod(node) || t.isClassPrivateMethod(node)) {
        if (node.computed) walk(node.key, node);
      }
      walk(node.body, node);
    });
  };

  function walk(node: t.Node | null | undefined, parent: t.Node | undefined, grandparent?: t.Node): void {
    if (node === null || node === undefined) return;
    if (node.type.startsWith("TS") && !TS_EXPRESSIONS.has(node.type)) return;
    switch (node.type) {
      case "Identifier":
        if (parent === undefined || t.isReferenced(node, parent, grandparent)) report(node, "read");
        return;
      case "AssignmentExpression":
        target(node.left, node.operator === "=" ? "write" : "readwrite");
        walk(node.right, node);
        return;
      case "UpdateExpression":
        target(node.argument, "readwrite");
        return;
      case "VariableDeclarator":
        declarationPattern(node.id);
        walk(node.init, node);
        return;
      case "ForOfStatement":
      case "ForInStatement": {
        const decl = t.isVariableDeclaration(node.left) && node.left.kind !== "var" ? patternNames(node.left.declarations[0]!.id) : [];
        walk(node.right, node);
        withScope(decl, () => {
          if (t.isVariableDeclaration(node.left)) declarationPattern(node.left.declarations[0]!.id);
          else target(node.left, "write");
          walk(node.body, node);
        });
        return;
      }
      case "ForStatement": {
        const decl =
          t.isVariableDeclaration(node.init) && node.init.kind !== "var" ? node.init.declarations.flatMap((d) => patternNames(d.id)) : [];
        withScope(decl, () => children(node));
        return;
      }
      case "BlockStatement":
      case "Program":
      case "StaticBlock":
        withScope(lexicalNames(node.body), () => children(node));
        return;
      case "SwitchStatement":
        walk(node.discriminant, node);
        withScope(lexicalNames(node.cases.flatMap((c) => c.consequent)), () => {
          for (const c of node.cases) children(c);
        });
        return;
      case "CatchClause":
        withScope(patternNames(node.param), () => {
          declarationPattern(node.param);
          walk(node.body, node);
        });
        return;
      case "ClassDeclaration":
      case "ClassExpression":
        withScope(node.id ? [node.id.name] : [], () => {
          walk(node.superClass, node);
          walk(node.body, node);
        });
        return;
      case "LabeledStatement":
        walk(node.body, node);
        return;
      case "BreakStatement":
      case "ContinueStatement":
        return;
      case "MemberExpression":
      case "OptionalMemberExpression":
        walk(node.object, node);
        if (node.computed) walk(node.property, node);
        return;
      case "ObjectProperty":
        if (node.computed) walk(node.key, node);
        else if (node.shorthand && t.isIdentifier(node.value)) report(node.value, "read");
        if (!node.shorthand) walk(node.value, node, parent);
        return;
      case "ClassProperty":
      case "ClassPrivateProperty":
      case "ClassAccessorProperty":
        if ("computed" in node && node.computed) walk(node.key as t.Node, node);
        withScope(["arguments"], () => walk(node.value, node));
        return;
      case "MetaProperty":
      case "PrivateName":
        return;
      default:
        if (t.isFunction(node)) {
          fn(node);
          return;
        }
        children(node);
    }
  }

  walk(root, undefined);
}

/** Names read and assigned in `node` that refer to bindings outside it. */
export function accesses(node: t.Node): Accesses {
  const reads = new Set<string>();
  const writes = new Set<string>();
  forEachOuterAccess(node, (name, access) => {
    if (access !== "write") reads.add(name);
    if (access !== "read") writes.add(name);
  });
  return { reads, writes };
}

/** True if `node` reads `name` (an outer binding of it) anywhere, closures included. */
export function readsName(node: t.Node | null | undefined, name: string): boolean {
  if (node === null || node === undefined) return false;
  let found = false;
  forEachOuterAccess(node, (n, access) => {
    if (n === name && access !== "write") found = true;
  });
  return found;
}

/** True if a statement list declares its own `name` (`let`, `const`, class or function), shadowing the outer one. */
function declaresInList(list: readonly t.Statement[], name: string): boolean {
  return list.some(
    (s) =>
      (t.isVariableDeclaration(s) && s.kind !== "var" && s.declarations.some((d) => patternNames(d.id).includes(name))) ||
      ((t.isClassDeclaration(s) || t.isFunctionDeclaration(s)) && s.id?.name === name),
  );
}

/** True if a jump (`break`, `continue`, `return`) that could skip later statements occurs in `node`, outside functions. */
function containsJump(node: t.Node | null | undefined): boolean {
  if (node === null || node === undefined || t.isFunction(node)) return false;
  if (t.isBreakStatement(node) || t.isContinueStatement(node) || t.isReturnStatement(node)) return true;
  for (const key of t.VISITOR_KEYS[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(child)) {
      for (const c of child) if (containsJump(c as t.Node)) return true;
    } else if (child !== null && typeof child === "object" && containsJump(child as t.Node)) return true;
  }
  return false;
}

/**
 * True if the statement always assigns `name` before reading it: `name = expr;`, a block
 * whose statements do so before any read (with no jump that could skip the assignment),
 * or an `if` whose both branches do. Loops never do: they may run zero times.
 */
export function definitelyAssigns(stmt: t.Node, name: string): boolean {
  if (t.isExpressionStatement(stmt)) {
    const expr = stmt.expression;
    return t.isAssignmentExpression(expr) && expr.operator === "=" && t.isIdentifier(expr.left, { name }) && !readsName(expr.right, name);
  }
  if (t.isBlockStatement(stmt)) {
    if (declaresInList(stmt.body, name)) return false;
    for (const s of stmt.body) {
      if (readsName(s, name) || containsJump(s)) return false;
      if (definitelyAssigns(s, name)) return true;
    }
    return false;
  }
  if (t.isIfStatement(stmt)) {
    return (
      stmt.alternate !== null &&
      stmt.alternate !== undefined &&
      !readsName(stmt.test, name) &&
      definitelyAssigns(stmt.consequent, name) &&
      definitelyAssigns(stmt.alternate, name)
    );
  }
  return false;
}

/**
 * Does a loop read the value `name` has when the loop starts (or when an iteration ends)?
 * Not if its condition does not read it and every iteration assigns it before reading it;
 * the value still flows past the loop, which may run zero times.
 */
function loopReadsIncoming(loop: t.Node, name: string): boolean {
  if (t.isWhileStatement(loop)) return isLiveIntoLoop(loop.test, loop.body, name);
  if (t.isDoWhileStatement(loop)) return isLiveIntoLoop(undefined, loop.body, name) || readsName(loop.test, name);
  if (t.isForOfStatement(loop) || t.isForInStatement(loop)) {
    if (readsName(loop.right, name) || readsName(loop.left, name)) return true;
    return isLiveIntoLoop(undefined, loop.body, name);
  }
  return readsName(loop, name);
}

/** Names declared anywhere in a function (its parameters and every declaration inside). */
export function declaredNames(fn: t.Function): Set<string> {
  const names = new Set<string>();
  for (const p of fn.params) for (const n of patternNames(p)) names.add(n);
  if (t.isFunctionExpression(fn) && fn.id) names.add(fn.id.name);
  const visit = (node: t.Node | null | undefined): void => {
    if (node === null || node === undefined) return;
    if (t.isVariableDeclarator(node)) for (const n of patternNames(node.id)) names.add(n);
    if ((t.isFunctionDeclaration(node) || t.isClassDeclaration(node)) && node.id) names.add(node.id.name);
    if (t.isCatchClause(node)) for (const n of patternNames(node.param)) names.add(n);
    if (t.isFunction(node)) for (const p of node.params) for (const n of patternNames(p)) names.add(n);
    for (const key of t.VISITOR_KEYS[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) for (const c of child) visit(c as t.Node);
      else if (child !== null && typeof child === "object") visit(child as t.Node);
    }
  };
  visit(fn.body);
  return names;
}

const LOOP_TYPES = new Set(["WhileStatement", "DoWhileStatement", "ForStatement", "ForOfStatement", "ForInStatement"]);

/**
 * Could `name` be read after the statement at `path` finishes, before being overwritten?
 * Walks the following statements outwards to the converted function `root`. A name the
 * function does not declare (a captured variable) is always live: others may read it.
 */
export function isLiveAfter(
  path: NodePath,
  name: string,
  root: NodePath<t.Function>,
  rootDeclared: ReadonlySet<string>,
  captured: ReadonlySet<string> = capturedNames(root.node),
): boolean {
  // A closure may read it whenever it is called, later or not: always live.
  if (captured.has(name)) return true;
  let current: NodePath = path;
  while (current !== root) {
    const container = current.container;
    if (Array.isArray(container) && typeof current.key === "number") {
      for (const sibling of container.slice(current.key + 1) as t.Node[]) {
        // A loop that overwrites the name before every read lets the value pass through.
        if (LOOP_TYPES.has(sibling.type) && !loopReadsIncoming(sibling, name)) continue;
        if (readsName(sibling, name)) return true;
        if (definitelyAssigns(sibling, name)) return false;
      }
    }
    const parent = current.parentPath;
    if (parent === null) return true;
    if (parent === root) break;
    if (parent.isFunction()) {
      // The end of a nested function: the closure may run again and read what it wrote.
      return !declaredNames(parent.node).has(name);
    }
    if (LOOP_TYPES.has(parent.node.type)) {
      // The next iteration may read it, unless each iteration overwrites it first.
      if (loopReadsIncoming(parent.node, name)) return true;
    } else if (parent.isSwitchStatement() || parent.isTryStatement()) {
      // A later case or a handler may read it.
      if (readsName(parent.node, name)) return true;
    }
    current = parent;
  }
  return !rootDeclared.has(name);
}

/** Names of `fn`'s scope (or outer ones) that functions nested in `fn` read or write. */
export function capturedNames(fn: t.Function): Set<string> {
  const found = new Set<string>();
  const visit = (node: t.Node | null | undefined): void => {
    if (node === null || node === undefined) return;
    if (t.isFunction(node)) {
      forEachOuterAccess(node, (name) => found.add(name));
      return;
    }
    for (const key of t.VISITOR_KEYS[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) for (const c of child) visit(c as t.Node);
      else if (child !== null && typeof child === "object") visit(child as t.Node);
    }
  };
  visit(fn.body);
  return found;
}

/**
 * Is `name` read in a loop before the loop body assigns it (so its value flows from the
 * previous iteration or from before the loop)?
 */
export function isLiveIntoLoop(test: t.Node | null | undefined, body: t.Node, name: string): boolean {
  if (readsName(test, name)) return true;
  const statements = t.isBlockStatement(body) ? body.body : [body];
  for (const stmt of statements) {
    if (readsName(stmt, name)) return true;
    if (definitelyAssigns(stmt, name)) return false;
  }
  return false;
}
