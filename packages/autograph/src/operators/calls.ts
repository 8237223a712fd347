/**
 * Runtime side of call wrapping and of the ways converted code reaches `tf.function`:
 * which functions are converted already (build time, load time, run time), which must not
 * be converted, and the hook core calls for every `tf.function`.
 *
 * ```ts
 * ag__.call(helper, x);                  // converts helper once (cached), then calls it
 * ag__.callMethod(layer, "apply", x);    // the same for a method, with `this` = layer
 * ag__.register(f, ag__.converted(function f(x) { ... }));  // a twin from the loader/plugin
 * ```
 */
import * as tf from "@kiln/core";
import { ConversionError } from "../errors.js";

/**
 * Any package (or user) can keep a function, or every method of an object, out of
 * conversion without importing autograph: `fn[Symbol.for("kiln.autograph.doNotConvert")] = true`.
 */
export const DO_NOT_CONVERT = Symbol.for("kiln.autograph.doNotConvert");

const convertedFunctions = new WeakSet<Function>();
const excluded = new WeakSet<Function>();
const twins = new WeakMap<Function, Function>();

/** Converts functions at run time; installed by `@kiln/autograph/register` (which brings the parser). */
export interface RuntimeConverter {
  /** For `tf.function(fn)`: the converted function, or an error explaining why not. */
  topLevel(fn: Function): Function;
  /** For a call from converted code: the converted function, or `fn` itself when it cannot or need not be converted. */
  recursive(fn: Function): Function;
}

let runtimeConverter: RuntimeConverter | undefined;

/** Installs (or removes) the run-time converter. */
export function setRuntimeConverter(converter: RuntimeConverter | undefined): void {
  runtimeConverter = converter;
}

/**
 * Marks a function as converted already (build or load time), so no one converts it
 * again. Also usable as a decorator (`@ag__.converted`), in the TC39 form and TypeScript's
 * legacy `experimentalDecorators` form.
 */
export function converted<F>(fn: F, ...decorator: unknown[]): F {
  const descriptor = decorator[1] as PropertyDescriptor | undefined;
  if (decorator.length === 2 && typeof descriptor === "object" && descriptor !== null && typeof descriptor.value === "function") {
    convertedFunctions.add(descriptor.value as Function);
    return descriptor as F;
  }
  if (typeof fn === "function") convertedFunctions.add(fn);
  return fn;
}

/** Registers the converted twin of a function defined in a module the loader or plugin transformed. */
export function register<F extends Function>(original: F, twin: F): F {
  convertedFunctions.add(twin);
  twins.set(original, twin);
  return original;
}

/**
 * Keeps `fn` out of AutoGraph: `tf.function(fn)` and calls from converted code use it as
 * written (SPEC G8). Returns `fn`.
 *
 * ```ts
 * const raw = autograph.doNotConvert((x) => x);
 * ```
 */
export function doNotConvert<F extends Function>(fn: F): F {
  excluded.add(fn);
  return fn;
}

/** True for functions produced by AutoGraph (or marked as such). */
export function isConverted(fn: Function): boolean {
  return convertedFunctions.has(fn);
}

let kilnFunctions: WeakSet<Function> | undefined;

/** Every function and method @kiln/core exports: they are Kiln's own and never converted. */
function kilnOwn(): WeakSet<Function> {
  if (kilnFunctions !== undefined) return kilnFunctions;
  kilnFunctions = new WeakSet();
  const add = (value: unknown) => {
    if (typeof value === "function") kilnFunctions!.add(value);
  };
  for (const value of Object.values(tf)) {
    add(value);
    if (typeof value === "function" && value.prototype !== undefined) {
      for (const d of Object.values(Object.getOwnPropertyDescriptors(value.prototype))) {
        add(d.value);
        add(d.get);
        add(d.set);
      }
      for (const d of Object.values(Object.getOwnPropertyDescriptors(value))) add(d.value);
    }
  }
  for (const value of Object.values(tf.config)) add(value);
  return kilnFunctions;
}

function marked(value: unknown): boolean {
  return (
    (typeof value === "function" || (typeof value === "object" && value !== null)) &&
    (value as Record<symbol, unknown>)[DO_NOT_CONVERT] === true
  );
}

/** Functions used as they are: excluded, Kiln's own, tf.functions, classes. */
function keepAsIs(fn: Function, owner?: unknown): boolean {
  return (
    excluded.has(fn) ||
    marked(fn) ||
    marked(owner) ||
    kilnOwn().has(fn) ||
    fn instanceof tf.PolymorphicFunction ||
    fn instanceof tf.ConcreteFunction
  );
}

/** The converted twin the loader or plugin registered for `fn`, if any. */
export function twinOf(fn: Function): Function | undefined {
  return twins.get(fn);
}

/**
 * The converted source AutoGraph already has for `fn` without converting anything: `fn`'s
 * own when it is converted code, its twin's when the loader or plugin made one. For a
 * `tf.function`, that of the function it traces.
 */
export function knownConvertedSource(fn: Function): string | undefined {
  const target = fn instanceof tf.PolymorphicFunction ? fn.pythonFunction : fn;
  const converted = convertedFunctions.has(target) ? target : twins.get(target);
  return converted === undefined ? undefined : Function.prototype.toString.call(converted);
}

/**
 * `tf.autograph.toCode` when only converted modules loaded the runtime (build-time
 * conversion, no parser): it knows the code the loader or plugin converted, and says what
 * to import for anything else.
 */
function toCodeWithoutConverter(fn: Function): string {
  const source = knownConvertedSource(fn);
  if (source !== undefined) return source;
  throw new ConversionError(
    `autograph.toCode: '${fn.name || "(anonymous)"}' was not converted when its module was built or loaded, and the run-time converter is not loaded; ` +
      `import "@kiln/autograph" to convert it from its source text`,
  );
}

/**
 * The function `tf.function` traces for `fn` (core's `autograph` hook). `doNotConvert` wins
 * over a twin: the loader and plugin make twins without knowing about it (SPEC G8).
 */
export function functionForTrace(fn: Function): Function {
  if (typeof fn !== "function" || convertedFunctions.has(fn) || keepAsIs(fn)) return fn;
  return twins.get(fn) ?? (runtimeConverter === undefined ? fn : runtimeConverter.topLevel(fn));
}

function calleeFor(fn: Function, owner?: unknown): Function {
  if (convertedFunctions.has(fn) || keepAsIs(fn, owner)) return fn;
  return twins.get(fn) ?? (runtimeConverter === undefined ? fn : runtimeConverter.recursive(fn));
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  return typeof value === "object" ? (value.constructor?.name ?? "object") : `${typeof value} ${String(value)}`;
}

/** `f(...args)` from converted code: converts `f` first when it is user code. */
export function call(f: unknown, ...args: unknown[]): unknown {
  if (typeof f !== "function") throw new TypeError(`${describe(f)} is not a function`);
  // Reflect.apply: a tf.function is callable but its prototype is not Function.prototype.
  return Reflect.apply(calleeFor(f), undefined, args);
}

/** `object[key](...args)` from converted code, with `this` = object. */
export function callMethod(object: unknown, key: PropertyKey, ...args: unknown[]): unknown {
  const f = (object as Record<PropertyKey, unknown>)[key];
  if (typeof f !== "function") throw new TypeError(`${describe(object)}.${String(key)} is not a function (it is ${describe(f)})`);
  return Reflect.apply(calleeFor(f, object), object, args);
}

/**
 * Installs the hook core calls for every `tf.function` (and, for `tf.autograph.toCode`, one
 * that knows the converted modules' code), unless installed already. Converted modules call
 * this, so build-time conversion works without `register`.
 */
export function install(): void {
  const runtime = tf.getRuntime();
  if (runtime.autograph === undefined) runtime.autograph = functionForTrace;
  if (runtime.autographToCode === undefined) runtime.autographToCode = toCodeWithoutConverter;
}
