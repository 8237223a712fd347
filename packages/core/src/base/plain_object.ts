/**
 * True for `{...}` literals and `Object.create(null)` objects: the "plain objects" Kiln treats
 * as structures (cache keys, nested arguments and results), unlike class instances.
 *
 * ```ts
 * isPlainObject({ a: 1 }); // true
 * isPlainObject(new Map()); // false
 * ```
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
