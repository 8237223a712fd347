/**
 * Object properties carried as state by converted `if`s and loops (`cfg.scale`, see
 * ../passes/member_writes.ts), and the mutations that cannot be carried.
 *
 * ```ts
 * // setState of `if (x > 0) cfg.scale = 2; else cfg.scale = 3;`
 * (vars__) => { ag__.setMember(cfg, "scale", vars__[0]); }
 * ```
 */
import { AutoGraphError } from "../errors.js";
import { callMethod } from "./calls.js";
import { isTensor } from "./tensors.js";

/**
 * Writes a carried property back. Skipped when the object does not exist (its read gave
 * `undefined` too) or when restoring `undefined` to a property the object never had, so
 * running a branch and undoing it leaves the object as it was.
 */
export function setMember(object: unknown, key: string, value: unknown): void {
  if (object === null || object === undefined) return;
  if (value === undefined && !(key in Object(object))) return;
  (object as Record<string, unknown>)[key] = value;
}

/**
 * A statement that becomes a graph op traces its body once, so a mutation of an object
 * from outside it would happen once at trace time instead of as the graph decides: an
 * error naming each mutation and the fix, never a silently wrong result.
 */
export function rejectMutations(construct: string, loc: string, mutations: readonly string[] | undefined): void {
  if (mutations === undefined || mutations.length === 0) return;
  throw new AutoGraphError(
    `the ${construct} at ${loc} depends on a tensor, so its body is traced once into a graph op, but it changes an object defined outside it ` +
      `in a way AutoGraph cannot carry as state: ${mutations.join("; ")}. ` +
      `Use a local variable instead (or a plain property name such as o.v), ` +
      `and write the result into the object after the ${construct}`,
  );
}

/** Call sites (`a.push(...) at f.js:3:5`) watched by the statements being traced now. */
const watching = new Map<string, string>();

/** Runs `fn` (tracing a statement's body) while the mutating calls `ids` are watched. */
export function watchCalls<T>(construct: string, loc: string, ids: readonly string[] | undefined, fn: () => T): T {
  const added = (ids ?? []).filter((id) => !watching.has(id));
  for (const id of added) watching.set(id, `${construct} at ${loc}`);
  try {
    return fn();
  } finally {
    for (const id of added) watching.delete(id);
  }
}

function holdsTensor(value: unknown, depth = 0): boolean {
  if (isTensor(value)) return true;
  if (depth > 4 || typeof value !== "object" || value === null) return false;
  return Object.values(value).some((v) => holdsTensor(v, depth + 1));
}

/**
 * `a.push(x)` on an array, map or set from outside a converted statement: a trace-time side
 * effect (SPEC G4) as usual, but storing a tensor while the statement is traced into a
 * graph op would keep one branch's (or one iteration's) tensor: an error.
 */
export function checkedCall(id: string, object: unknown, key: string, ...args: unknown[]): unknown {
  const statement = watching.get(id);
  const container = Array.isArray(object) || object instanceof Map || object instanceof Set || ArrayBuffer.isView(object);
  if (statement !== undefined && container && args.some((a) => holdsTensor(a))) {
    throw new AutoGraphError(
      `the ${statement} depends on a tensor, so its body is traced once into a graph op, but ${id} stores a tensor in an object defined outside it; ` +
        `it would keep the tensor of whichever branch or iteration was traced, not the one the graph computes. ` +
        `Use a local variable instead (e.g. items = [...items, x]), or assign a plain property such as o.v, and update the object after the ${statement.split(" at ")[0]}`,
    );
  }
  return callMethod(object, key, ...args);
}
