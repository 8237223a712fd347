/**
 * Runtime operators for compound assignments and `++`/`--` whose target cannot simply be
 * read and written again in converted code: a computed or nested member (`a[i] += 1`,
 * `o.p.q *= 2`, `a[i]++`) is evaluated once, like JS does, and a postfix update whose
 * value is used (`const old = y++`) returns the value before the update.
 *
 * ```ts
 * ag__.assignMember(a, i, "add", () => 1);    // a[i] += 1
 * ag__.updateMember(a, i, "inc", false);      // a[i]++ (its value: the old a[i])
 * ag__.postfix(y, "inc", (v) => (y = v));     // y++ (its value: the old y)
 * ```
 *
 * The arithmetic is the runtime operators' (tensor ops for tensors, JS otherwise), and a
 * Variable as the target is an error (SPEC H4), as for `x += 1`.
 */
import { add, dec, div, inc, mod, mul, pow, sub, target } from "./arithmetic.js";
import { isTensor } from "./tensors.js";

const BINARY = { add, sub, mul, div, mod, pow } as const;
export type CompoundOperator = keyof typeof BINARY;

type Keyed = Record<PropertyKey, unknown>;

/** `object[key] op= right()`: the object and key are evaluated once; returns the new value. */
export function assignMember(object: unknown, key: PropertyKey, operator: CompoundOperator, right: () => unknown): unknown {
  const obj = object as Keyed;
  const value = BINARY[operator](target(obj[key]), right());
  obj[key] = value;
  return value;
}

/** The value a postfix update returns (JS's ToNumeric of the old value) and the updated value. */
function update(old: unknown, operator: "inc" | "dec"): { before: unknown; after: unknown } {
  target(old);
  if (isTensor(old)) return { before: old, after: operator === "inc" ? inc(old) : dec(old) };
  let value = old as number;
  const before = operator === "inc" ? value++ : value--;
  return { before, after: value };
}

/** `++object[key]` (prefix) or `object[key]++`: the object and key are evaluated once. */
export function updateMember(object: unknown, key: PropertyKey, operator: "inc" | "dec", prefix: boolean): unknown {
  const obj = object as Keyed;
  const { before, after } = update(obj[key], operator);
  obj[key] = after;
  return prefix ? after : before;
}

/** `x++` / `x--` whose value is used: stores the updated value with `set`, returns the old one. */
export function postfix(old: unknown, operator: "inc" | "dec", set: (value: unknown) => unknown): unknown {
  const { before, after } = update(old, operator);
  set(after);
  return before;
}
