import { isPlainObject } from "../base/plain_object.js";
/**
 * Maps the leaves of nested arrays and plain objects, keeping the structure. Leaves are
 * visited in canonical order (object keys sorted, as TF's `nest` flattens dicts), while
 * each mapped object keeps the key order of the original (SPEC C3).
 *
 * ```ts
 * mapStructure({ b: 1, a: 2 }, (v) => v); // { b: 1, a: 2 }, visiting a then b
 * ```
 */
export function mapStructure(value: unknown, leaf: (value: unknown, path: string) => unknown, path = ""): unknown {
  if (Array.isArray(value)) return value.map((item, i) => mapStructure(item, leaf, `${path}[${i}]`));
  if (isPlainObject(value)) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    const mapped = new Map<string, unknown>();
    for (const key of [...keys].sort()) mapped.set(key, mapStructure(record[key], leaf, path === "" ? key : `${path}.${key}`));
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = mapped.get(key);
    return out;
  }
  return leaf(value, path);
}

/** Leaves of nested arrays and plain objects in canonical order (sorted object keys). */
export function flattenStructure(value: unknown): unknown[] {
  const out: unknown[] = [];
  mapStructure(value, (leaf) => out.push(leaf));
  return out;
}
