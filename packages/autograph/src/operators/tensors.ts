/**
 * How runtime operators recognise tensors: a Tensor, or a Variable (which stands for its
 * value). Everything else is a JS value and keeps its JS meaning.
 */
import * as tf from "@kiln/core";
import { AutoGraphError } from "../errors.js";

export function isTensor(value: unknown): value is tf.Tensor {
  return value instanceof tf.Tensor;
}

export function isVariable(value: unknown): value is tf.Variable {
  return value instanceof tf.Variable;
}

/** The tensor a value stands for (a Variable reads its value), or undefined for JS values. */
export function tensorOf(value: unknown): tf.Tensor | undefined {
  if (value instanceof tf.Tensor) return value;
  if (value instanceof tf.Variable) return value.readForOp();
  return undefined;
}

/** `shape=(2, 3), dtype=float32` for messages. */
export function describeTensor(tensor: tf.Tensor): string {
  return `shape [${tensor.shape.map((d) => (d === null ? "null" : d)).join(", ")}] and dtype ${tensor.dtype}`;
}

/**
 * The tensor condition of `if`, `while`, `?:`, `&&`, `||` (undefined for a JS value, which
 * keeps JS truthiness). A tensor condition must be a bool scalar: JS truthiness of a tensor
 * object is always true, so anything else is a mistake worth an error that says what to do.
 */
export function predicateOf(value: unknown, construct: string, loc: string | undefined): tf.Tensor | undefined {
  const tensor = tensorOf(value);
  if (tensor === undefined) return undefined;
  const scalar = tensor.shape.every((d) => d === 1);
  if (tensor.dtype === "bool" && scalar) return tensor;
  const fix =
    tensor.dtype !== "bool"
      ? "compare it to get a bool (x > 0, x !== 0, tf.greater(x, 0)), or test whether a value was passed with x !== undefined"
      : "reduce it to one value with tf.any(x) or tf.all(x)";
  throw new AutoGraphError(
    `${construct}${loc === undefined ? "" : ` at ${loc}`}: the condition is a tensor of ${describeTensor(tensor)}; a tensor condition must be a bool scalar. To fix it, ${fix}`,
  );
}

/** The JS boolean of an eager bool scalar. */
export function readBool(tensor: tf.Tensor): boolean {
  return tensor.dataSync()[0] !== 0;
}

/** True while a tf.function is being traced (tensors made now are symbolic). */
export function isTracing(): boolean {
  return !tf.executingEagerly();
}

/**
 * True when a condition must become graph control flow: it is symbolic (tracing), or an
 * eager tensor whose value cannot be read synchronously (an async-only backend), in which
 * case core runs the `cond`/`whileLoop` as a small staged call (SPEC L1).
 */
export function staged(pred: tf.Tensor): boolean {
  return pred.isSymbolic || !pred.canReadSync;
}
