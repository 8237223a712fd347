/**
 * Loop options (TF's `tf.autograph.experimental.set_loop_options`): shape invariants for
 * loop variables whose shape changes, and a maximum number of iterations. Written as the
 * first statement of a loop body; the converter turns the call into the loop's options
 * (../passes/directives.ts), so they apply when the loop becomes a `While` op.
 *
 * ```ts
 * let x = tf.zeros([1, 2]);
 * while (i < n) {
 *   autograph.setLoopOptions({ shapeInvariants: [[x, [null, 2]]], maximumIterations: 100 });
 *   x = tf.concat([x, tf.ones([1, 2])], 0);   // x grows along a dim the invariant leaves open
 *   i += 1;
 * }
 * ```
 */
import type * as tf from "@kiln/core";
import { AutoGraphError } from "../errors.js";
import { flattenState } from "./structure.js";

/** Options of `autograph.setLoopOptions`. */
export interface LoopOptions {
  /** `[variable, shape]` pairs: the shapes a loop variable may take across iterations (`null` dims may change). */
  readonly shapeInvariants?: readonly (readonly [unknown, tf.Shape])[];
  /** Stop after this many iterations even if the condition still holds. */
  readonly maximumIterations?: number;
}

/** One shape invariant, with the source text of its target when the converter saw one (`x`, `cfg.scale`). */
interface Invariant {
  readonly target: unknown;
  readonly shape: tf.Shape;
  readonly name: string | null;
}

/** Loop options as the loop operators receive them (`ag__.loopOptions(...)`, evaluated before the loop). */
export interface ResolvedLoopOptions {
  readonly invariants: readonly Invariant[];
  readonly maximumIterations: number | undefined;
  /** Where the setLoopOptions call was written. */
  readonly loc: string;
}

const KEYS = new Set(["shapeInvariants", "maximumIterations"]);

function describe(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(describe).join(", ")}]`;
  if (value === null) return "null";
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "object") return `a ${value.constructor?.name ?? "object"}`;
  return String(value);
}

function isShape(value: unknown): value is tf.Shape {
  return Array.isArray(value) && value.every((d) => d === null || (Number.isInteger(d) && (d as number) >= 0));
}

/** Checks options and returns them as the loop operators use them; errors name `where`. */
function validate(options: unknown, where: string, targets: readonly (string | null)[] = []): ResolvedLoopOptions {
  const fail = (message: string) => new AutoGraphError(`${where}: ${message}`);
  if (options === undefined) return { invariants: [], maximumIterations: undefined, loc: where };
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw fail(`expected an options object ({ shapeInvariants, maximumIterations }), received ${describe(options)}`);
  for (const key of Object.keys(options))
    if (!KEYS.has(key)) throw fail(`unknown option '${key}'; the options are ${[...KEYS].join(" and ")}`);
  const { shapeInvariants = [], maximumIterations } = options as LoopOptions;
  if (maximumIterations !== undefined && (!Number.isInteger(maximumIterations) || maximumIterations < 0))
    throw fail(`maximumIterations must be a non-negative integer, received ${describe(maximumIterations)}`);
  if (!Array.isArray(shapeInvariants))
    throw fail(`shapeInvariants must be an array of [variable, shape] pairs, received ${describe(shapeInvariants)}`);
  const invariants = shapeInvariants.map((pair: unknown, i): Invariant => {
    if (!Array.isArray(pair) || pair.length !== 2 || !isShape(pair[1]))
      throw fail(
        `shapeInvariants[${i}] must be a [variable, shape] pair whose shape lists sizes or null (e.g. [x, [null, 2]]), received ${Array.isArray(pair) ? `a pair with shape ${describe(pair[1])}` : describe(pair)}`,
      );
    return { target: pair[0], shape: pair[1], name: targets[i] ?? null };
  });
  return { invariants, maximumIterations, loc: where };
}

/**
 * Gives options to the loop whose body it starts (SPEC G6: shape invariants for a loop
 * variable that changes shape). Converted code never calls it: the converter reads it
 * where it is written. Run as written (unconverted code, `autograph: false`), it only
 * checks its argument, like TF's `set_loop_options`.
 *
 * ```ts
 * while (i < n) {
 *   autograph.setLoopOptions({ shapeInvariants: [[x, [null, 2]]], maximumIterations: 10 });
 *   x = tf.concat([x, row], 0);
 *   i += 1;
 * }
 * ```
 */
export function setLoopOptions(options: LoopOptions): void {
  validate(options, "autograph.setLoopOptions");
}

/**
 * What converted code passes to a loop operator for `setLoopOptions(options)` at `loc`
 * (see ../passes/directives.ts): the options, checked, with the source text of each
 * shape invariant's target.
 *
 * ```ts
 * ag__.whileStmt(test, body, getState, setState, ["x", "i"], "f.js:3:3", [], [],
 *   ag__.loopOptions({ shapeInvariants: [[x, [null, 2]]] }, ["x"], "f.js:4:5"));
 * ```
 */
export function loopOptions(options: unknown, targets: readonly (string | null)[], loc: string): ResolvedLoopOptions {
  return { ...validate(options, `setLoopOptions at ${loc}`, targets), loc };
}

/**
 * The user's shape invariant of each loop variable leaf (by leaf name: `x`, `pair[0]`): a
 * target matches by its source text, or else by identity with the value the variable had
 * when the loop started (as in TF).
 */
export function invariantsByLeaf(
  options: ResolvedLoopOptions,
  initial: readonly unknown[],
  names: readonly string[],
  leafNames: readonly string[],
): Map<string, tf.Shape> {
  const start = flattenState(initial, names);
  const found = new Map<string, tf.Shape>();
  options.invariants.forEach((invariant, i) => {
    let leaf = invariant.name !== null && leafNames.includes(invariant.name) ? invariant.name : undefined;
    if (leaf === undefined && typeof invariant.target === "object" && invariant.target !== null) {
      const at = start.leaves.indexOf(invariant.target);
      if (at >= 0) leaf = start.names[at];
    }
    const label = `shapeInvariants[${i}]${invariant.name === null ? "" : ` ('${invariant.name}')`}`;
    if (leaf === undefined || !leafNames.includes(leaf)) {
      const structured =
        invariant.name !== null && leafNames.some((n) => n.startsWith(`${invariant.name}[`) || n.startsWith(`${invariant.name}.`));
      throw new AutoGraphError(
        structured
          ? `setLoopOptions at ${options.loc}: ${label} is an array or object of tensors; give each tensor in it its own pair (e.g. [${invariant.name}[0], shape])`
          : `setLoopOptions at ${options.loc}: ${label} is not a variable this loop carries; shape invariants are for the variables it carries from one iteration to the next (${leafNames.length === 0 ? "this loop has none" : leafNames.map((n) => `'${n}'`).join(", ")})`,
      );
    }
    found.set(leaf, invariant.shape);
  });
  return found;
}

/** The same options with `maximumIterations` lowered by `used` iterations (not below 0). */
export function afterIterations(options: ResolvedLoopOptions | undefined, used: number): ResolvedLoopOptions | undefined {
  if (options?.maximumIterations === undefined) return options;
  return { ...options, maximumIterations: Math.max(0, options.maximumIterations - used) };
}
