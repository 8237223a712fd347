/**
 * Describes a value a caller passed, for error messages that say what was received:
 * `a tensor of shape [2,3] and dtype float32`, `number 3`, `the string "x"`, `null`.
 *
 * ```ts
 * describeValue([1, 2]); // "an array of length 2"
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "function") return value.name ? `the function '${value.name}'` : "a function";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "symbol") return `a symbol (${String(value)})`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "object") {
    const { shape, dtype } = value as { shape?: unknown; dtype?: unknown };
    if (Array.isArray(shape) && typeof dtype === "string") return `a tensor of shape [${shape.map((d) => (d === null ? "null" : d)).join(",")}] and dtype ${dtype}`;
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    return name && name !== "Object" ? `an object (${name})` : `an object with keys {${Object.keys(value).slice(0, 8).join(", ")}}`;
  }
  return `${typeof value} ${String(value)}`;
}
