/**
 * What the statement operators share: the generated names they recognise in a state
 * (`retval__`, `doReturn__`, `break__N`), turning JS values into graph values, stand-in
 * values for a return value that is not set yet, and error locations.
 */
import * as tf from "@kiln/core";
import { AutoGraphError } from "../errors.js";
import { isTensor } from "./tensors.js";

/** Reads the state variables of a converted statement. */
export type GetState = () => unknown[];
/** Writes them back (all at once, in the order of `names`). */
export type SetState = (values: unknown[]) => void;

export const RETURN_VALUE = /^retval__\d*$/;
export const RETURN_FLAG = /^doReturn__\d*$/;
export const BREAK_FLAG = /^break__\d+$/;

const located = new WeakSet<object>();

/** Runs `fn`, adding the statement's location to control-flow errors raised directly by it. */
export function atLocation<T>(construct: string, loc: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if ((error instanceof tf.ControlFlowError || error instanceof AutoGraphError) && !located.has(error)) {
      located.add(error);
      error.message = `${error.message} (in the ${construct}${loc === "" ? "" : ` at ${loc}`})`;
    }
    throw error;
  }
}

/** Graph ops need tensors: JS numbers and booleans leaving a traced branch or loop become tensors. */
export function toGraphValue(value: unknown): unknown {
  if (typeof value === "number") return tf.scalar(value);
  if (typeof value === "boolean") return tf.scalar(value, "bool");
  if (Array.isArray(value)) return value.map(toGraphValue);
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toGraphValue(v)]));
  }
  return value;
}

/** The dtype and shape a stand-in must match: of a tensor, or of each tensor in an array or object. */
export type ValueType =
  | { readonly dtype: tf.DType; readonly shape: readonly (number | null)[] }
  | readonly ValueType[]
  | { readonly [key: string]: ValueType };

export function typeOf(value: unknown): ValueType | undefined {
  if (isTensor(value)) return { dtype: value.dtype, shape: value.shape };
  if (typeof value === "number") return { dtype: "float32", shape: [] };
  if (typeof value === "boolean") return { dtype: "bool", shape: [] };
  if (Array.isArray(value)) {
    const items = value.map(typeOf);
    return items.every((i) => i !== undefined) ? (items as ValueType[]) : undefined;
  }
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value).map(([k, v]) => [k, typeOf(v)] as const);
    return entries.every(([, t]) => t !== undefined) ? (Object.fromEntries(entries) as { [key: string]: ValueType }) : undefined;
  }
  return undefined;
}

/** True when two types are the same (same structure, dtypes and shapes). */
export function sameType(a: ValueType | undefined, b: ValueType | undefined): boolean {
  return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Zeros of `type` standing in for a return value on paths that have not returned yet:
 * `doReturn__` is false there, so the value is never observed, but a graph needs one.
 * Unknown dims become 0.
 */
export function standIn(type: ValueType): unknown {
  if (Array.isArray(type)) return type.map(standIn);
  if ("dtype" in type && "shape" in type && typeof type.dtype === "string") {
    const tensorType = type as { dtype: tf.DType; shape: readonly (number | null)[] };
    return tf.zeros(
      tensorType.shape.map((d) => d ?? 0),
      tensorType.dtype,
    );
  }
  return Object.fromEntries(Object.entries(type).map(([k, v]) => [k, standIn(v as ValueType)]));
}

/** Positions of the return value and return flag in a state, when the function returns from inside converted code. */
export function returnSlots(names: readonly string[]): { value: number; flag: number } | undefined {
  const value = names.findIndex((n) => RETURN_VALUE.test(n));
  const flag = names.findIndex((n) => RETURN_FLAG.test(n));
  return value >= 0 && flag >= 0 ? { value, flag } : undefined;
}

/**
 * Thrown inside a traced branch or loop body to start over once the type of a stand-in is
 * known. `owner` is the statement that will catch it (a token of an `if`, or "loop" for
 * the innermost loop tracing with a stand-in).
 */
export class RetryWithType {
  constructor(
    readonly type: ValueType,
    readonly owner: object | "loop",
  ) {}
}

/** How many loops are tracing their first attempt with a return-value stand-in (they catch "loop" retries). */
export const standInLoops = { depth: 0 };
