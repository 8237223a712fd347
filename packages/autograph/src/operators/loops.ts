/**
 * Loop operators (TF AutoGraph's `while_stmt` and `for_stmt`). A loop whose first condition
 * is a symbolic tensor, or a for...of over a symbolic tensor, becomes one `While` op over the
 * state variables (`tf.whileLoop`); any other loop runs as JS, so while tracing it is
 * unrolled (SPEC G1, G3). If a JS loop's condition turns into a tensor later (a break or
 * return that depends on a tensor), that is an error that suggests a tensor loop (G7).
 *
 * ```ts
 * // what the converter emits for `while (i < n) { i++; }`
 * ag__.whileStmt(() => ag__.lt(i, n), () => { i = ag__.inc(i); }, () => [i], (v) => { [i] = v; }, ["i"], "f.js:3:3");
 * ```
 */
import * as tf from "@kiln/core";
import { AutoGraphError } from "../errors.js";
import {
  BREAK_FLAG,
  type GetState,
  RETURN_FLAG,
  RetryWithType,
  type SetState,
  type ValueType,
  atLocation,
  returnSlots,
  sameType,
  standIn,
  standInLoops,
  toGraphValue,
  typeOf,
} from "./state.js";
import { type ResolvedLoopOptions, afterIterations, invariantsByLeaf } from "./loop_options.js";
import { checkLoopShapes } from "./loop_shapes.js";
import { rejectMutations, watchCalls } from "./members.js";
import { type FlatState, flattenState } from "./structure.js";
import { isTensor, isTracing, predicateOf, readBool, staged, tensorOf } from "./tensors.js";

/** A symbolic condition in a loop that runs as JS: SPEC G7 when a break or return caused it. */
function becameTensor(construct: string, loc: string, iterations: number, names: readonly string[], state: unknown[]): AutoGraphError {
  const flag = names.find((name, i) => (BREAK_FLAG.test(name) || RETURN_FLAG.test(name)) && isTensor(state[i]));
  const count = `${iterations} iteration${iterations === 1 ? "" : "s"}`;
  if (flag !== undefined) {
    const jump = BREAK_FLAG.test(flag) ? "break" : "return";
    return new AutoGraphError(
      `the ${construct} at ${loc} is a JS loop (its condition or iterable is not a tensor, so it is unrolled while tracing), ` +
        `but after ${count} a '${jump}' inside it depends on a tensor, which is only known when the graph runs. ` +
        `Did you mean a tensor loop? Iterate over a tensor (for (const i of tf.range(n))) or use a tensor condition (while (tf.less(i, n))) so the loop becomes a While op`,
    );
  }
  return new AutoGraphError(
    `the condition of the ${construct} at ${loc} was a JS value at first but became a tensor after ${count}, so the loop cannot stay a JS loop. ` +
      `Make the loop variables tensors before the loop (e.g. let i = tf.scalar(0)) so the whole loop becomes a While op`,
  );
}

/** JS truthiness of a loop condition; an eager tensor is read; a symbolic one is an error. */
function holds(value: unknown, construct: string, loc: string, iterations: number, getState: GetState, names: readonly string[]): boolean {
  const pred = predicateOf(value, construct, loc);
  if (pred === undefined) return Boolean(value);
  if (!pred.isSymbolic) return readBool(pred);
  throw becameTensor(construct, loc, iterations, names, getState());
}

/** A loop condition for `whileLoop`: JS booleans become bool tensors. */
function conditionTensor(value: unknown): tf.TensorLike {
  return (typeof value === "boolean" ? tf.scalar(value, "bool") : (tensorOf(value) ?? value)) as tf.TensorLike;
}

/** Initial loop variables: graph values, eager tensors joined to the graph, a stand-in for a return value not set yet. */
function loopVariables(
  values: unknown[],
  names: readonly string[],
  retvalType: ValueType | undefined,
): { values: unknown[]; standInAt: number } {
  const slots = returnSlots(names);
  const standInAt = slots !== undefined && values[slots.value] === undefined ? slots.value : -1;
  const vars = values.map((v, i) => {
    if (i === standInAt) return toGraphValue(standIn(retvalType ?? { dtype: "float32", shape: [] }));
    const tensor = tensorOf(v);
    if (tensor !== undefined && !tensor.isSymbolic && isTracing()) return tf.identity(tensor);
    return toGraphValue(v);
  });
  return { values: vars, standInAt };
}

/** Shape invariants per leaf: unknown dims of a stand-in's type may vary (its zeros have size 0 there). */
function invariantsFor(flat: FlatState, names: readonly string[], standInAt: number): (readonly (number | null)[] | undefined)[] {
  const prefix = standInAt >= 0 ? names[standInAt] : undefined;
  return flat.leaves.map((leaf, i) => {
    const name = flat.names[i]!;
    const ofStandIn = prefix !== undefined && (name === prefix || name.startsWith(`${prefix}[`) || name.startsWith(`${prefix}.`));
    return ofStandIn && isTensor(leaf) ? leaf.shape.map((d) => (d === 0 ? null : d)) : undefined;
  });
}

const locatedDTypeErrors = new WeakSet<Error>();

/**
 * Adds the loop's location to a dtype error raised while tracing its body, and, when a loop
 * variable started as a JS number (which became a float32 tensor), how to start it instead.
 */
function locateDTypeError(error: Error, loop: StagedLoop, initial: unknown[]): void {
  if (locatedDTypeErrors.has(error)) return;
  locatedDTypeErrors.add(error);
  const numbers = loop.names.flatMap((name, i) => (typeof initial[i] === "number" ? [`'${name}' (${initial[i]})`] : []));
  const hint =
    numbers.length === 0
      ? ""
      : `; ${numbers.join(", ")} started as a JS number, which becomes a float32 tensor in a loop: if it meets int32 tensors, start it as tf.scalar(value, "int32")`;
  error.message = `${error.message} (in the ${loop.construct} at ${loop.loc}${hint})`;
}

interface StagedLoop {
  readonly construct: string;
  readonly loc: string;
  readonly names: readonly string[];
  readonly getState: GetState;
  readonly setState: SetState;
  /** Extra loop variables before the state (the iteration index of a for...of). */
  readonly prefix: tf.TensorLike[];
  readonly prefixNames: string[];
  readonly test: (prefix: tf.Tensor[]) => tf.TensorLike;
  /** Runs one iteration; returns the next prefix values. */
  readonly step: (prefix: tf.Tensor[]) => tf.TensorLike[];
  /** From a setLoopOptions directive. */
  readonly options: ResolvedLoopOptions | undefined;
}

/** Builds the `While` op of a loop; starts over once if a return value's stand-in had the wrong type. */
function stagedLoop(loop: StagedLoop, retvalType?: ValueType): void {
  const { names, getState, setState, prefix } = loop;
  const initial = getState();
  const { values, standInAt } = loopVariables(initial, names, retvalType);
  const flat = flattenState(values, names);
  const given = loop.options === undefined ? new Map<string, tf.Shape>() : invariantsByLeaf(loop.options, initial, names, flat.names);
  const invariants = invariantsFor(flat, names, standInAt).map((standInShape, i) => given.get(flat.names[i]!) ?? standInShape);
  const k = prefix.length;
  const enter = (all: tf.Tensor[]) => setState(flat.rebuild(all.slice(k)));
  // The body only runs while the loop's condition holds, and a break or return flag that
  // the body sets is part of that condition (`!break__1 && ...`, `!doReturn__`): it is
  // false on entry. Entering with JS `false` instead of the symbolic flag lets JS loops
  // nested in the body run as JS (a return there sets the flag to a JS value).
  const flags = names.flatMap((name, i) => (BREAK_FLAG.test(name) || RETURN_FLAG.test(name) ? [i] : []));
  const enterBody = (all: tf.Tensor[]) => {
    const state = flat.rebuild(all.slice(k));
    for (const i of flags) if (isTensor(state[i]) && state[i].dtype === "bool" && state[i].rank === 0) state[i] = false;
    setState(state);
  };
  let result: tf.Tensor[];
  const catchesRetries = standInAt >= 0 && retvalType === undefined;
  if (catchesRetries) standInLoops.depth++;
  try {
    result = atLocation(loop.construct, loop.loc, () =>
      tf.whileLoop(
        (...all) => {
          enter(all);
          return loop.test(all.slice(0, k));
        },
        (...all) => {
          enterBody(all);
          const next = loop.step(all.slice(0, k));
          const state = getState().map(toGraphValue);
          if (standInAt >= 0 && !sameType(typeOf(state[standInAt]), typeOf(values[standInAt]))) {
            const type = typeOf(state[standInAt]);
            if (type !== undefined) throw new RetryWithType(type, "loop");
          }
          const after = flattenState(state, names);
          after.structures.forEach((structure, i) => {
            if (structure !== flat.structures[i]) {
              throw new AutoGraphError(
                `'${names[i]}' has structure ${flat.structures[i]} before the loop, but ${structure} after one iteration; a loop variable must keep its structure`,
              );
            }
          });
          checkLoopShapes(flat, after.leaves, invariants, given);
          return [...next, ...(after.leaves as tf.TensorLike[])];
        },
        [...prefix, ...(flat.leaves as tf.TensorLike[])],
        {
          names: [...loop.prefixNames, ...flat.names],
          shapeInvariants: [...prefix.map(() => undefined), ...invariants],
          ...(loop.options?.maximumIterations === undefined ? {} : { maximumIterations: loop.options.maximumIterations }),
        },
      ),
    );
  } catch (error) {
    if (error instanceof tf.DTypeError) locateDTypeError(error, loop, initial);
    if (!(error instanceof RetryWithType) || error.owner !== "loop" || !catchesRetries) throw error;
    setState(initial);
    return stagedLoop(loop, error.type);
  } finally {
    if (catchesRetries) standInLoops.depth--;
  }
  setState(flat.rebuild(result.slice(k)));
}

/**
 * `while (test) body`. A symbolic tensor condition (on the first test) makes the loop one
 * `While` op over the state; otherwise the loop runs as JS, reading eager tensors.
 */
export function whileStmt(
  test: () => unknown,
  body: () => void,
  getState: GetState,
  setState: SetState,
  names: readonly string[],
  loc: string,
  mutations?: readonly string[],
  watched?: readonly string[],
  options?: ResolvedLoopOptions,
): void {
  const initial = getState();
  let condition = test();
  const first = predicateOf(condition, "while loop", loc);
  if (first !== undefined && staged(first)) {
    rejectMutations("while loop", loc, mutations);
    // The test ran once to decide; the While op runs it again from the same state.
    setState(initial);
    return watchCalls("while loop", loc, watched, () =>
      stagedLoop({
        construct: "while loop",
        loc,
        names,
        getState,
        setState,
        prefix: [],
        prefixNames: [],
        test: () => conditionTensor(test()),
        step: () => {
          body();
          return [];
        },
        options,
      }),
    );
  }
  // As a While op would, a loop on an eager tensor condition stops at maximumIterations; a JS loop ignores it (as in TF).
  const max = first === undefined ? undefined : options?.maximumIterations;
  for (
    let iterations = 0;
    (max === undefined || iterations < max) && holds(condition, "while loop", loc, iterations, getState, names);
    iterations++
  ) {
    body();
    if (max === undefined || iterations + 1 < max) condition = test();
  }
}

/** `do body while (test)`: the body runs once, then it is a while loop (maximumIterations counts that first run). */
export function doWhileStmt(
  test: () => unknown,
  body: () => void,
  getState: GetState,
  setState: SetState,
  names: readonly string[],
  loc: string,
  mutations?: readonly string[],
  watched?: readonly string[],
  options?: ResolvedLoopOptions,
): void {
  body();
  whileStmt(test, body, getState, setState, names, loc, mutations, watched, afterIterations(options, 1));
}

/** The length of a symbolic tensor's first dimension: a number, or an int32 tensor when unknown. */
function leadingLength(tensor: tf.Tensor): tf.TensorLike {
  const first = tensor.shape[0];
  if (first !== null && first !== undefined) return tf.scalar(first, "int32");
  // Unknown while tracing: count the rows (one element of each row, summed).
  const column =
    tensor.rank === 1
      ? tensor
      : tf.reshape(
          tf.slice(
            tensor,
            tensor.shape.map(() => 0),
            tensor.shape.map((_, i) => (i === 0 ? -1 : 1)),
          ),
          [-1],
        );
  return tf.sum(tf.onesLike(tf.cast(column, "int32")));
}

/**
 * `for (const item of iterable) body`. A symbolic tensor iterates its first dimension in
 * one `While` op (item `i` is `gather(x, i)`); an eager tensor iterates its rows in JS;
 * anything else is iterated as JS does. `extraTest` (from break/return) is checked
 * before the first item and after each one.
 */
export function forStmt(
  iterable: unknown,
  extraTest: (() => unknown) | undefined,
  body: (item: unknown) => void,
  getState: GetState,
  setState: SetState,
  names: readonly string[],
  loc: string,
  mutations?: readonly string[],
  watched?: readonly string[],
  options?: ResolvedLoopOptions,
): void {
  const tensor = tensorOf(iterable);
  if (tensor !== undefined && tensor.rank === 0) {
    throw new AutoGraphError(
      `for...of loop at ${loc}: cannot iterate over a scalar tensor (dtype ${tensor.dtype}); iterate over a tensor with at least one dimension, e.g. tf.range(n)`,
    );
  }
  if (tensor?.isSymbolic === true) {
    rejectMutations("for...of loop", loc, mutations);
    const length = leadingLength(tensor);
    return watchCalls("for...of loop", loc, watched, () =>
      stagedLoop({
        construct: "for...of loop",
        loc,
        names,
        getState,
        setState,
        prefix: [tf.scalar(0, "int32")],
        prefixNames: ["iteration"],
        test: ([index]) => {
          const more = tf.less(index!, length);
          return extraTest === undefined ? more : tf.logicalAnd(more, conditionTensor(extraTest()));
        },
        step: ([index]) => {
          body(tf.gather(tensor, index!));
          return [tf.add(index!, tf.scalar(1, "int32"))];
        },
        options,
      }),
    );
  }
  // The rows of an eager tensor stop at maximumIterations, as in a While op; a JS iterable ignores it (as in TF).
  const max = tensor === undefined ? undefined : options?.maximumIterations;
  const rows = tensor === undefined ? undefined : tf.unstack(tensor);
  if (rows !== undefined && max !== undefined) for (const unused of rows.splice(max)) unused.dispose();
  const items: Iterable<unknown> = rows ?? (iterable as Iterable<unknown>);
  let iterations = 0;
  if (extraTest !== undefined && !holds(extraTest(), "for...of loop", loc, iterations, getState, names)) return;
  for (const item of items) {
    body(item);
    iterations++;
    if (extraTest !== undefined && !holds(extraTest(), "for...of loop", loc, iterations, getState, names)) break;
  }
}

/** The keys a `for...in` loop visits, in order. */
export function forInKeys(object: unknown): string[] {
  const keys: string[] = [];
  for (const key in object as object) keys.push(key);
  return keys;
}
