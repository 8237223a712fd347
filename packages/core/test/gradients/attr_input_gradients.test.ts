import * as tf from "@kiln/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { live, useCpu } from "../setup.js";

useCpu();

// SPEC D4: shape-taking ops accept an int32 shape tensor (tf.shape(y)). Such an op has the
// shape as an extra input; it carries no gradient, and the op stays differentiable with
// respect to its data input, eagerly and traced with `null` dims.

type ShapedOp = (x: tf.Tensor, like: tf.Tensor) => tf.Tensor;

/** The gradient of sum(op(x, like)^2) with respect to x. */
function gradient(op: ShapedOp): (x: tf.Tensor, like: tf.Tensor) => tf.Tensor {
  return (x, like) => {
    const tape = new tf.GradientTape();
    const y = tape.record(() => {
      tape.watch([x, like]);
      return tf.sum(tf.square(op(x, like)));
    });
    const [dx, dLike] = tape.gradient(y, [x, like]);
    expect(dLike, "the tensor giving the shape gets no gradient").toBeNull();
    return dx!;
  };
}

const CASES: [string, ShapedOp, number[], number[], number[][]][] = [
  // name, op, x, like's shape, expected gradient (2 * x summed over the copies)
  ["reshape", (x, like) => tf.reshape(x, tf.shape(like)), [1, 2, 3, 4, 5, 6], [2, 3], [[2, 4, 6, 8, 10, 12]]],
  ["broadcastTo", (x, like) => tf.broadcastTo(x, tf.shape(like)), [1, 2, 3], [2, 3], [[4, 8, 12]]],
  ["zeros plus x", (x, like) => tf.add(tf.zeros(tf.shape(like)), x), [1, 2, 3], [2, 3], [[4, 8, 12]]],
];

describe("SPEC D4: ops given their shape as a tensor are differentiable in their data", () => {
  let before: number;
  beforeEach(() => {
    before = live();
  });
  afterEach(() => {
    expect(live(), "no tensor outlives the test").toBe(before);
  });

  it.each(CASES)("D4: %s with tf.shape(y), eagerly and traced with a relaxed shape", (_name, op, values, likeShape, [want]) => {
    const x = tf.tensor(values);
    const like = tf.zeros(likeShape);
    const eager = tf.tidy(() => gradient(op)(x, like));
    expect(eager.arraySync()).toEqual(want);
    const traced = tf.function(gradient(op), { inputSignature: [new tf.TensorSpec([null]), new tf.TensorSpec([null, null])], autograph: false });
    const dx = traced(x, like) as tf.Tensor;
    expect(dx.arraySync()).toEqual(want);
    tf.dispose([x, like, eager, dx]);
  });
});

describe("SPEC D4: tile with multiples given as a tensor", () => {
  it("D4: the gradient sums the copies, eagerly and traced with relaxed shapes (a run-time reshape)", () => {
    const x = tf.tensor([1, 2, 3]);
    const times = tf.zeros([2]); // its shape [2] is the multiples
    const want = [4, 8, 12]; // each element fed two copies of 2x
    const tile = (a: tf.Tensor, b: tf.Tensor) => tf.tile(a, tf.shape(b));
    const eager = tf.tidy(() => gradient(tile)(x, times));
    expect(eager.arraySync()).toEqual(want);
    const traced = tf.function(gradient(tile), { inputSignature: [new tf.TensorSpec([null]), new tf.TensorSpec([null])], autograph: false });
    const dx = traced(x, times) as tf.Tensor;
    expect(dx.arraySync()).toEqual(want);
    tf.dispose([x, times, eager, dx]);
  });
});
