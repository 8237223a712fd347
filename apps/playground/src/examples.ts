/** A program the playground preloads. */
export interface Example {
  readonly id: string;
  readonly title: string;
  readonly source: string;
}

const tfCube = `import * as tf from "@kiln/core";

// The seed's tf_cube: tensors are keyed by dtype and shape, JS values by value.
// The second rank-2 shape relaxes the trace to (None, 2), so the third call reuses it.
const tfCube = tf.function(function tfCube(x) {
  return tf.pow(x, 3);
});

export default {
  fn: tfCube,
  calls: [
    [tf.constant(2)],
    [2],
    [3],
    [tf.constant([[1, 2]])],
    [tf.constant([[3, 4], [5, 6]])],
    [tf.constant([[7, 8], [9, 10]])],
  ],
};
`;

const collatz = `import * as tf from "@kiln/core";

// AutoGraph: a JS while loop and ?: on tensors become one While op with an If inside.
const collatzSteps = tf.function(function collatzSteps(n) {
  let steps = tf.scalar(0, "int32");
  while (n > 1) {
    n = n % 2 === 0 ? n / 2 : n * 3 + 1;
    steps += 1;
  }
  return steps;
});

export default {
  fn: collatzSteps,
  calls: [[tf.scalar(27)], [tf.scalar(97)]],
};
`;

const mlp = `import * as tf from "@kiln/core";

// A small MLP training step: forward pass, gradients and updates in one graph.
// In the optimized plan, bias + relu run as one fused loop, and so does a gradient's
// MatMul with the learning-rate Mul after it.
const w1 = new tf.Variable(tf.randomNormal([4, 16], 0, 0.5, "float32", 1), { name: "w1" });
const b1 = new tf.Variable(tf.zeros([16]), { name: "b1" });
const w2 = new tf.Variable(tf.randomNormal([16, 1], 0, 0.5, "float32", 2), { name: "w2" });
const b2 = new tf.Variable(tf.zeros([1]), { name: "b2" });
const learningRate = 0.05;

const trainStep = tf.function(function trainStep(x, y) {
  const tape = new tf.GradientTape();
  const loss = tape.record(() => {
    const hidden = tf.relu(tf.matMul(x, w1).add(b1));
    const prediction = tf.matMul(hidden, w2).add(b2);
    return tf.mean(tf.square(prediction.sub(y)));
  });
  const grads = tape.gradient(loss, [w1, b1, w2, b2]);
  [w1, b1, w2, b2].forEach((v, i) => v.assignSub(grads[i].mul(learningRate)));
  return loss;
});

const x = tf.randomUniform([32, 4], -1, 1, "float32", 3);
const y = x.sum(1, true);

export default {
  fn: trainStep,
  calls: [[x, y], [x, y], [x, y], [x.slice([0, 0], [8, 4]), y.slice([0, 0], [8, 1])]],
};
`;

/** The examples, in menu order; the first is loaded at start. */
export const EXAMPLES: readonly Example[] = [
  { id: "tf-cube", title: "tf_cube: tracing, retracing and relaxation", source: tfCube },
  { id: "collatz", title: "AutoGraph: a while loop on tensors", source: collatz },
  { id: "mlp", title: "A small MLP training step", source: mlp },
];
