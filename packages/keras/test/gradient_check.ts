/**
 * Gradients against central finite differences: a layer's gradient with respect to its
 * inputs and trainable weights (taken with a tape, eagerly or inside a `tf.function`) is
 * compared with `(f(v + eps) - f(v - eps)) / 2 eps` at a few coordinates of each.
 */
import * as tf from "@kiln/core";
import { expect } from "vitest";
import type * as keras from "../src/index.js";

/** Central differences of `f` at `values`, for the coordinates `coords`. */
export function finiteDifference(f: () => number, values: Float32Array, coords: number[], eps = 1e-3): number[] {
  return coords.map((i) => {
    const keep = values[i]!;
    values[i] = keep + eps;
    const up = f();
    values[i] = keep - eps;
    const down = f();
    values[i] = keep;
    return (up - down) / (2 * eps);
  });
}

/** Up to `count` coordinates spread over `length`. */
export function spread(length: number, count = 5): number[] {
  const n = Math.min(count, length);
  return Array.from({ length: n }, (_, j) => Math.floor((j * length) / n));
}

/** The sum of every output times a fixed random probe: a scalar that depends on all of them. */
function probed(out: tf.Tensor | tf.Tensor[], probes: tf.Tensor[]): tf.Tensor {
  const outs = Array.isArray(out) ? out : [out];
  return outs.map((o, i) => tf.sum(tf.mul(o, probes[i]!))).reduce((a, b) => tf.add(a, b));
}

export interface GradientCheckOptions {
  /** Differentiate inside a `tf.function` (the traced path) instead of eagerly. */
  traced?: boolean;
  /** Options for `apply` besides the inputs (mask, training...). */
  callOptions?: Record<string, unknown>;
  /** Inputs (by index) that get no gradient check (integer ids, masks). */
  skipInputs?: number[];
  tolerance?: number;
}

/**
 * Checks `layer`'s gradients at `inputs` (the first is applied as the layer's input, the
 * rest, if any, as `initialState`). The layer must be built; its weights are reseeded.
 */
export function checkLayerGradients(layer: keras.Layer, inputs: tf.Tensor[], options: GradientCheckOptions = {}): void {
  const apply = (xs: tf.Tensor[]) =>
    layer.apply(xs.length === 1 ? xs[0]! : xs, { training: false, ...(options.callOptions ?? {}) }) as tf.Tensor | tf.Tensor[];
  const first = apply(inputs);
  const probes = (Array.isArray(first) ? first : [first]).map((o, i) => tf.randomNormal(o.shape as number[], 0, 1, "float32", 50 + i));
  const weights = layer.trainableWeights;
  weights.forEach((w, i) => tf.tidy(() => w.assign(tf.randomNormal(w.shape as number[], 0, 0.5, "float32", 31 + i))));
  const skip = new Set(options.skipInputs ?? []);
  const inputValues = inputs.map((t) => Float32Array.from(t.dataSync()));
  const weightValues = weights.map((w) => tf.tidy(() => Float32Array.from(w.read().dataSync())));
  const objective = () =>
    tf.tidy(() => {
      const xs = inputValues.map((v, i) => tf.tensor(v, inputs[i]!.shape as number[], inputs[i]!.dtype));
      weights.forEach((w, i) => w.assign(tf.tensor(weightValues[i]!, w.shape as number[])));
      return probed(apply(xs), probes).dataSync()[0]!;
    });
  const gradients = (...xs: tf.Tensor[]) => {
    const tape = new tf.GradientTape();
    const loss = tape.record(() => {
      tape.watch(xs.filter((_, i) => !skip.has(i)));
      return probed(apply(xs), probes);
    });
    return tape.gradient(loss, [...xs.filter((_, i) => !skip.has(i)), ...weights]);
  };
  const analytic =
    options.traced === true ? (tf.function(gradients, { autograph: false })(...inputs) as (tf.Tensor | null)[]) : gradients(...inputs);
  const targets = [...inputValues.filter((_, i) => !skip.has(i)), ...weightValues];
  const tolerance = options.tolerance ?? 2e-2;
  targets.forEach((values, k) => {
    const g = analytic[k];
    expect(g, `gradient ${k} is missing`).toBeTruthy();
    const data = g!.dataSync();
    const coords = spread(values.length);
    const numeric = finiteDifference(objective, values, coords);
    coords.forEach((c, j) =>
      expect(Math.abs(numeric[j]! - data[c]!), `gradient ${k}[${c}]`).toBeLessThan(tolerance * Math.max(1, Math.abs(data[c]!))),
    );
  });
}
