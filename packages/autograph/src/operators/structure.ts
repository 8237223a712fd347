/**
 * Loop variables must be flat lists of tensors, but a state variable may hold an array or
 * object of tensors (`retval__ = [a, b]`). These helpers flatten a state into leaves with
 * names (`'pair[1]'`) and rebuild it, and describe a structure for error messages.
 */

/** A plain object (arrays are checked first by every caller). */
function isContainer(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** `T`, `[T,T]`, `{a:T}`: the shape of nesting, for comparing iterations. */
export function structureOf(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(structureOf).join(",")}]`;
  if (isContainer(value))
    return `{${Object.keys(value)
      .map((k) => `${k}:${structureOf(value[k])}`)
      .join(",")}}`;
  return "T";
}

/** A state flattened into leaves. */
export interface FlatState {
  readonly leaves: unknown[];
  /** One name per leaf: the variable's name, with `[i]` / `.key` for nested leaves. */
  readonly names: string[];
  /** The structure of each top-level value. */
  readonly structures: string[];
  /** Rebuilds the state from (new) leaves in the same order. */
  rebuild(leaves: readonly unknown[]): unknown[];
}

export function flattenState(values: readonly unknown[], names: readonly string[]): FlatState {
  const leaves: unknown[] = [];
  const leafNames: string[] = [];
  const walk = (value: unknown, name: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${name}[${i}]`));
    else if (isContainer(value)) for (const key of Object.keys(value)) walk(value[key], `${name}.${key}`);
    else {
      leaves.push(value);
      leafNames.push(name);
    }
  };
  values.forEach((v, i) => walk(v, names[i] ?? `state ${i}`));
  const rebuild = (next: readonly unknown[]): unknown[] => {
    let at = 0;
    const build = (template: unknown): unknown => {
      if (Array.isArray(template)) return template.map(build);
      if (isContainer(template)) return Object.fromEntries(Object.keys(template).map((k) => [k, build(template[k])]));
      return next[at++];
    };
    return values.map(build);
  };
  return { leaves, names: leafNames, structures: values.map(structureOf), rebuild };
}
