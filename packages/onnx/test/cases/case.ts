/**
 * One-op test cases: a function that calls one Kiln op (the `op` the case is about), the
 * inputs to call it with, and how close onnxruntime must come to Kiln's cpu result.
 */
import * as tf from "@kiln/core";
import { seeded, type Tolerance } from "../setup.js";

export interface OpCase {
  /** The Kiln op type the traced function must contain. */
  readonly op: string;
  /** What the case varies (dtype, attrs, broadcasting). */
  readonly label: string;
  /** The function's tensor arguments (made fresh for each run). */
  readonly inputs: () => tf.Tensor[];
  readonly fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
  /** Trace with these specs instead of the inputs' exact shapes (unknown dims). */
  readonly specs?: () => tf.TensorSpec[];
  readonly tol?: Tolerance;
}

/** Transcendentals: Kiln is within 1 ulp, onnxruntime's (MLAS) a few ulps. */
export const TRANSCENDENTAL: Tolerance = { atol: 1e-6, rtol: 2e-6 };

/** A float32 tensor of seeded values in [lo, hi). */
export function rand(shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  return tf.tensor(seeded(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);
}

/** An int32 tensor of seeded integers in [lo, hi). */
export function randInt(shape: number[], seed: number, lo = -10, hi = 10): tf.Tensor {
  return tf.tensor(
    seeded(shape.reduce((a, b) => a * b, 1), seed, lo, hi).map(Math.floor),
    shape,
    "int32",
  );
}

/** A bool tensor of seeded values. */
export function randBool(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    seeded(shape.reduce((a, b) => a * b, 1), seed).map((v) => v > 0),
    shape,
    "bool",
  );
}

export { tf };
