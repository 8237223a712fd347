/**
 * Closures made by factories: functions a module's functions return. A closure's free
 * variables (`k` below) live in the factory call that made it, so neither the module's top
 * level nor `fn.toString()` can convert it; its converted twin must be made right next to
 * it, in the same scope, each time the factory runs (see ./module_transform.ts):
 *
 *   function makeScaler(k) {                 const makeScaler = (k) => (x) => x * k;
 *     return (x) => (x > 0 ? x * k : x);
 *   }                                         function makeModel(w) {
 *                                               function step(x) { ... }
 *   const scale5 = makeScaler(5);               return step;          // a local function, by name
 *   const f = tf.function(scale5);            }
 *
 * Code converted already (inside `ag__.converted(...)`, `ag__.register(...)` or a method
 * marked `@ag__.converted`) is not searched: conversion converted its closures in place.
 */
import { type NodePath, t, traverse } from "./babel.js";
import { isFunctionLiteral, isRuntimeCall } from "./function_options.js";
import { type Declaration, clearPathCache, functionBinding } from "./module_functions.js";

/** What the module's functions return: function literals (innermost first) and local or module functions by name. */
export interface ReturnedClosures {
  readonly literals: (t.FunctionExpression | t.ArrowFunctionExpression)[];
  readonly declarations: Declaration[];
}

function convertedMethod(node: t.ClassMethod | t.ClassPrivateMethod): boolean {
  return (node.decorators ?? []).some(
    (d) =>
      t.isMemberExpression(d.expression) &&
      t.isIdentifier(d.expression.object, { name: "ag__" }) &&
      t.isIdentifier(d.expression.property, { name: "converted" }),
  );
}

/** Finds the closures returned by functions outside converted code. */
export function returnedClosures(file: t.File): ReturnedClosures {
  const literals: (t.FunctionExpression | t.ArrowFunctionExpression)[] = [];
  const declarations: Declaration[] = [];
  const returned = (value: t.Node | null | undefined, path: NodePath) => {
    if (isFunctionLiteral(value)) literals.push(value);
    else if (t.isIdentifier(value)) {
      const binding = functionBinding(path.scope.getBinding(value.name));
      if (binding !== undefined) declarations.push(binding.path.node as Declaration);
    }
  };
  clearPathCache();
  traverse(file, {
    CallExpression(path) {
      if (isRuntimeCall(path.node, "converted") || isRuntimeCall(path.node, "register")) path.skip();
    },
    "ClassMethod|ClassPrivateMethod"(path) {
      if (convertedMethod(path.node as t.ClassMethod | t.ClassPrivateMethod)) path.skip();
    },
    // On exit, so that closures nested in a returned closure come first.
    ReturnStatement: {
      exit(path) {
        if (path.getFunctionParent() !== null) returned(path.node.argument, path);
      },
    },
    ArrowFunctionExpression: {
      exit(path) {
        if (!t.isBlockStatement(path.node.body)) returned(path.node.body, path);
      },
    },
  });
  return { literals, declarations };
}
