/**
 * Runtime operators for `&&`, `||`, `!` and `?:`. Operands arrive as functions so the right
 * side runs only when JS would run it. On a symbolic bool tensor they build a lazy `cond`
 * (TF AutoGraph's `and_`, `or_`, `not_`, `if_exp`); an eager tensor is read like a bool.
 *
 * ```ts
 * ag__.and(() => x > 0, () => expensive(x)); // expensive runs only if x > 0
 * ```
 */
import * as tf from "@kiln/core";
import { tracedCond } from "./traced_cond.js";
import { predicateOf, readBool, staged, tensorOf } from "./tensors.js";

/** `left && right`: JS semantics for JS values; a lazy `cond` for a symbolic bool tensor. */
export function and(left: () => unknown, right: () => unknown): unknown {
  const value = left();
  const pred = predicateOf(value, "the && operator", undefined);
  if (pred === undefined) return value ? right() : value;
  if (!staged(pred)) return readBool(pred) ? right() : value;
  return tracedCond(pred, { run: (i) => [i === 0 ? right() : pred] }, ["the right side of &&"], "&& operator", "")[0];
}

/** `left || right`: JS semantics for JS values; a lazy `cond` for a symbolic bool tensor. */
export function or(left: () => unknown, right: () => unknown): unknown {
  const value = left();
  const pred = predicateOf(value, "the || operator", undefined);
  if (pred === undefined) return value ? value : right();
  if (!staged(pred)) return readBool(pred) ? value : right();
  return tracedCond(pred, { run: (i) => [i === 0 ? pred : right()] }, ["the right side of ||"], "|| operator", "")[0];
}

/** `!value`: `logicalNot` for tensors, JS `!` otherwise. */
export function not(value: unknown): unknown {
  const tensor = tensorOf(value);
  return tensor === undefined ? !value : tf.logicalNot(tensor);
}

/** `cond ? ifTrue : ifFalse`: only the chosen side runs; both are traced into a `cond` for a symbolic tensor. */
export function ifExp(cond: unknown, ifTrue: () => unknown, ifFalse: () => unknown, loc: string): unknown {
  const pred = predicateOf(cond, "conditional expression", loc);
  if (pred === undefined) return cond ? ifTrue() : ifFalse();
  if (!staged(pred)) return readBool(pred) ? ifTrue() : ifFalse();
  return tracedCond(pred, { run: (i) => [i === 0 ? ifTrue() : ifFalse()] }, ["the value"], "conditional expression", loc)[0];
}
