import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";

/** Registers the cpu oracle once for the keras tests. */
export function useCpu(): void {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
}

/** Deterministic data: `n` rows of `features` values in [0, 1) and integer labels in [0, classes). */
export function toyClassification(n: number, features: number, classes: number, seed = 1): { x: tf.Tensor; y: tf.Tensor } {
  const x = tf.randomUniform([n, features], 0, 1, "float32", seed);
  // A learnable rule: the label is the arg-max of fixed random projections.
  const w = tf.randomNormal([features, classes], 0, 1, "float32", seed + 1);
  const y = tf.tidy(() => tf.argMax(tf.matMul(x, w), -1));
  w.dispose();
  return { x, y };
}

/** Max absolute difference between two tensors (after reading both). */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  const av = a.dataSync();
  const bv = b.dataSync();
  if (av.length !== bv.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < av.length; i++) m = Math.max(m, Math.abs(av[i]! - bv[i]!));
  return m;
}
