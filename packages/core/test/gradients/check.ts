import * as tf from "@kiln/core";
import { expect } from "vitest";

/** Deterministic inputs in [lo, hi) (mulberry32), kept away from kinks by the caller's range. */
export function randomInput(shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const size = shape.reduce((x, y) => x * y, 1);
  return tf.tensor(Array.from({ length: size }, () => lo + (hi - lo) * next()), shape);
}

export interface GradientCheckOptions {
  /** Finite-difference step (float32: 1e-2 is a good balance of truncation and rounding error). */
  readonly eps?: number;
  readonly atol?: number;
  readonly rtol?: number;
}

/**
 * Central finite differences of a scalar function of a flat array: element `j` of the
 * result is `(at(base + eps e_j) - at(base - eps e_j)) / (2 eps)`.
 *
 * ```ts
 * centralDifferences([1, 2], ([a, b]) => a * b, 1e-2); // ~[2, 1]
 * ```
 */
export function centralDifferences(base: readonly number[], at: (values: number[]) => number, eps = 1e-2): number[] {
  return base.map((_, j) => {
    const shifted = (delta: number) => {
      const values = [...base];
      values[j]! += delta;
      return at(values);
    };
    return (shifted(eps) - shifted(-eps)) / (2 * eps);
  });
}

/** Fails naming `label` and the element when `got` and `want` differ by more than `atol + rtol * |want|`. */
export function expectAllClose(got: readonly number[], want: readonly number[], label: string, options: GradientCheckOptions = {}): void {
  const { atol = 2e-2, rtol = 2e-2 } = options;
  expect(got.length, `${label} size`).toBe(want.length);
  got.forEach((g, j) => {
    const n = want[j]!;
    if (!(Math.abs(g - n) <= atol + rtol * Math.abs(n))) expect.fail(`${label} element ${j}: ${g}, expected ${n}`);
  });
}

/** Reduces any output to a scalar with fixed random weights, so every output element matters. */
function weightedSum(y: tf.Tensor, seed = 7): tf.Tensor {
  if (y.size === 0) return tf.sum(y);
  const w = randomInput(y.shape as number[], seed, 0.5, 1.5);
  return tf.sum(tf.mul(y, w));
}

/**
 * Checks the tape gradient of `f` at `inputs` against central finite differences of
 * `sum(w * f(inputs))`, and that the gradient computed inside a tf.function (SPEC J2)
 * agrees with the eager one.
 *
 * ```ts
 * checkGradient((x) => tf.exp(x), [randomInput([2, 3], 1)]);
 * ```
 */
export function checkGradient(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], options: GradientCheckOptions = {}): void {
  const { eps = 1e-2, atol = 2e-2, rtol = 2e-2 } = options;
  tf.tidy(() => {
    const loss = (...xs: tf.Tensor[]) => weightedSum(f(...xs));
    const tape = new tf.GradientTape();
    const value = tape.record(() => {
      tape.watch(inputs);
      return loss(...inputs);
    });
    const analytic = tape.gradient(value, inputs);
    inputs.forEach((x, i) => {
      const base = Array.from(x.dataSync());
      const numeric = centralDifferences(
        base,
        (shifted) => loss(...inputs.map((y, k) => (k === i ? tf.tensor(shifted, y.shape as number[]) : y))).dataSync()[0]!,
        eps,
      );
      const got = analytic[i] === null ? base.map(() => 0) : Array.from(analytic[i]!.dataSync());
      expectAllClose(got, numeric, `input ${i}: tape gradient against finite differences,`, { atol, rtol });
    });
    // The same gradient computed inside a traced function (tape in the graph).
    const traced = tf.function((...xs: tf.Tensor[]) => {
      const t = new tf.GradientTape();
      const v = t.record(() => {
        t.watch(xs);
        return loss(...xs);
      });
      return t.gradient(v, xs).map((g, k) => g ?? tf.zerosLike(xs[k]!));
    }, { autograph: false });
    const tracedGrads = traced(...inputs) as tf.Tensor[];
    tracedGrads.forEach((g, k) => {
      const eager = analytic[k] === null ? Array.from(tf.zerosLike(inputs[k]!).dataSync()) : Array.from(analytic[k]!.dataSync());
      const graph = Array.from(g.dataSync());
      graph.forEach((v, j) => {
        if (!(Math.abs(v - eager[j]!) <= 1e-5 + 1e-5 * Math.abs(eager[j]!))) expect.fail(`traced gradient ${k}[${j}] = ${v}, eager ${eager[j]}`);
      });
    });
  });
}

/** Asserts `f` records no gradient for its float inputs (non-differentiable ops give null). */
export function expectNoGradient(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): void {
  tf.tidy(() => {
    const tape = new tf.GradientTape();
    const target = tape.record(() => {
      tape.watch(inputs);
      return tf.sum(tf.cast(f(...inputs), "float32"));
    });
    const grads = tape.gradient(target, inputs);
    for (const g of grads) expect(g).toBeNull();
  });
}

/** A customGradient that doubles its input, but claims a gradient of 10 * dy (so a used gradFunc is visible). */
export const timesTwoGradTen = () =>
  tf.customGradient((x: tf.Tensor) => ({
    value: x.mul(2),
    gradFunc: (dy: tf.Tensor) => dy.mul(10),
  }));
