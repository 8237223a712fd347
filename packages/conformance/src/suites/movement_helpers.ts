import { expect } from "vitest";
import { type Nested, tf } from "../context.js";

/**
 * Helpers shared by the movement suites (shape ops, joining, slicing, gather).
 */

/**
 * Asserts `fn` throws `errorClass` with a message containing every fragment. It runs
 * inside `tidy`, so inputs created before the throw are freed (the leak check stays on).
 */
export function expectThrows(fn: () => unknown, errorClass: new (...args: never[]) => Error, ...fragments: string[]): void {
  let caught: unknown;
  try {
    tf.tidy(() => {
      fn();
    });
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected an error").toBeInstanceOf(errorClass);
  for (const fragment of fragments) expect((caught as Error).message).toContain(fragment);
}

/** Shapes and nested values of a multi-output op's results (`fn` runs inside tidy; results are read with `await`, then disposed). */
export async function valuesList(fn: () => tf.Tensor[]): Promise<{ shape: number[]; dtype: tf.DType; value: Nested }[]> {
  const ts = tf.tidy(fn);
  try {
    const out: { shape: number[]; dtype: tf.DType; value: Nested }[] = [];
    for (const t of ts) out.push({ shape: [...(t.shape as number[])], dtype: t.dtype, value: await t.array() });
    return out;
  } finally {
    tf.dispose(ts);
  }
}

/** `0, 1, ..., n-1` as a flat array (test inputs whose values show where they came from). */
export function iota(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Every dtype a movement op accepts, with a way to build a tensor of it from small integers. */
export const DTYPES: readonly tf.DType[] = ["float32", "int32", "bool"];

/** A tensor of `dtype` holding `values` (for bool: odd values are true). */
export function typed(values: readonly number[], shape: readonly number[], dtype: tf.DType): tf.Tensor {
  return tf.tensor(dtype === "bool" ? values.map((v) => v % 2 !== 0) : [...values], shape, dtype);
}

/** What `typed` stores, as `array()` would return it flattened. */
export function typedValues(values: readonly number[], dtype: tf.DType): (number | boolean)[] {
  return dtype === "bool" ? values.map((v) => v % 2 !== 0) : [...values];
}

/** A zero tensor built with `tf.tensor` only (creation ops are tested elsewhere). */
export function zeros(shape: readonly number[], dtype: tf.DType = "float32"): tf.Tensor {
  return tf.tensor(new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0), shape, dtype);
}
