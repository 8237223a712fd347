/**
 * Converting a whole module at load time (Node loader hook) or build time (bundler plugin).
 * Functions stay in their module, so their free variables resolve naturally; no `eval` is
 * needed at run time, which is what makes the bundler path CSP-safe.
 *
 *   import * as tf from "@kiln/core";          import * as ag__ from "@kiln/autograph/runtime";
 *   const f = tf.function((x) => {        ->   import * as tf from "@kiln/core";
 *     if (x > 0) ...                           const f = tf.function(ag__.converted((x) => {
 *   });                                          ag__.ifStmt(ag__.gt(x, 0), ...)
 *                                              }));
 *
 *   const g = tf.function(helper);        ->   ag__.register(helper, ag__.converted(function helper(x) { ...converted... }));
 *   function helper(x) { ... }                 const g = tf.function(helper);
 *                                              function helper(x) { ... }   // unchanged for other callers
 *
 * Converted: function literals passed to `tf.function`, methods decorated with
 * `@tf.function`, and (as registered twins) functions declared in the module that those
 * call or pass to `tf.function`, plus exported functions with control flow, which other
 * modules may call from converted code. Everything else is left as written.
 */
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { type NodePath, generate, parser, t, traverse } from "./babel.js";
import type { Binding } from "@babel/traverse";
import { ConversionContext, type SourceInfo } from "./context.js";
import { ConversionError } from "../errors.js";
import { convertFunctionNode, parserOptions } from "./pipeline.js";

/** Options of `transformModule`. */
export interface TransformOptions {
  /** The module's file name, recorded in the source map. */
  readonly filename: string;
  /** How locations name the file in messages (default: `filename`). */
  readonly displayName?: string;
  readonly typescript?: boolean;
  readonly jsx?: boolean;
  /** The map of an earlier transform (e.g. TypeScript to JS), so locations point at the original source. */
  readonly inputSourceMap?: object | string;
  /** Add `ag__.install()` so converted functions work without importing the register entry (bundler plugin). */
  readonly installHook?: boolean;
  /** Where converted code imports the runtime operators from. */
  readonly runtimeModule?: string;
}

/** A transformed module. */
export interface TransformResult {
  readonly code: string;
  readonly map: object;
  /** Names of the functions converted, for diagnostics. */
  readonly converted: readonly string[];
}

const CORE_MODULE = /^@kiln\/core(\/|$)/;
const FUNCTION_EXPORTS = new Set(["function", "tfFunction"]);

function memberName(node: t.MemberExpression): string | undefined {
  if (!node.computed && t.isIdentifier(node.property)) return node.property.name;
  if (node.computed && t.isStringLiteral(node.property)) return node.property.value;
  return undefined;
}

/** Is `callee` (seen from `path`) core's `tf.function`? */
function isTfFunction(callee: t.Node, path: NodePath, namespaces: Set<string>, names: Set<string>): boolean {
  const importedHere = (name: string) => path.scope.getBinding(name)?.kind === "module";
  if (t.isMemberExpression(callee) && t.isIdentifier(callee.object) && namespaces.has(callee.object.name)) {
    return FUNCTION_EXPORTS.has(memberName(callee) ?? "") && importedHere(callee.object.name);
  }
  return t.isIdentifier(callee) && names.has(callee.name) && importedHere(callee.name);
}

/** A binding that always holds one function defined in the module (a twin can stand for it). */
function functionBinding(binding: Binding | undefined): Binding | undefined {
  if (binding === undefined) return undefined;
  if (binding.path.isFunctionDeclaration() && binding.constant) return binding;
  if (binding.path.isVariableDeclarator() && binding.constant && binding.kind === "const") {
    const init = binding.path.node.init;
    if (t.isFunctionExpression(init) || t.isArrowFunctionExpression(init)) return binding;
  }
  return undefined;
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
function hasControlFlow(node: t.Node | null | undefined): boolean {
  if (node === null || node === undefined) return false;
  if (CONTROL_FLOW.has(node.type)) return true;
  return (t.VISITOR_KEYS[node.type] ?? []).some((key) => {
    const child = (node as unknown as Record<string, unknown>)[key];
    return Array.isArray(child)
      ? child.some((c) => hasControlFlow(c as t.Node))
      : typeof child === "object" && hasControlFlow(child as t.Node);
  });
}

/**
 * Converts the functions of one ES module that `tf.function` will trace. Returns undefined
 * when the module does not import @kiln/core or has nothing to convert.
 */
export function transformModule(code: string, options: TransformOptions): TransformResult | undefined {
  if (!code.includes("@kiln/core")) return undefined;
  const file = parser.parse(code, { ...parserOptions(options), sourceFilename: options.filename });
  const namespaces = new Set<string>();
  const names = new Set<string>();
  for (const stmt of file.program.body) {
    if (!t.isImportDeclaration(stmt) || !CORE_MODULE.test(stmt.source.value) || stmt.importKind === "type") continue;
    for (const spec of stmt.specifiers) {
      if (t.isImportNamespaceSpecifier(spec)) namespaces.add(spec.local.name);
      else if (t.isImportSpecifier(spec) && FUNCTION_EXPORTS.has(t.isIdentifier(spec.imported) ? spec.imported.name : spec.imported.value))
        names.add(spec.local.name);
    }
  }
  if (namespaces.size === 0 && names.size === 0) return undefined;

  const inputMap = typeof options.inputSourceMap === "string" ? JSON.parse(options.inputSourceMap) : options.inputSourceMap;
  const trace = inputMap === undefined ? undefined : new TraceMap(inputMap);
  const source: SourceInfo = {
    file: options.displayName ?? options.filename,
    ...(trace === undefined
      ? {}
      : {
          original: (line: number, column: number) => {
            const p = originalPositionFor(trace, { line, column });
            return p.line === null ? undefined : { line: p.line, column: p.column };
          },
        }),
  };
  const taken = new Set<string>(["ag__"]);
  traverse(file, {
    Identifier(path) {
      taken.add(path.node.name);
    },
  });

  const inline: t.Function[] = [];
  const methods: t.ClassMethod[] = [];
  // Keyed by declaration node: Babel makes new Binding objects whenever scopes are recrawled.
  type Declaration = t.FunctionDeclaration | t.VariableDeclarator;
  const twins = new Set<Declaration>();
  const addTwinOf = (binding: Binding | undefined) => {
    const found = functionBinding(binding);
    if (found !== undefined) twins.add(found.path.node as Declaration);
  };
  traverse(file, {
    CallExpression(path) {
      if (!isTfFunction(path.node.callee, path, namespaces, names)) return;
      const [arg] = path.node.arguments;
      if (t.isFunctionExpression(arg) || t.isArrowFunctionExpression(arg)) inline.push(arg);
      else if (t.isIdentifier(arg)) {
        addTwinOf(path.scope.getBinding(arg.name));
      }
    },
    ClassMethod(path) {
      const decorated = (path.node.decorators ?? []).some((d) =>
        isTfFunction(t.isCallExpression(d.expression) ? d.expression.callee : d.expression, path, namespaces, names),
      );
      if (decorated) methods.push(path.node);
    },
    Program(path) {
      // Exported functions with control flow: other modules may call them from converted code.
      for (const stmt of path.node.body) {
        if (!t.isExportNamedDeclaration(stmt) || stmt.declaration === null || stmt.declaration === undefined) continue;
        const declared = t.isFunctionDeclaration(stmt.declaration)
          ? [stmt.declaration.id?.name]
          : t.isVariableDeclaration(stmt.declaration)
            ? stmt.declaration.declarations.map((d) => (t.isIdentifier(d.id) ? d.id.name : undefined))
            : [];
        for (const name of declared) {
          const binding = functionBinding(name === undefined ? undefined : path.scope.getBinding(name));
          const fn =
            binding === undefined
              ? undefined
              : binding.path.isFunctionDeclaration()
                ? binding.path.node
                : (binding.path.node as t.VariableDeclarator).init;
          if (binding !== undefined && fn && hasControlFlow(fn)) twins.add(binding.path.node as Declaration);
        }
      }
    },
  });
  if (inline.length === 0 && methods.length === 0 && twins.size === 0) return undefined;

  const convertedNames: string[] = [];
  const roots = new Set<t.Node>([...inline, ...methods]);
  const insideOtherRoot = (node: t.Node): boolean => {
    let nested = false;
    traverse(file, {
      Function(path) {
        if (path.node !== node) return;
        nested = path.findParent((p) => roots.has(p.node)) !== null;
        path.stop();
      },
    });
    return nested;
  };
  /** Functions declared in the module that `fn` calls by name: their twins make recursive conversion work. */
  const calledFunctions = (fn: t.Node): void => {
    traverse(file, {
      Function(path) {
        if (path.node !== fn) return;
        path.traverse({
          CallExpression(call) {
            if (!t.isIdentifier(call.node.callee)) return;
            const binding = functionBinding(call.scope.getBinding(call.node.callee.name));
            if (binding !== undefined && binding.path.findParent((p) => p.node === fn) === null)
              twins.add(binding.path.node as Declaration);
          },
        });
        path.stop();
      },
    });
  };
  const convert = (fn: t.Function, name: string) => {
    const ctx = new ConversionContext(name, source, taken);
    convertFunctionNode(file, fn, ctx);
    convertedNames.push(name);
  };

  for (const fn of inline) {
    const nested = insideOtherRoot(fn);
    calledFunctions(fn);
    if (!nested) convert(fn, t.isFunctionExpression(fn) && fn.id ? fn.id.name : "anonymous function");
  }
  for (const method of methods) {
    calledFunctions(method);
    if (!insideOtherRoot(method)) convert(method, t.isIdentifier(method.key) ? method.key.name : "method");
    method.decorators = [...(method.decorators ?? []), t.decorator(t.memberExpression(t.identifier("ag__"), t.identifier("converted")))];
  }
  // Wrap inline roots only now: conversion of an outer root may have moved inner ones.
  traverse(file, {
    "FunctionExpression|ArrowFunctionExpression"(path) {
      if (!inline.includes(path.node as t.Function) || path.parentPath?.isCallExpression() !== true) return;
      path.replaceWith(t.callExpression(t.memberExpression(t.identifier("ag__"), t.identifier("converted")), [path.node as t.Expression]));
      path.skip();
    },
  });

  const done = new Set<Declaration>();
  for (let pending = [...twins]; pending.length > 0; pending = [...twins].filter((d) => !done.has(d))) {
    for (const declaration of pending) {
      done.add(declaration);
      addTwin(declaration);
    }
  }

  function pathOf(node: t.Node): NodePath | undefined {
    (traverse as unknown as { cache: { clear(): void } }).cache.clear();
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

  function addTwin(original: Declaration): void {
    const declarationPath = pathOf(original);
    if (declarationPath === undefined) return;
    const name = t.isFunctionDeclaration(original) ? original.id!.name : (original.id as t.Identifier).name;
    const clone = t.cloneNode(t.isFunctionDeclaration(original) ? original : (original.init as t.Function), true, false);
    const expr = t.isFunctionDeclaration(clone)
      ? t.inherits(t.functionExpression(clone.id, clone.params, clone.body, clone.generator, clone.async), clone)
      : (clone as t.FunctionExpression | t.ArrowFunctionExpression);
    const statement = t.expressionStatement(
      t.callExpression(t.memberExpression(t.identifier("ag__"), t.identifier("register")), [
        t.identifier(name),
        t.callExpression(t.memberExpression(t.identifier("ag__"), t.identifier("converted")), [expr]),
      ]),
    );
    // A declaration is hoisted: register at the top of its block. A const: right after it.
    let inserted: NodePath[];
    if (declarationPath.isFunctionDeclaration()) {
      const holder = declarationPath.parentPath!.isExportNamedDeclaration() ? declarationPath.parentPath! : declarationPath;
      const list = holder.parentPath!;
      const body = (list.isProgram() || list.isBlockStatement() ? list : undefined) as NodePath<t.Program | t.BlockStatement> | undefined;
      if (body === undefined) return;
      const firstCode = body.node.body.findIndex((s) => !t.isImportDeclaration(s));
      inserted =
        firstCode <= 0 ? body.unshiftContainer("body", statement) : (body.get(`body.${firstCode}`) as NodePath).insertBefore(statement);
    } else {
      const declaration = declarationPath.parentPath!;
      const holder = declaration.parentPath?.isExportNamedDeclaration() ? declaration.parentPath : declaration;
      inserted = holder.insertAfter(statement);
    }
    calledFunctions(original);
    try {
      convert(expr, name);
    } catch (error) {
      // A twin is an optimisation: without it, the function is converted at run time or runs as written.
      if (!(error instanceof ConversionError)) throw error;
      for (const p of inserted) p.remove();
      convertedNames.pop();
    }
  }

  const imports = [
    t.importDeclaration(
      [t.importNamespaceSpecifier(t.identifier("ag__"))],
      t.stringLiteral(options.runtimeModule ?? "@kiln/autograph/runtime"),
    ),
  ];
  const install = options.installHook
    ? [t.expressionStatement(t.callExpression(t.memberExpression(t.identifier("ag__"), t.identifier("install")), []))]
    : [];
  let lastImport = -1;
  file.program.body.forEach((s, i) => {
    if (t.isImportDeclaration(s)) lastImport = i;
  });
  file.program.body.splice(0, 0, ...imports);
  file.program.body.splice(lastImport + 2, 0, ...install);
  (traverse as unknown as { cache: { clear(): void } }).cache.clear();
  // Keep the parentheses of `@(tf.function)`: esbuild rejects `@tf.function` (a keyword after the dot).
  traverse(file, {
    Decorator(path) {
      const expr = path.node.expression;
      if (expr.extra?.parenthesized === true && !t.isParenthesizedExpression(expr)) path.node.expression = t.parenthesizedExpression(expr);
    },
  });
  const output = generate(
    file,
    {
      sourceMaps: true,
      sourceFileName: options.filename,
      comments: true,
      jsescOption: { minimal: true },
      ...(inputMap === undefined ? {} : { inputSourceMap: inputMap }),
    },
    code,
  );
  return { code: output.code, map: output.map as object, converted: convertedNames };
}
