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
 *   const h = tf.function((x) => ..., opts);   ->  tf.function(ag__.register((x) => ..., ag__.converted((x) => ...converted...)), opts);
 *   function make(k) { return (x) => ...; }    ->  function make(k) { return ag__.register((x) => ..., ag__.converted((x) => ...)); }
 *
 * Converted: function literals passed to `tf.function` (in place; left as written with
 * `{ autograph: false }`, and given a twin when the options are only known at run time, so
 * that `tf.function` can still pick the original), methods decorated with `@tf.function`,
 * and, as registered twins, functions declared in the module that those call or pass to
 * `tf.function`, exported functions with control flow (other modules may call them from
 * converted code) and closures that the module's functions return (./returned_closures.ts),
 * made next to the original each time. Everything else is left as written.
 */
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { type NodePath, generate, parser, t, traverse } from "./babel.js";
import { ConversionContext, type SourceInfo } from "./context.js";
import { ConversionError } from "../errors.js";
import { autographSetting, calleeName, isFunctionLiteral } from "./function_options.js";
import {
  type Declaration,
  calledFunctions,
  clearPathCache,
  functionBinding,
  functionOf,
  hasControlFlow,
  pathOf,
  usesRuntime,
} from "./module_functions.js";
import { convertFunctionNode, parserOptions } from "./pipeline.js";
import { returnedClosures } from "./returned_closures.js";
import { insertTwin } from "./declaration_twins.js";

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

/** Is `callee` (seen from `path`) core's `tf.function`? */
function isTfFunction(callee: t.Node, path: NodePath, namespaces: Set<string>, names: Set<string>): boolean {
  const importedHere = (name: string) => path.scope.getBinding(name)?.kind === "module";
  if (t.isMemberExpression(callee) && t.isIdentifier(callee.object) && namespaces.has(callee.object.name)) {
    return FUNCTION_EXPORTS.has(calleeName(callee) ?? "") && importedHere(callee.object.name);
  }
  return t.isIdentifier(callee) && names.has(callee.name) && importedHere(callee.name);
}

const ag = (name: string, ...args: t.Expression[]) => t.callExpression(t.memberExpression(t.identifier("ag__"), t.identifier(name)), args);

/** Something `tf.function` traces, converted in place (innermost first, so outer ones leave inner ones alone). */
type Site =
  | {
      readonly kind: "literal";
      readonly call: t.CallExpression;
      readonly fn: t.FunctionExpression | t.ArrowFunctionExpression;
      readonly twin: boolean;
    }
  | { readonly kind: "method"; readonly fn: t.ClassMethod };

/** The local names core's `tf.function` has in this module (`tf` in `tf.function`, or `tfFunction`). */
function tfFunctionNames(file: t.File): { namespaces: Set<string>; names: Set<string> } {
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
  return { namespaces, names };
}

/** Locations in messages, through an earlier transform's source map when there is one. */
function sourceInfo(options: TransformOptions, inputMap: object | undefined): SourceInfo {
  const trace = inputMap === undefined ? undefined : new TraceMap(inputMap as never);
  return {
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
}

/** Exported functions with control flow: other modules may call them from converted code. */
function exportedWithControlFlow(program: NodePath<t.Program>): Declaration[] {
  const found: Declaration[] = [];
  for (const stmt of program.node.body) {
    if (!t.isExportNamedDeclaration(stmt) || stmt.declaration === null || stmt.declaration === undefined) continue;
    const declared = t.isFunctionDeclaration(stmt.declaration)
      ? [stmt.declaration.id?.name]
      : t.isVariableDeclaration(stmt.declaration)
        ? stmt.declaration.declarations.map((d) => (t.isIdentifier(d.id) ? d.id.name : undefined))
        : [];
    for (const name of declared) {
      const binding = functionBinding(name === undefined ? undefined : program.scope.getBinding(name));
      if (binding !== undefined && hasControlFlow(functionOf(binding.path.node as Declaration)))
        found.push(binding.path.node as Declaration);
    }
  }
  return found;
}

/** Replaces `node` where it stands in the file (its parent's field), without Babel's replacement checks. */
function replaceNode(file: t.File, node: t.Node, replacement: t.Expression): void {
  const path = pathOf(file, node);
  const parent = path?.parentPath?.node as unknown as Record<string, unknown> | undefined;
  if (path === undefined || parent === undefined) return;
  if (typeof path.listKey === "string") (parent[path.listKey] as t.Node[])[path.key as number] = replacement;
  else parent[path.key as string] = replacement;
  clearPathCache();
}

/**
 * Converts the functions of one ES module that `tf.function` will trace. Returns undefined
 * when the module does not import @kiln/core or has nothing to convert.
 */
export function transformModule(code: string, options: TransformOptions): TransformResult | undefined {
  if (!code.includes("@kiln/core")) return undefined;
  const file = parser.parse(code, { ...parserOptions(options), sourceFilename: options.filename });
  const { namespaces, names } = tfFunctionNames(file);
  if (namespaces.size === 0 && names.size === 0) return undefined;

  const inputMap = typeof options.inputSourceMap === "string" ? JSON.parse(options.inputSourceMap) : options.inputSourceMap;
  const source = sourceInfo(options, inputMap);
  const taken = new Set<string>(["ag__"]);
  traverse(file, {
    Identifier(path) {
      taken.add(path.node.name);
    },
  });

  const sites: Site[] = [];
  // Keyed by declaration node: Babel makes new Binding objects whenever scopes are recrawled.
  const twins = new Set<Declaration>();
  const addTwinOf = (declaration: Declaration | undefined) => {
    if (declaration !== undefined) twins.add(declaration);
  };
  traverse(file, {
    CallExpression: {
      exit(path) {
        if (!isTfFunction(path.node.callee, path, namespaces, names)) return;
        const [arg, fnOptions] = path.node.arguments;
        const setting = autographSetting(fnOptions);
        // `{ autograph: false }`: left as written (SPEC G8); options known only at run time: a twin, so tf.function can choose.
        if (isFunctionLiteral(arg)) {
          if (setting !== "off") sites.push({ kind: "literal", call: path.node, fn: arg, twin: setting === "unknown" });
        } else if (t.isIdentifier(arg)) addTwinOf(functionBinding(path.scope.getBinding(arg.name))?.path.node as Declaration | undefined);
      },
    },
    ClassMethod: {
      exit(path) {
        const decorated = (path.node.decorators ?? []).some((d) => {
          const call = t.isCallExpression(d.expression) ? d.expression : undefined;
          return isTfFunction(call?.callee ?? d.expression, path, namespaces, names) && autographSetting(call?.arguments[0]) !== "off";
        });
        if (decorated) sites.push({ kind: "method", fn: path.node });
      },
    },
    Program(path) {
      for (const declaration of exportedWithControlFlow(path)) twins.add(declaration);
    },
  });

  const convertedNames: string[] = [];
  const convert = (fn: t.Function, name: string) => {
    const ctx = new ConversionContext(name, source, taken);
    convertFunctionNode(file, fn, ctx);
    convertedNames.push(name);
  };
  const literalName = (fn: t.Function) => (t.isFunctionExpression(fn) && fn.id ? fn.id.name : "anonymous function");
  /** `fn` becomes `ag__.register(fn, ag__.converted(twin))`; the twin is still to be converted. */
  const twinLiteral = (fn: t.FunctionExpression | t.ArrowFunctionExpression) => {
    const twin = t.cloneNode(fn, true, false);
    const registration = ag("register", fn, ag("converted", twin));
    replaceNode(file, fn, registration);
    return { twin, registration };
  };

  for (const site of sites) {
    for (const d of calledFunctions(file, site.fn)) twins.add(d);
    if (site.kind === "method") {
      convert(site.fn, t.isIdentifier(site.fn.key) ? site.fn.key.name : "method");
      site.fn.decorators = [
        ...(site.fn.decorators ?? []),
        t.decorator(t.memberExpression(t.identifier("ag__"), t.identifier("converted"))),
      ];
    } else if (site.twin) {
      convert(twinLiteral(site.fn).twin, literalName(site.fn));
    } else {
      site.call.arguments[0] = ag("converted", site.fn);
      clearPathCache();
      convert(site.fn, literalName(site.fn));
    }
  }

  // Closures made by the module's functions: a twin made next to each, each time (ignored when conversion changes nothing).
  const closures = returnedClosures(file);
  for (const declaration of closures.declarations) twins.add(declaration);
  for (const fn of closures.literals) {
    const called = calledFunctions(file, fn);
    const { twin, registration } = twinLiteral(fn);
    let needed = false;
    try {
      convertFunctionNode(file, twin, new ConversionContext(literalName(fn), source, taken));
      needed = usesRuntime(twin);
    } catch {
      // Any closure of any module may be tried here, none was asked for: one that cannot be
      // converted keeps running as written (a tf.function of it converts it at run time, or explains why not).
    }
    if (!needed) replaceNode(file, registration, fn);
    else {
      convertedNames.push(literalName(fn));
      for (const d of called) twins.add(d);
    }
  }

  const done = new Set<Declaration>();
  for (let pending = [...twins]; pending.length > 0; pending = [...twins].filter((d) => !done.has(d))) {
    for (const declaration of pending) {
      done.add(declaration);
      addTwin(declaration);
    }
  }

  function addTwin(original: Declaration): void {
    const twin = insertTwin(file, original);
    if (twin === undefined) return;
    for (const d of calledFunctions(file, original)) twins.add(d);
    try {
      convert(twin.fn, twin.name);
    } catch (error) {
      // A twin is an optimisation: without it, the function is converted at run time or runs as written.
      if (!(error instanceof ConversionError)) throw error;
      twin.remove();
    }
  }
  if (convertedNames.length === 0) return undefined;

  const imports = [
    t.importDeclaration(
      [t.importNamespaceSpecifier(t.identifier("ag__"))],
      t.stringLiteral(options.runtimeModule ?? "@kiln/autograph/runtime"),
    ),
  ];
  const install = options.installHook ? [t.expressionStatement(ag("install"))] : [];
  let lastImport = -1;
  file.program.body.forEach((s, i) => {
    if (t.isImportDeclaration(s)) lastImport = i;
  });
  file.program.body.splice(0, 0, ...imports);
  file.program.body.splice(lastImport + 2, 0, ...install);
  clearPathCache();
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
