/**
 * Runtime operators for JS arithmetic and comparisons (SPEC G2). When an operand is a
 * tensor and the other is tensor-like (a tensor, number, boolean or nested array), the
 * tensor op runs; otherwise the JS operator does, with its exact meaning (`"a" + 1` is
 * `"a1"`, `x === null` compares identity). JS numbers adopt the tensor operand's dtype.
 *
 * ```ts
 * ag__.add(x, 1);   // tf.add(x, 1) for a tensor x, x + 1 otherwise
 * ag__.lt(i, n);    // tf.less(i, n) or i < n
 * ```
 *
 * A Variable operand stands for its value (`x * w`, `w > 1`, `-w`), except as the target of
 * a compound assignment or `++`/`--` (SPEC H4): `w += 1` would silently rebind `w` to a
 * plain tensor instead of updating the variable, so it throws and points at `assignAdd`.
 *
 * Where JS and TensorFlow disagree, JS wins, since the code is written in JS: `/` on int32
 * tensors divides exactly (like TF's truediv, giving float32) rather than flooring, and `%`
 * is the truncated remainder (the sign of the dividend), not TF's floored `mod`.
 */
import * as tf from "@kiln/core";
import { isTensor, isVariable, tensorOf } from "./tensors.js";

type Pair = [tf.TensorLike, tf.TensorLike];

/** Can `value` meet a tensor in a tensor op? */
function isTensorOperand(value: unknown): boolean {
  return isTensor(value) || typeof value === "number" || typeof value === "boolean" || Array.isArray(value) || ArrayBuffer.isView(value);
}

/**
 * A Variable updated in place by a JS operator would be replaced by a plain value (SPEC
 * H4): raise the error core's Variable raises for JS operators, which points at
 * assign/assignAdd.
 */
function rejectVariable(value: unknown): void {
  if (isVariable(value)) (value as unknown as { [Symbol.toPrimitive](hint: string): unknown })[Symbol.toPrimitive]("number");
}

/**
 * The current value of the target of a compound assignment (`x += 1` is
 * `x = ag__.add(ag__.target(x), 1)`): a Variable there is an error (SPEC H4).
 */
export function target<T>(value: T): T {
  rejectVariable(value);
  return value;
}

/**
 * The operands for a tensor op (a JS operand adopts the tensor operand's dtype inside the
 * op; a Variable stands for its value), or undefined when JS meaning applies.
 */
function tensorPair(a: unknown, b: unknown): Pair | undefined {
  a = tensorOf(a) ?? a;
  b = tensorOf(b) ?? b;
  if (!isTensor(a) && !isTensor(b)) return undefined;
  if (!isTensorOperand(a) || !isTensorOperand(b)) return undefined;
  return [a as tf.TensorLike, b as tf.TensorLike];
}

/** The dtype of the tensor operand of a pair. */
function dtypeOf([a, b]: Pair): tf.DType {
  return (isTensor(a) ? a : (b as tf.Tensor)).dtype;
}

/** `a + b`; a string and a tensor concatenate with the tensor's text, as in `${x}`. */
export function add(a: unknown, b: unknown): unknown {
  if ((typeof a === "string" && tensorOf(b) !== undefined) || (tensorOf(a) !== undefined && typeof b === "string"))
    return String(tensorOf(a) ?? a) + String(tensorOf(b) ?? b);
  const pair = tensorPair(a, b);
  return pair === undefined ? (a as number) + (b as number) : tf.add(...pair);
}

export function sub(a: unknown, b: unknown): unknown {
  const pair = tensorPair(a, b);
  return pair === undefined ? (a as number) - (b as number) : tf.sub(...pair);
}

export function mul(a: unknown, b: unknown): unknown {
  const pair = tensorPair(a, b);
  return pair === undefined ? (a as number) * (b as number) : tf.mul(...pair);
}

/** `a / b`: exact division, so int32 tensors are divided as float32 (JS `7 / 2` is 3.5). */
export function div(a: unknown, b: unknown): unknown {
  const pair = tensorPair(a, b);
  if (pair === undefined) return (a as number) / (b as number);
  const [x, y] = pair;
  // tidy frees the eager intermediates (casts) when this runs outside a trace.
  return dtypeOf(pair) === "int32" ? tf.tidy(() => tf.div(tf.cast(x, "float32"), tf.cast(y, "float32"))) : tf.div(x, y);
}

/** `a % b`: JS's truncated remainder, whose sign follows `a` (`-7 % 3` is -1). */
export function mod(a: unknown, b: unknown): unknown {
  const pair = tensorPair(a, b);
  if (pair === undefined) return (a as number) % (b as number);
  const dtype = dtypeOf(pair);
  return tf.tidy(() => {
    const [x, y] = pair.map((v) => (isTensor(v) ? v : tf.constant(v, dtype)));
    return tf.mul(tf.sign(x!), tf.mod(tf.abs(x!), tf.abs(y!)));
  });
}

export function pow(a: unknown, b: unknown): unknown {
  const pair = tensorPair(a, b);
  return pair === undefined ? (a as number) ** (b as number) : tf.pow(...pair);
}

export function neg(a: unknown): unknown {
  const tensor = tensorOf(a);
  return tensor !== undefined ? tf.neg(tensor) : -(a as number);
}

/** The value of `++x` (`x = ag__.inc(x)`). */
export function inc(a: unknown): unknown {
  rejectVariable(a);
  if (isTensor(a)) return tf.add(a, 1);
  let value = a as number;
  return ++value;
}

/** The value of `--x` (`x = ag__.dec(x)`). */
export function dec(a: unknown): unknown {
  rejectVariable(a);
  if (isTensor(a)) return tf.sub(a, 1);
  let value = a as number;
  return --value;
}

export function lt(a: unknown, b: unknown): unknown {
  const pair = tensorPair(a, b);
  return pair === undefined ? (a as number) < (b as number) : tf.less(...pair);
}

export function le(a: unknown, b: unknown): unknown {
  const pair = tensorPair(a, b);
  return pair === undefined ? (a as number) <= (b as number) : tf.lessEqual(...pair);
}

export function gt(a: unknown, b: unknown): unknown {
  const pair = tensorPair(a, b);
  return pair === undefined ? (a as number) > (b as number) : tf.greater(...pair);
}

export function ge(a: unknown, b: unknown): unknown {
  const pair = tensorPair(a, b);
  return pair === undefined ? (a as number) >= (b as number) : tf.greaterEqual(...pair);
}

/**
 * Identity comparison for objects (two Variables are compared as objects); equality of a
 * tensor or Variable and a JS value or tensor is elementwise.
 */
function equalityPair(a: unknown, b: unknown): Pair | undefined {
  if (isVariable(a) && isVariable(b)) return undefined;
  return tensorPair(a, b);
}

/** `a === b`: `tf.equal` when a tensor meets a tensor-like value, JS `===` otherwise. */
export function eq(a: unknown, b: unknown): unknown {
  const pair = equalityPair(a, b);
  return pair === undefined ? a === b : tf.equal(...pair);
}

/** `a !== b`: `tf.notEqual` when a tensor meets a tensor-like value, JS `!==` otherwise. */
export function ne(a: unknown, b: unknown): unknown {
  const pair = equalityPair(a, b);
  return pair === undefined ? a !== b : tf.notEqual(...pair);
}

/** `a == b` */
export function looseEq(a: unknown, b: unknown): unknown {
  const pair = equalityPair(a, b);
  // biome-ignore lint/suspicious/noDoubleEquals: this operator implements JS's own ==
  return pair === undefined ? a == b : tf.equal(...pair);
}

/** `a != b` */
export function looseNe(a: unknown, b: unknown): unknown {
  const pair = equalityPair(a, b);
  // biome-ignore lint/suspicious/noDoubleEquals: this operator implements JS's own !=
  return pair === undefined ? a != b : tf.notEqual(...pair);
}
