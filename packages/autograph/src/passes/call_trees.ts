/**
 * Call wrapping: calls go through `ag__.call` / `ag__.callMethod`, which convert the called
 * user function too (recursively, once, cached) and call Kiln's own and native functions
 * as they are (TF AutoGraph's call_trees / converted_call):
 *
 *   const y = helper(x);            ->  const y = ag__.call(helper, x);
 *   const z = this.layer.apply(y);  ->  const z = ag__.callMethod(this.layer, "apply", y);
 *
 * Left alone: calls of well-known globals (`console.log`, `Math.max`, ...) and of the `tf`
 * namespace (Kiln's own), calls of functions defined inside the converted function (they
 * are converted in place), `super(...)`, `import(...)`, optional calls, `new`, and calls of
 * private methods.
 */
import { type NodePath, t } from "../converter/babel.js";
import { skipLeftAsWritten } from "./statements.js";

/** Globals whose functions are never converted (native code, or Kiln's own `tf`). */
const PLAIN_GLOBALS = new Set([
  "tf",
  "console",
  "Math",
  "JSON",
  "Object",
  "Array",
  "Number",
  "String",
  "Boolean",
  "Symbol",
  "Reflect",
  "Promise",
  "Date",
  "BigInt",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "Error",
  "TypeError",
  "RangeError",
  "parseInt",
  "parseFloat",
  "isNaN",
  "isFinite",
  "structuredClone",
  "queueMicrotask",
  "setTimeout",
  "clearTimeout",
  "Float32Array",
  "Int32Array",
  "Uint8Array",
  "ArrayBuffer",
  "Intl",
  "performance",
  "process",
  "require",
]);

/** The identifier at the root of `a.b.c` (or `a` itself). */
function rootIdentifier(node: t.Node): t.Identifier | undefined {
  let current = node;
  while (t.isMemberExpression(current)) current = current.object;
  return t.isIdentifier(current) ? current : undefined;
}

/** Is the binding of `name` (seen from `path`) declared inside the converted function? */
function boundInside(path: NodePath, name: string, fn: NodePath<t.Function>): NodePath | undefined {
  const binding = path.scope.getBinding(name);
  if (binding === undefined) return undefined;
  return binding.path.node === fn.node || binding.path.findParent((p) => p.node === fn.node) !== null ? binding.path : undefined;
}

/** True for a binding that always holds a function defined in place (converted with its parent). */
function isLocalFunction(bindingPath: NodePath, path: NodePath, name: string): boolean {
  const binding = path.scope.getBinding(name)!;
  if (bindingPath.isFunctionDeclaration()) return binding.constant;
  if (bindingPath.isVariableDeclarator()) {
    const init = bindingPath.node.init;
    return binding.constant && (t.isArrowFunctionExpression(init) || t.isFunctionExpression(init));
  }
  return false;
}

function shouldWrap(path: NodePath<t.CallExpression>, fn: NodePath<t.Function>): boolean {
  const callee = path.node.callee;
  if (t.isSuper(callee) || t.isImport(callee) || t.isV8IntrinsicIdentifier(callee)) return false;
  if (t.isMemberExpression(callee) && (t.isSuper(callee.object) || t.isPrivateName(callee.property))) return false;
  const root = rootIdentifier(callee);
  if (root === undefined) return true;
  if (root.name === "ag__") return false;
  const local = boundInside(path, root.name, fn);
  if (local === undefined) return !PLAIN_GLOBALS.has(root.name);
  return !(root === callee && isLocalFunction(local, path, root.name));
}

/** Wraps the calls in a function (and in functions nested in it). */
export function wrapCalls(fn: NodePath<t.Function>): void {
  fn.traverse({
    ...skipLeftAsWritten,
    CallExpression: {
      exit(path) {
        if (!shouldWrap(path, fn)) return;
        const { callee, arguments: args } = path.node;
        let replacement: t.CallExpression;
        if (t.isMemberExpression(callee)) {
          const key = callee.computed ? (callee.property as t.Expression) : t.stringLiteral((callee.property as t.Identifier).name);
          replacement = t.callExpression(t.memberExpression(t.identifier("ag__"), t.identifier("callMethod")), [
            callee.object,
            key,
            ...args,
          ]);
        } else {
          replacement = t.callExpression(t.memberExpression(t.identifier("ag__"), t.identifier("call")), [callee as t.Expression, ...args]);
        }
        t.inherits(replacement, path.node);
        path.replaceWith(replacement);
        path.skip();
      },
    },
  });
}
