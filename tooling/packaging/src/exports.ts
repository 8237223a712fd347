/** An `exports` value: a path, a map of conditions or subpaths, or null. */
export type ExportsValue = string | null | { readonly [key: string]: ExportsValue };

/**
 * The exports map without the `source` condition: what consumers get (the published
 * `publishConfig.exports`), while workspace tests and tools resolve sources through it.
 *
 * ```ts
 * withoutSource({ ".": { source: "./src/index.ts", types: "./dist/index.d.ts", default: "./dist/index.js" } });
 * // { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } }
 * ```
 */
export function withoutSource(value: ExportsValue): ExportsValue {
  if (value === null || typeof value === "string") return value;
  return Object.fromEntries(Object.entries(value).flatMap(([key, inner]) => (key === "source" ? [] : [[key, withoutSource(inner)]])));
}

/** Every condition object (a map whose keys are conditions, not subpaths) in an exports map, with its path. */
export function conditionMaps(value: ExportsValue, path = "exports"): { path: string; conditions: Record<string, ExportsValue> }[] {
  if (value === null || typeof value === "string") return [];
  const keys = Object.keys(value);
  const inner = keys.flatMap((key) => conditionMaps(value[key]!, `${path}[${JSON.stringify(key)}]`));
  return keys.some((key) => key.startsWith(".")) ? inner : [{ path, conditions: value }, ...inner];
}

/** Every file path an exports map points at (`./dist/index.js`, ...). */
export function exportTargets(value: ExportsValue): string[] {
  if (value === null) return [];
  if (typeof value === "string") return [value];
  return [...new Set(Object.values(value).flatMap(exportTargets))];
}

/** The subpaths of an exports map (`.`, `./register`, ...). */
export function subpaths(value: ExportsValue): string[] {
  return value !== null && typeof value === "object" ? Object.keys(value).filter((key) => key.startsWith(".")) : ["."];
}
