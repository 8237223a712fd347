/**
 * The `if` statement operator (TF AutoGraph's `if_stmt`): plain JS for a JS condition, the
 * branch chosen by reading an eager tensor, and an `If` op (`tf.cond`) over the state for a
 * symbolic tensor, each branch traced from the same initial state.
 *
 * ```ts
 * // what the converter emits for `if (x > 0) { y = x; } else { y = -x; }`
 * ag__.ifStmt(ag__.gt(x, 0), () => { y = x; }, () => { y = ag__.neg(x); }, () => [y], (v) => { [y] = v; }, ["y"], "f.js:2:3");
 * ```
 */
import type * as tf from "@kiln/core";
import { AutoGraphError } from "../errors.js";
import {
  type GetState,
  RETURN_VALUE,
  RetryWithType,
  type SetState,
  type ValueType,
  returnSlots,
  sameType,
  standIn,
  standInLoops,
  typeOf,
} from "./state.js";
import { rejectMutations, watchCalls } from "./members.js";
import { tracedCond } from "./traced_cond.js";
import { describeTensor, predicateOf, readBool, staged, tensorOf } from "./tensors.js";

/** SPEC G5: a state variable left undefined by one branch only. */
function checkInitialized(main: unknown[], orelse: unknown[], names: readonly string[]): void {
  names.forEach((name, i) => {
    const inMain = main[i] !== undefined;
    if (inMain === (orelse[i] !== undefined)) return;
    const [has, lacks] = inMain ? ["main", "else"] : ["else", "main"];
    if (RETURN_VALUE.test(name)) {
      throw new AutoGraphError(
        `a return statement in only one branch of an if on a tensor: the ${has} branch returns a value, the ${lacks} branch does not. ` +
          `A graph must produce a value either way: add a return to the ${lacks} branch (or after the if), or assign a variable in both branches and return it after the if`,
      );
    }
    throw new AutoGraphError(
      `'${name}' must also be initialized in the ${lacks} branch: the if on a tensor assigns it only in the ${has} branch and it is used afterwards. ` +
        `Give '${name}' a value before the if, or assign it in both branches`,
    );
  });
}

function stagedIf(
  pred: tf.Tensor,
  body: () => void,
  orelse: () => void,
  getAll: GetState,
  setAll: SetState,
  allNames: readonly string[],
  loc: string,
  nouts: number,
  mainStandIn?: ValueType,
): void {
  const initial = getAll();
  // Every assigned variable is restored before each branch; the first nouts are the outputs.
  const names = allNames.slice(0, nouts);
  const slots = returnSlots(names);
  const token = {};
  let main: unknown[] | undefined;
  const run = (index: 0 | 1): unknown[] => {
    setAll(initial);
    (index === 0 ? body : orelse)();
    const state = getAll().slice(0, nouts);
    setAll(initial);
    // A branch that has not returned yet (doReturn__ is false) has no return value; the
    // other branch's type is enough for a stand-in, since nothing will read it.
    if (slots !== undefined && state[slots.value] === undefined && state[slots.flag] === false) {
      const type = index === 0 ? mainStandIn : typeOf(main?.[slots.value]);
      if (type !== undefined) state[slots.value] = standIn(type);
    }
    if (index === 0) main = state;
    return state;
  };
  const check = (first: unknown[], second: unknown[]): void => {
    if (slots !== undefined && first[slots.value] === undefined && first[slots.flag] === false && second[slots.value] !== undefined) {
      const type = typeOf(second[slots.value]);
      if (type !== undefined) throw new RetryWithType(type, token);
    }
    checkInitialized(first, second, names);
    // Inside a loop tracing with a return-value stand-in of a guessed type: the branch that
    // returns shows the real type, so the loop starts over with it.
    if (slots !== undefined && standInLoops.depth > 0 && first[slots.value] !== undefined && second[slots.value] !== undefined) {
      const [a, b] = [typeOf(first[slots.value]), typeOf(second[slots.value])];
      if (a !== undefined && b !== undefined && !sameType(a, b)) throw new RetryWithType(second[slots.flag] === true ? b : a, "loop");
    }
  };
  let result: unknown[];
  try {
    result = tracedCond(pred, { run, check }, names, "if statement", loc);
  } catch (error) {
    if (!(error instanceof RetryWithType) || error.owner !== token) throw error;
    setAll(initial);
    return stagedIf(pred, body, orelse, getAll, setAll, allNames, loc, nouts, error.type);
  }
  setAll([...result, ...initial.slice(nouts)]);
}

/**
 * `if (cond) body else orelse`. With a symbolic tensor condition both branches are traced
 * (each from the same state) into one `If` op, and the state afterwards is its result.
 */
export function ifStmt(
  cond: unknown,
  body: () => void,
  orelse: () => void,
  getState: GetState,
  setState: SetState,
  names: readonly string[],
  loc: string,
  nouts = names.length,
  mutations?: readonly string[],
  watched?: readonly string[],
): void {
  const pred = predicateOf(cond, "if statement", loc);
  if (pred === undefined) return void (cond ? body() : orelse());
  if (!staged(pred)) return void (readBool(pred) ? body() : orelse());
  rejectMutations("if statement", loc, mutations);
  watchCalls("if statement", loc, watched, () => stagedIf(pred, body, orelse, getState, setState, names, loc, nouts));
}

/**
 * The value a `switch` compares with `===`: JS values as they are, an eager tensor's scalar
 * value; a symbolic tensor is an error, since `===` cannot see its value while tracing.
 */
export function switchValue(value: unknown, loc: string): unknown {
  const tensor = tensorOf(value);
  if (tensor === undefined) return value;
  if (tensor.isSymbolic) {
    throw new AutoGraphError(
      `switch statement at ${loc}: the value is a tensor, but switch cases compare with ===, which cannot see a tensor's value while tracing. ` +
        `Use if / else if with tensor comparisons instead (x === 1 on a tensor becomes tf.equal)`,
    );
  }
  if (tensor.size !== 1)
    throw new AutoGraphError(
      `switch statement at ${loc}: the value is a tensor of ${describeTensor(tensor)}; only a scalar can be switched on`,
    );
  const [first] = tensor.dataSync();
  return tensor.dtype === "bool" ? first !== 0 : first;
}
