import { isPlainObject } from "../base/plain_object.js";
/** Maps the leaves of nested arrays and plain objects, keeping the structure. */
export function mapStructure(value: unknown, leaf: (value: unknown, path: string) => unknown, path = ""): unknown {
  if (Array.isArray(value)) return value.map((item, i) => mapStructure(item, leaf, `${path}[${i}]`));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      out[key] = mapStructure((value as Record<string, unknown>)[key], leaf, path === "" ? key : `${path}.${key}`);
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
