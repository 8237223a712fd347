/**
 * The public conversion API (`autograph.convert`, `autograph.toCode`) and the run-time
 * converter behind `import "@kiln/autograph/register"`: it converts from `fn.toString()`,
 * which cannot see the function's enclosing scope, so free variables are resolved only
 * from globals, `tf` and an explicit `scope`; anything else is reported with the fixes.
 */
import * as tf from "@kiln/core";
import { type ConvertedSource, convertSource } from "./converter/function_source.js";
import { ConversionError } from "./errors.js";
import {
  type RuntimeConverter,
  converted,
  doNotConvert,
  isConverted,
  knownConvertedSource,
  setRuntimeConverter,
} from "./operators/calls.js";
import { setLoopOptions } from "./operators/loop_options.js";
import * as runtime from "./runtime.js";

/** Options of `autograph.convert`. */
export interface ConvertOptions {
  /** Values for the function's free variables (what its enclosing scope would provide). */
  readonly scope?: Readonly<Record<string, unknown>>;
}

function sourceOf(fn: Function): string {
  return Function.prototype.toString.call(fn);
}

function nameOf(fn: Function): string {
  return fn.name || "anonymous function";
}

const sources = new WeakMap<Function, ConvertedSource | null>();

/** The conversion of `fn`'s source (cached), or undefined for functions without source. */
function convertedSource(fn: Function): ConvertedSource | undefined {
  let entry = sources.get(fn);
  if (entry === undefined) {
    entry = convertSource(sourceOf(fn), fn.name) ?? null;
    sources.set(fn, entry);
  }
  return entry ?? undefined;
}

/**
 * The converted source of a function (SPEC G8): what AutoGraph runs in place of `fn`. For a
 * `tf.function`, the function it traces; for a function the loader or plugin gave a
 * converted twin, the twin (with the module's file and lines in its locations). Loading
 * this module makes it core's `tf.autograph.toCode` too.
 *
 * ```ts
 * import { autograph } from "@kiln/autograph";
 * autograph.toCode((x) => (x > 0 ? x : -x));
 * // "x => ag__.ifExp(ag__.gt(x, 0), () => x, () => ag__.neg(x), \"<function anonymous>:1:9\")"
 * ```
 */
export function toCode(fn: Function): string {
  if (typeof fn !== "function") throw new TypeError(`autograph.toCode: expected a function, received ${typeof fn}`);
  if (fn instanceof tf.PolymorphicFunction) return toCode(fn.pythonFunction);
  const known = knownConvertedSource(fn);
  if (known !== undefined) return known;
  const conversion = convertedSource(fn);
  if (conversion === undefined)
    throw new ConversionError(
      `autograph.toCode: '${nameOf(fn)}' has no source text (a native or bound function), so there is nothing to convert`,
    );
  return conversion.display;
}

/** Values for free names: `scope` first, then `tf`; globals need no binding. The rest are unresolved. */
function resolve(
  conversion: ConvertedSource,
  scope: Readonly<Record<string, unknown>> = {},
): { bindings: Map<string, unknown>; unresolved: string[] } {
  const bindings = new Map<string, unknown>();
  const unresolved: string[] = [];
  for (const name of conversion.freeNames) {
    if (Object.hasOwn(scope, name)) bindings.set(name, scope[name]);
    else if (name === "tf") bindings.set(name, tf);
    else if (!(name in globalThis)) unresolved.push(name);
  }
  unresolved.push(...conversion.lexical);
  return { bindings, unresolved };
}

function unresolvedMessage(fn: Function, names: readonly string[]): string {
  const name = nameOf(fn);
  const plain = names.filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
  const scopeExample =
    plain.length > 0 ? `tf.function(autograph.convert(${fn.name || "fn"}, { scope: { ${plain.join(", ")} } }))` : undefined;
  return (
    `AutoGraph cannot convert '${name}' at run time: it uses ${names.map((n) => `'${n}'`).join(", ")} from its enclosing code, which the run-time converter cannot see ` +
    `(it only has the function's source text). Fix it in one of these ways: run with the loader hook (node --import @kiln/autograph/register app.js), ` +
    `build with the bundler plugin (@kiln/autograph/plugin)${scopeExample === undefined ? "" : `, or pass the variables explicitly: ${scopeExample}`}. ` +
    `To trace '${name}' without converting it, pass { autograph: false } to tf.function`
  );
}

function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Evaluates converted code with its free variables bound; the result is marked as converted. */
function compile(fn: Function, conversion: ConvertedSource, bindings: Map<string, unknown>): Function {
  const names = [...bindings.keys()];
  const mapUrl = `data:application/json;charset=utf-8;base64,${base64(JSON.stringify(conversion.map))}`;
  const body = `"use strict";\nreturn (${conversion.expression});\n//# sourceURL=kiln-autograph:///${encodeURIComponent(nameOf(fn))}.js\n//# sourceMappingURL=${mapUrl}`;
  const factory = tf.compileFunction(
    `AutoGraph's run-time conversion of '${nameOf(fn)}'`,
    "convert ahead of time instead (the loader hook, node --import @kiln/autograph/register, or the bundler plugin @kiln/autograph/plugin), or pass { autograph: false } to tf.function and use tf.cond and tf.whileLoop",
    ["ag__", ...names],
    body,
  ) as (...args: unknown[]) => unknown;
  let result = factory(runtime, ...names.map((n) => bindings.get(n)));
  if (conversion.form === "method") {
    const [descriptor] = Object.values(Object.getOwnPropertyDescriptors(result as object));
    result = descriptor?.value ?? descriptor?.get ?? descriptor?.set;
  }
  const convertedFn = result as Function;
  Object.defineProperty(convertedFn, "name", { value: fn.name, configurable: true });
  return converted(convertedFn);
}

/**
 * Converts `fn` at run time: JS control flow and operators on tensors become graph ops
 * when it is traced. Free variables must be globals, `tf`, or given in `scope`; otherwise
 * a ConversionError lists them. Returns a function `tf.function` will not convert again.
 *
 * ```ts
 * const step = autograph.convert((x) => (x > limit ? x : -x), { scope: { limit } });
 * const f = tf.function(step);
 * ```
 */
export function convert<F extends Function>(fn: F, options: ConvertOptions = {}): F {
  if (typeof fn !== "function") throw new TypeError(`autograph.convert: expected a function, received ${typeof fn}`);
  if (isConverted(fn)) return fn;
  const conversion = convertedSource(fn);
  if (conversion === undefined)
    throw new ConversionError(
      `autograph.convert: '${nameOf(fn)}' has no source text (a native or bound function); pass the original function`,
    );
  const { bindings, unresolved } = resolve(conversion, options.scope);
  if (unresolved.length > 0) throw new ConversionError(unresolvedMessage(fn, unresolved));
  return compile(fn, conversion, bindings) as F;
}

const warned = new WeakSet<Function>();

function warnOnce(fn: Function, message: string): void {
  if (warned.has(fn)) return;
  warned.add(fn);
  tf.getRuntime().warn(message);
}

const cache = new WeakMap<Function, Function>();

/**
 * The run-time converter. For `tf.function` (top level), problems are errors, except a
 * function with no source (it runs unconverted, with one warning). For calls from converted
 * code, a function that cannot be converted runs as written, with one warning if it needed
 * conversion.
 */
export const runtimeConverter: RuntimeConverter = {
  topLevel(fn) {
    const cached = cache.get(fn);
    if (cached !== undefined) return cached;
    let result: Function = fn;
    const source = sourceOf(fn);
    if (/^class\b/.test(source)) result = fn;
    else {
      const conversion = convertedSource(fn);
      if (conversion === undefined) {
        warnOnce(
          fn,
          `AutoGraph: '${nameOf(fn)}' has no source text (a native or bound function), so it runs unconverted: JS control flow on tensors inside it is not converted. Pass the original (unbound) function to tf.function`,
        );
      } else {
        const { bindings, unresolved } = resolve(conversion);
        if (unresolved.length > 0) {
          if (conversion.needsConversion) throw new ConversionError(unresolvedMessage(fn, unresolved));
          warnOnce(
            fn,
            `${unresolvedMessage(fn, unresolved)}. It has no control flow or operators of its own, so it runs unconverted, but functions it calls are not converted either`,
          );
        } else result = compileOrWarn(fn, conversion, bindings);
      }
    }
    cache.set(fn, result);
    return result;
  },
  recursive(fn) {
    const cached = cache.get(fn);
    if (cached !== undefined) return cached;
    let result: Function = fn;
    try {
      const conversion = /^class\b/.test(sourceOf(fn)) ? undefined : convertedSource(fn);
      if (conversion !== undefined) {
        const { bindings, unresolved } = resolve(conversion);
        if (unresolved.length === 0) result = compileOrWarn(fn, conversion, bindings);
        else if (conversion.needsConversion)
          warnOnce(fn, `${unresolvedMessage(fn, unresolved)}. It is called from a converted function and runs unconverted for now`);
      }
    } catch (error) {
      if (!(error instanceof ConversionError)) throw error;
      warnOnce(fn, `${error.message}. It is called from a converted function and runs unconverted`);
    }
    cache.set(fn, result);
    return result;
  },
};

/** Under a Content-Security-Policy without 'unsafe-eval', code cannot be evaluated: run unconverted. */
function compileOrWarn(fn: Function, conversion: ConvertedSource, bindings: Map<string, unknown>): Function {
  try {
    return compile(fn, conversion, bindings);
  } catch (error) {
    if (!(error instanceof EvalError)) throw error;
    warnOnce(
      fn,
      `AutoGraph: cannot evaluate converted code here (${error.message}); '${nameOf(fn)}' runs unconverted. Convert at build time with the bundler plugin (@kiln/autograph/plugin)`,
    );
    return fn;
  }
}

/** Makes `toCode` the implementation of core's `tf.autograph.toCode` (on the current runtime). */
function installToCode(): void {
  tf.getRuntime().autographToCode = toCode;
}

// Importing "@kiln/autograph" is enough for tf.autograph.toCode.
installToCode();

/** Turns on run-time conversion: core's hooks and recursive conversion of called functions. */
export function enableRuntimeConversion(): void {
  setRuntimeConverter(runtimeConverter);
  tf.getRuntime().autograph = runtime.functionForTrace;
  installToCode();
}

/**
 * The `autograph` namespace, as TF's `tf.autograph` names it.
 *
 * ```ts
 * import { autograph } from "@kiln/autograph";
 * console.log(autograph.toCode((x) => (x > 0 ? x : -x)));
 * ```
 */
export const autograph = { convert, toCode, doNotConvert, setLoopOptions };
