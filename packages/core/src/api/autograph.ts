/**
 * `tf.autograph`: TF's AutoGraph utilities, usable without importing the converter (SPEC G8).
 * Core never imports @kiln/autograph or a parser: `toCode` forwards to the implementation
 * the package installs on the runtime, `doNotConvert` sets the marker the package honours,
 * and `experimental.setLoopOptions` only checks its argument (the converter turns the call
 * into the options of the loop whose body it starts).
 *
 * ```ts
 * import "@kiln/autograph";                       // installs toCode's implementation
 * tf.autograph.toCode((x) => (x > 0 ? x : -x));   // the converted source
 * const raw = tf.function(tf.autograph.doNotConvert((x) => x.add(1))); // traced as written
 * ```
 */
import { ArgumentError, KilnError } from "../base/errors.js";
import type { Shape } from "../base/shape.js";
import { getRuntime } from "../trace/runtime.js";

/** The marker @kiln/autograph honours on a function (or an object, for all its methods). */
const DO_NOT_CONVERT = Symbol.for("kiln.autograph.doNotConvert");

/**
 * Something that needs @kiln/autograph was used without it loaded (`tf.autograph.toCode`).
 * The message says what to import.
 */
export class AutoGraphUnavailableError extends KilnError {
  static override readonly errorName: string = "AutoGraphUnavailableError";
}

function received(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "object") return `a ${value.constructor?.name ?? "Object"} object`;
  return typeof value === "string" ? `the string ${JSON.stringify(value)}` : `${typeof value} ${String(value)}`;
}

/**
 * Keeps `fn` out of AutoGraph: `tf.function(fn)` traces it as written, and converted code
 * calls it as written (SPEC G8). Sets `fn[Symbol.for("kiln.autograph.doNotConvert")] = true`
 * and returns `fn`; also usable as a method decorator.
 *
 * ```ts
 * const plain = tf.autograph.doNotConvert((x) => (x > 0 ? x : -x)); // `x > 0` stays JS
 * tf.function(plain);                                                // not converted
 * ```
 */
export function doNotConvert<F extends Function>(fn: F, ..._decorator: unknown[]): F {
  if (typeof fn !== "function") {
    throw new TypeError(
      `tf.autograph.doNotConvert: expected a function, received ${received(fn)}; to keep every method of an object as written, ` +
        `set obj[Symbol.for("kiln.autograph.doNotConvert")] = true`,
    );
  }
  (fn as unknown as Record<symbol, unknown>)[DO_NOT_CONVERT] = true;
  return fn;
}

/**
 * The converted source of a function, of the function a `tf.function` traces, or of the
 * twin the loader or bundler plugin made (SPEC G8). Needs @kiln/autograph loaded; without
 * it, an AutoGraphUnavailableError says what to import.
 *
 * ```ts
 * import "@kiln/autograph";
 * tf.autograph.toCode((x) => (x > 0 ? x : -x));
 * // "x => ag__.ifExp(ag__.gt(x, 0), () => x, () => ag__.neg(x), \"<function anonymous>:1:9\")"
 * ```
 */
export function toCode(fn: Function): string {
  if (typeof fn !== "function") throw new TypeError(`tf.autograph.toCode: expected a function or a tf.function, received ${received(fn)}`);
  const implementation = getRuntime().autographToCode;
  if (implementation === undefined) {
    throw new AutoGraphUnavailableError(
      `tf.autograph.toCode: AutoGraph is not loaded, so there is no converted code for '${fn.name || "(anonymous)"}'. ` +
        `Import "@kiln/autograph" first (or "@kiln/autograph/register", which also converts every tf.function)`,
    );
  }
  return implementation(fn);
}

/** Options of `tf.autograph.experimental.setLoopOptions` (TF's `set_loop_options`). */
export interface LoopOptions {
  /** `[variable, shape]` pairs: the shapes a loop variable may take across iterations (`null` dims may change). */
  readonly shapeInvariants?: readonly (readonly [unknown, Shape])[];
  /** Stop after this many iterations even if the condition still holds. */
  readonly maximumIterations?: number;
}

const LOOP_OPTION_KEYS = ["shapeInvariants", "maximumIterations"];

/**
 * Gives options to the loop whose body it starts, in code AutoGraph converts: shape
 * invariants for loop variables whose shape changes, and a maximum number of iterations
 * (SPEC G6). The converter takes the call out of the loop body and passes the options to
 * the `While` op; run as written (`autograph: false`), it only checks its argument, as TF's
 * `tf.autograph.experimental.set_loop_options` does.
 *
 * ```ts
 * while (i < n) {
 *   tf.autograph.experimental.setLoopOptions({ shapeInvariants: [[rows, [null, 2]]] });
 *   rows = tf.concat([rows, row], 0);
 *   i += 1;
 * }
 * ```
 */
export function setLoopOptions(options?: LoopOptions): void {
  const fail = (why: string): never => {
    throw new ArgumentError(`tf.autograph.experimental.setLoopOptions: ${why}`);
  };
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    fail(`expected an options object ({ shapeInvariants, maximumIterations }), received ${received(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!LOOP_OPTION_KEYS.includes(key)) fail(`unknown option '${key}'; the options are ${LOOP_OPTION_KEYS.join(" and ")}`);
  }
  const { shapeInvariants = [], maximumIterations } = options;
  if (maximumIterations !== undefined && !(Number.isInteger(maximumIterations) && maximumIterations >= 0)) {
    fail(`maximumIterations must be a non-negative integer, received ${received(maximumIterations)}`);
  }
  if (!Array.isArray(shapeInvariants))
    fail(`shapeInvariants must be an array of [variable, shape] pairs, received ${received(shapeInvariants)}`);
  shapeInvariants.forEach((pair: unknown, i) => {
    const shape = Array.isArray(pair) && pair.length === 2 ? (pair[1] as unknown) : undefined;
    const isShape = Array.isArray(shape) && shape.every((d) => d === null || (Number.isInteger(d) && (d as number) >= 0));
    if (!isShape) {
      fail(
        `shapeInvariants[${i}] must be a [variable, shape] pair whose shape lists sizes or null (e.g. [x, [null, 2]]), received ${Array.isArray(pair) ? `[${pair.map(received).join(", ")}]` : received(pair)}`,
      );
    }
  });
}

// Kiln's own functions are never converted, however they are reached from converted code.
for (const fn of [toCode, doNotConvert, setLoopOptions]) doNotConvert(fn);

/**
 * The `tf.autograph` namespace, named as TF's: `toCode`, `doNotConvert`, and under
 * `experimental`, `setLoopOptions` (and `doNotConvert`, where TF also has it).
 *
 * ```ts
 * tf.autograph.experimental.setLoopOptions({ maximumIterations: 10 });
 * ```
 */
export const autograph = Object.freeze({
  toCode,
  doNotConvert,
  experimental: Object.freeze({ doNotConvert, setLoopOptions }),
});
