/**
 * Whether `fn` can compute something different when called with another `this`: a
 * non-arrow function whose source mentions `this`. Such a `tf.function` keeps one cache per
 * instance it is called on (SPEC C8), as TF binds a `tf.function` method per instance.
 *
 * ```ts
 * readsThis(function (x) { return x * this.k; }); // true
 * readsThis((x) => x * 2);                         // false
 * ```
 */
export function readsThis(fn: Function): boolean {
  const source = Function.prototype.toString.call(fn);
  return !ARROW.test(source) && /\bthis\b/.test(source);
}

/** `(a, b) =>`, `x =>`, `async (x) =>`, `async x =>` at the start of a function's source. */
const ARROW = /^(?:async\s*)?(?:\([\s\S]*?\)|[\w$]+)\s*=>/;

/** Whether `thisArg` is an instance a method was called on (not `undefined`, a primitive or the global object). */
export function isInstance(thisArg: unknown): thisArg is object {
  return (typeof thisArg === "object" || typeof thisArg === "function") && thisArg !== null && thisArg !== globalThis;
}
