import * as tf from "@kiln/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { randomInput } from "../gradients/check.js";
import { live, useCpu } from "../setup.js";
import { checkAgainstFiniteDifferences, type GradientPath, gradientPath, type Model } from "./gradient_paths.js";

useCpu();

// SPEC J1, J2, J4: variables read inside tf.cond branches and tf.whileLoop bodies get
// gradients, with the tape around or inside the function, eagerly and traced, to second
// order. Every gradient (the input's and each variable's) is checked against central
// finite differences in float32, and the three paths must agree with each other.

const PATHS: GradientPath[] = ["eager", "around", "inside"];

/** An RNN-like loop: three steps of h = tanh(h W + b), the weights read inside the body. */
function rnn(w: tf.Variable, b: tf.Variable): Model {
  return (x) => {
    const [, h] = tf.whileLoop(
      (i) => tf.less(i!, 3),
      (i, h) => [i!.add(1), tf.tanh(tf.add(tf.matMul(h!, w), b))],
      [tf.scalar(0, "int32"), x],
    );
    return tf.sum(tf.square(tf.sub(h!, 0.3)));
  };
}

/** A conditional whose branches read different variables (`v` elementwise, `u` a scalar). */
function branches(v: tf.Variable, u: tf.Variable): Model {
  return (x) =>
    tf.cond(
      tf.greater(tf.sum(x), 0),
      () => tf.sum(tf.sin(tf.mul(x, v))),
      () => tf.sum(tf.mul(tf.square(x), u)),
    );
}

/** A loop whose body branches on its state, each branch reading a variable. */
function branchingLoop(w: tf.Variable, u: tf.Variable): Model {
  return (x) => {
    const [, h] = tf.whileLoop(
      (i) => tf.less(i!, 2),
      (i, h) => [
        i!.add(1),
        tf.cond(
          tf.greater(tf.sum(h!), 0),
          () => tf.tanh(tf.matMul(h!, w)),
          () => tf.mul(h!, u),
        ),
      ],
      [tf.scalar(0, "int32"), x],
    );
    return tf.sum(tf.square(h!));
  };
}

/** Runs `check` for every path and expects every path's gradients to match the eager path's closely. */
function acrossPaths(check: (path: GradientPath) => number[][]): void {
  const results = PATHS.map((path) => check(path));
  results.slice(1).forEach((grads, p) => {
    grads.forEach((g, k) => {
      g.forEach((v, j) => expect(v, `${PATHS[p + 1]} gradient ${k}[${j}] vs eager`).toBeCloseTo(results[0]![k]![j]!, 4));
    });
  });
}

describe("SPEC J4: variable gradients through While and If match finite differences", () => {
  let before: number;
  let variables: tf.Variable[] = [];
  beforeEach(() => {
    before = live();
  });
  afterEach(() => {
    for (const v of variables) v.dispose();
    variables = [];
    expect(live(), "no tensor outlives the test").toBe(before);
  });

  const make = (values: tf.Tensor, name: string) => {
    const v = new tf.Variable(values, { name });
    values.dispose();
    variables.push(v);
    return v;
  };

  for (const order of [1, 2] as const) {
    it(`J4: an RNN step reading its weights inside a while body, order ${order}, on every path`, () => {
      const w = make(randomInput([3, 3], 1, -0.6, 0.6), "w");
      const b = make(randomInput([3], 2, -0.3, 0.3), "b");
      const model = rnn(w, b);
      const x = randomInput([2, 3], 3);
      acrossPaths((path) => checkAgainstFiniteDifferences(gradientPath(model, [w, b], path, order), model, [w, b], x, order));
      x.dispose();
    });

    it(`J4: a cond whose branches read variables, both branches, order ${order}, on every path`, () => {
      const v = make(randomInput([3], 4, 0.5, 1.5), "v");
      const u = make(tf.scalar(0.7), "u");
      const model = branches(v, u);
      for (const x of [tf.tensor([0.4, 0.9, -0.2]), tf.tensor([-0.5, 0.3, -0.6])]) {
        acrossPaths((path) => checkAgainstFiniteDifferences(gradientPath(model, [v, u], path, order), model, [v, u], x, order));
        x.dispose();
      }
    });

    it(`J4: a while body that branches and reads variables in each branch, order ${order}, on every path`, () => {
      const w = make(randomInput([2, 2], 5, 0.2, 0.8), "w");
      const u = make(tf.scalar(1.3), "u");
      const model = branchingLoop(w, u);
      // Sums stay clear of 0 under the finite-difference steps, so no branch flips.
      for (const x of [tf.tensor([[0.6, 0.5]]), tf.tensor([[-0.7, 0.2]])]) {
        acrossPaths((path) => checkAgainstFiniteDifferences(gradientPath(model, [w, u], path, order), model, [w, u], x, order));
        x.dispose();
      }
    });
  }

  it("J4, D: the RNN's gradients with the tape around a function whose batch dim relaxed to null, to second order", () => {
    const w = make(randomInput([3, 3], 6, -0.6, 0.6), "w");
    const b = make(randomInput([3], 7, -0.3, 0.3), "b");
    const model = rnn(w, b);
    const warmUp = [randomInput([1, 3], 8), randomInput([4, 3], 9)];
    const x = randomInput([2, 3], 10);
    for (const order of [1, 2] as const) {
      for (const path of ["around", "inside"] as const) {
        checkAgainstFiniteDifferences(gradientPath(model, [w, b], path, order, warmUp), model, [w, b], x, order);
      }
    }
    tf.dispose([...warmUp, x]);
  });
});
