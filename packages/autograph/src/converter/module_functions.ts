/**
 * What module conversion asks about a module's functions: which bindings always hold one
 * function defined in the module (a converted twin can stand for it), which functions a
 * function calls by name, and where a node is in the file now that conversions moved things.
 *
 *   function helper(x) { ... }       // a function binding: a twin can stand for it
 *   const relu = (x) => ...;         // likewise (a const holding a function literal)
 *   const scale5 = makeScaler(5);    // not one: what it holds is only known when it runs
 */
import type { Binding } from "@babel/traverse";
import { type NodePath, t, traverse } from "./babel.js";

/** A declaration that a twin can stand for: `function f() {}` or `const f = () => {}`. */
export type Declaration = t.FunctionDeclaration | t.VariableDeclarator;

/** Babel caches paths by node; after nodes move, traversals must start fresh. */
export function clearPathCache(): void {
  (traverse as unknown as { cache: { clear(): void } }).cache.clear();
}

/** The binding itself when it always holds one function defined in the module. */
export function functionBinding(binding: Binding | undefined): Binding | undefined {
  if (binding === undefined) return undefined;
  if (binding.path.isFunctionDeclaration() && binding.constant) return binding;
  if (binding.path.isVariableDeclarator() && binding.constant && binding.kind === "const") {
    const init = binding.path.node.init;
    if (t.isFunctionExpression(init) || t.isArrowFunctionExpression(init)) return binding;
  }
  return undefined;
}

/** The function a declaration holds. */
export function functionOf(declaration: Declaration): t.Function | undefined {
  return t.isFunctionDeclaration(declaration) ? declaration : ((declaration.init as t.Function | null | undefined) ?? undefined);
}

const CONTROL_FLOW = new Set([
  "IfStatement",
  "WhileStatement",
  "DoWhileStatement",
  "ForStatement",
  "ForOfStatement",
  "ForInStatement",
  "ConditionalExpression",
  "LogicalExpression",
]);

/** Does a function contain statements or expressions AutoGraph converts into graph control flow? */
export function hasControlFlow(node: t.Node | null | undefined): boolean {
  if (node === null || node === undefined) return false;
  if (CONTROL_FLOW.has(node.type)) return true;
  return (t.VISITOR_KEYS[node.type] ?? []).some((key) => {
    const child = (node as unknown as Record<string, unknown>)[key];
    return Array.isArray(child)
      ? child.some((c) => hasControlFlow(c as t.Node))
      : typeof child === "object" && hasControlFlow(child as t.Node);
  });
}

/** Does converted code use the runtime (`ag__.x`)? If not, conversion changed nothing that matters. */
export function usesRuntime(node: t.Node | null | undefined): boolean {
  if (node === null || node === undefined) return false;
  if (t.isMemberExpression(node) && t.isIdentifier(node.object, { name: "ag__" })) return true;
  return (t.VISITOR_KEYS[node.type] ?? []).some((key) => {
    const child = (node as unknown as Record<string, unknown>)[key];
    return Array.isArray(child) ? child.some((c) => usesRuntime(c as t.Node)) : typeof child === "object" && usesRuntime(child as t.Node);
  });
}

/** The current path of `node` in `file`. */
export function pathOf(file: t.File, node: t.Node): NodePath | undefined {
  clearPathCache();
  let found: NodePath | undefined;
  traverse(file, {
    enter(path) {
      if (path.node === node) {
        found = path;
        path.stop();
      }
    },
  });
  return found;
}

/** The declarations of module functions (declared outside `fn`) that `fn` calls by name. */
export function calledFunctions(file: t.File, fn: t.Node): Declaration[] {
  const found: Declaration[] = [];
  const path = pathOf(file, fn);
  path?.traverse({
    CallExpression(call) {
      if (!t.isIdentifier(call.node.callee)) return;
      const binding = functionBinding(call.scope.getBinding(call.node.callee.name));
      if (binding !== undefined && binding.path.findParent((p) => p.node === fn) === null) found.push(binding.path.node as Declaration);
    },
  });
  return found;
}
