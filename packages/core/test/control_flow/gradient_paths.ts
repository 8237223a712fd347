import * as tf from "@kiln/core";
import { centralDifferences, expectAllClose, type GradientCheckOptions } from "../gradients/check.js";

/** A scalar loss of one input; it may read variables (in tf.cond branches, tf.whileLoop bodies). */
export type Model = (x: tf.Tensor) => tf.Tensor;

/**
 * Where the gradient is computed (SPEC J1, J2, J4): `eager` runs tf.cond / tf.whileLoop
 * eagerly under the tapes; `around` puts the tapes around a call of `tf.function(model)`;
 * `inside` traces the tapes and the model into one `tf.function`.
 */
export type GradientPath = "eager" | "around" | "inside";

/** What a gradient path computes from `x`: the gradients with respect to `[x, ...variables]`. */
export type Gradients = (x: tf.Tensor) => tf.Tensor[];

/** Gradients of `loss(x)` with respect to `[x, ...variables]`, zeros where none flows. */
function gradientsOf(loss: Model, x: tf.Tensor, variables: readonly tf.Variable[]): tf.Tensor[] {
  const tape = new tf.GradientTape();
  const y = tape.record(() => {
    tape.watch(x);
    return loss(x);
  });
  const sources = [x, ...variables];
  return tape.gradient(y, sources).map((g, k) => g ?? tf.zerosLike(sources[k]!));
}

/**
 * A scalar of the first-order gradients whose gradient is the second-order one checked:
 * `sum(g^2)` over every gradient, so every element of every gradient matters.
 */
function secondOrderLoss(grads: readonly tf.Tensor[]): tf.Tensor {
  return grads.map((g) => tf.sum(tf.square(g))).reduce((a, b) => tf.add(a, b));
}

/**
 * The gradients of `model` with respect to `[x, ...variables]` computed along `path`:
 * first order, or (order 2) the gradients of `secondOrderLoss` of the first-order ones,
 * with one tape around another. Functions are traced once, so repeated calls (finite
 * differences) reuse them; `warmUp` inputs are passed first (e.g. two batch sizes, so a
 * reduceRetracing function relaxes its input to `null` dims).
 *
 * ```ts
 * const grads = gradientPath(model, [w], "around", 2);
 * grads(x); // [d2/dx, d2/dw] of sum(grad^2)
 * ```
 */
export function gradientPath(
  model: Model,
  variables: readonly tf.Variable[],
  path: GradientPath,
  order: 1 | 2,
  warmUp: readonly tf.Tensor[] = [],
): Gradients {
  const forward: Model = path === "around" ? (tf.function(model, { autograph: false }) as unknown as Model) : model;
  const first = (x: tf.Tensor) => gradientsOf(forward, x, variables);
  const compute = order === 1 ? first : (x: tf.Tensor) => gradientsOf((y) => secondOrderLoss(first(y)), x, variables);
  const grads = path === "inside" ? (tf.function(compute, { autograph: false }) as unknown as Gradients) : compute;
  for (const x of warmUp) {
    if (path === "around") tf.dispose(forward(x));
    if (path === "inside") tf.dispose(grads(x));
  }
  return grads;
}

/** The value of what `gradientPath(..., order)` differentiates: the model, or the second-order loss. */
function objective(model: Model, variables: readonly tf.Variable[], order: 1 | 2): (x: tf.Tensor) => number {
  return (x) => tf.tidy(() => (order === 1 ? model(x) : secondOrderLoss(gradientsOf(model, x, variables))).dataSync()[0]!);
}

/**
 * Checks `grads` (a `gradientPath`) at `x` against central finite differences in float32,
 * with respect to `x` and to each variable (assigned shifted values, then restored).
 * For order 2 the differenced function is the second-order loss of the eager first-order
 * gradients. Returns the analytic gradients (read) for comparisons between paths.
 */
export function checkAgainstFiniteDifferences(
  grads: Gradients,
  model: Model,
  variables: readonly tf.Variable[],
  x: tf.Tensor,
  order: 1 | 2,
  options: GradientCheckOptions = {},
): number[][] {
  const analytic = tf.tidy(() => grads(x)).map((g) => {
    const values = Array.from(g.dataSync());
    g.dispose();
    return values;
  });
  const f = objective(model, variables, order);
  const eps = options.eps ?? 1e-2;
  const numericX = centralDifferences(Array.from(x.dataSync()), (v) => tf.tidy(() => f(tf.tensor(v, x.shape as number[]))), eps);
  expectAllClose(analytic[0]!, numericX, `order ${order}: d/dx`, options);
  variables.forEach((variable, k) => {
    const saved = tf.keep(variable.read());
    const numeric = centralDifferences(
      Array.from(saved.dataSync()),
      (v) =>
        tf.tidy(() => {
          variable.assign(tf.tensor(v, saved.shape as number[]));
          return f(x);
        }),
      eps,
    );
    tf.dispose([variable.assign(saved), saved]);
    expectAllClose(analytic[k + 1]!, numeric, `order ${order}: d/d${variable.name}`, options);
  });
  return analytic;
}
