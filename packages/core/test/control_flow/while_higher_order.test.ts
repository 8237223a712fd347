import * as tf from "@kiln/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { centralDifferences, expectAllClose } from "../gradients/check.js";
import { live, useCpu } from "../setup.js";

useCpu();

// SPEC J4 (higher-order gradients work through While) with SPEC D1/D4 (relaxed `null`
// dims, sizes read when the graph runs): the gradient of a While is itself made of While
// loops that log every iteration's state with its run-time shape, so it can be
// differentiated again, whatever the loop variables' static shapes.

type Fn = (x: tf.Tensor) => tf.Tensor;

/** Three steps of h = h + h^2 / 2 over a value of any shape; the loss sums the result. */
const loop: Fn = (x) => {
  const [, h] = tf.whileLoop((i) => tf.less(i!, 3), (i, h) => [i!.add(1), h!.add(h!.mul(h!).mul(0.5))], [tf.scalar(0, "int32"), x]);
  return tf.sum(h!);
};

/** The gradient of `f` at `x` from a tape around `f` (a scalar-valued function). */
const d =
  (f: Fn): Fn =>
  (x) => {
    const tape = new tf.GradientTape();
    const y = tape.record(() => {
      tape.watch(x);
      return f(x);
    });
    return tape.gradient(y, [x])[0]!;
  };

/** `sum(d(f))`: a scalar whose gradient is the row sums of f's Hessian. */
const sumOf =
  (f: Fn): Fn =>
  (x) =>
    tf.sum(f(x));

/** Reads and frees a result. */
const read = (t: unknown): number[] => {
  const values = Array.from((t as tf.Tensor).dataSync());
  (t as tf.Tensor).dispose();
  return values;
};

/** Checks `got` (the gradient of `f` at x) against central differences of `f` in float32. */
function expectFiniteDifferences(got: number[], f: Fn, x: tf.Tensor): void {
  const numeric = centralDifferences(Array.from(x.dataSync()), (v) => tf.tidy(() => f(tf.tensor(v, x.shape as number[])).dataSync()[0]!));
  expectAllClose(got, numeric, "gradient against finite differences");
}

/** A tf.function called with two lengths first, so its input relaxes to shape [null] (SPEC D1). */
function relaxed(fn: Fn) {
  const f = tf.function(fn, { autograph: false });
  for (const n of [2, 3]) {
    tf.tidy(() => {
      f(tf.fill([n], 0.1));
    });
  }
  expect(f.concreteFunctions().at(-1)!.graph.inputs[0]!.shape, "the input relaxed to [null]").toEqual([null]);
  return f;
}

describe("SPEC J4, D1: higher-order gradients through While with unknown dims", () => {
  let before: number;
  let x: tf.Tensor;
  beforeEach(() => {
    x = tf.tensor([0.1, -0.3, 0.25, 0.4]);
    before = live();
  });
  afterEach(() => {
    expect(live(), "no tensor outlives the test").toBe(before);
    x.dispose();
  });

  it("J4, D1: tapes around a call whose While runs over shape [null] give the first and second derivatives", () => {
    const f = relaxed(loop);
    const first = read(tf.tidy(() => d(f)(x)));
    expectFiniteDifferences(first, loop, x);
    const second = read(tf.tidy(() => d(sumOf(d(f)))(x)));
    expectFiniteDifferences(second, sumOf(d(loop)), x);
  });

  it("J4, D1: tapes inside a relaxed function give the second derivative as graph ops", () => {
    const f = relaxed(d(sumOf(d(loop))));
    expectFiniteDifferences(read(f(x)), sumOf(d(loop)), x);
  });

  it("J4, D1: a tf.function of the gradient computation around a relaxed function (both relaxed)", () => {
    const inner = relaxed(loop);
    const outer = relaxed(d(sumOf(d(inner))));
    expectFiniteDifferences(read(outer(x)), sumOf(d(loop)), x);
    const shorter = x.slice([0], [3]);
    expectFiniteDifferences(read(outer(shorter)), sumOf(d(loop)), shorter);
    expect(outer.tracingCount, "traces for [2] and [null]; every later length reuses the relaxed one").toBe(2);
    shorter.dispose();
  });

  it("J4, D1: third derivatives through While over [null], traced and eager, agree with finite differences of the second", () => {
    const secondSums = sumOf(d(sumOf(d(loop))));
    const third = relaxed(d(secondSums));
    const traced = read(third(x));
    const eager = read(tf.tidy(() => d(secondSums)(x)));
    traced.forEach((v, j) => expect(v, `element ${j}: traced against eager`).toBeCloseTo(eager[j]!, 4));
    expectFiniteDifferences(traced, secondSums, x);
  });
});

describe("SPEC J4, G6: gradients of loop variables that change shape between iterations", () => {
  let before: number;
  beforeEach(() => {
    before = live();
  });
  afterEach(() => {
    expect(live(), "no tensor outlives the test").toBe(before);
  });

  /** Appends w * sum(h^2) to h three times (shape invariant [null]); the loss sums h. */
  const grow =
    (w: tf.Tensor): Fn =>
    (x) => {
      const [, h] = tf.whileLoop(
        (i) => tf.less(i!, 3),
        (i, h) => [i!.add(1), tf.concat([h!, tf.reshape(tf.sum(tf.square(h!)).mul(w), [1])])],
        [tf.scalar(0, "int32"), x],
        { shapeInvariants: [[], [null]] },
      );
      return tf.sum(h!);
    };

  it("J4: first and second derivatives of a growing loop variable match finite differences, traced", () => {
    const w = tf.scalar(0.7);
    const x = tf.tensor([0.3, -0.2]);
    const f = grow(w);
    const firstTraced = tf.function(d(f), { autograph: false });
    const secondTraced = tf.function(d(sumOf(d(f))), { autograph: false });
    expectFiniteDifferences(read(firstTraced(x)), f, x);
    expectFiniteDifferences(read(secondTraced(x)), sumOf(d(f)), x);
    tf.dispose([w, x]);
  });

  it("J4: a dynamicSize TensorArray written in the loop is differentiable to second order", () => {
    const x = tf.tensor([0.5, 0.3]);
    const written: Fn = (v) => {
      const ta = new tf.TensorArray({ size: 0, dynamicSize: true, elementShape: [2] });
      const [, , out] = tf.whileLoop(
        (i) => tf.less(i!, 3),
        (i, h, a) => {
          const next = h!.mul(h!).add(0.1);
          return [i!.add(1), next, (a as unknown as tf.TensorArray).write(i!, next) as unknown as tf.Tensor];
        },
        [tf.scalar(0, "int32"), v, ta],
      );
      return tf.sum((out as unknown as tf.TensorArray).stack().mul(tf.tensor([[1, 2], [3, 4], [5, 6]])));
    };
    const second = tf.function(d(sumOf(d(written))), { autograph: false });
    expectFiniteDifferences(read(second(x)), sumOf(d(written)), x);
    x.dispose();
  });
});
