import * as tf from "@kiln/core";
import { beforeAll, describe, expect, it } from "vitest";
import { expectAgree, randomValues, runOn, setUpBackends } from "./helpers.js";

/** A small MLP training step (softmax cross-entropy, SGD) traced with a tape inside, run three times. */
function trainMlp(): tf.Tensor[] {
  const sizes = [20, 16, 8, 4];
  const vars = sizes
    .slice(1)
    .flatMap((out, i) => [
      new tf.Variable(tf.tensor(randomValues(sizes[i]! * out, 10 + i, -0.3, 0.3), [sizes[i]!, out])),
      new tf.Variable(tf.zeros([out])),
    ]);
  const x = tf.tensor(randomValues(12 * 20, 1), [12, 20]);
  const labels = tf.oneHot(tf.tensor([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], [12], "int32"), 4);
  const step = tf.function((input: tf.Tensor, target: tf.Tensor) => {
    const tape = new tf.GradientTape();
    const loss = tape.record(() => {
      let h = input;
      for (let l = 0; l < 3; l++) {
        h = tf.matMul(h, vars[2 * l]!).add(vars[2 * l + 1]!);
        if (l < 2) h = tf.relu(h);
      }
      return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(h)), -1)));
    });
    const grads = tape.gradient(loss, vars);
    vars.forEach((v, i) => v.assignSub(tf.mul(grads[i]!, 0.1)));
    return loss;
  });
  const losses = [0, 1, 2].map(() => step(x, labels) as tf.Tensor);
  const result = [tf.stack(losses), ...vars.map((v) => v.read().clone())];
  for (const cf of step.concreteFunctions()) cf.dispose();
  for (const v of vars) v.dispose();
  return result;
}

/** A small CNN's loss and gradients (conv, relu, max pool, dense) through a GradientTape. */
function cnnGradients(): tf.Tensor[] {
  const x = tf.tensor(randomValues(2 * 10 * 10 * 1, 2), [2, 10, 10, 1]);
  const w1 = tf.tensor(randomValues(3 * 3 * 1 * 4, 3, -0.5, 0.5), [3, 3, 1, 4]);
  const w2 = tf.tensor(randomValues(3 * 3 * 4 * 6, 4, -0.5, 0.5), [3, 3, 4, 6]);
  const dense = tf.tensor(randomValues(2 * 2 * 6 * 3, 5, -0.5, 0.5), [24, 3]);
  const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
    let h = tf.relu(tf.conv2d(x, a, 1, "valid"));
    h = tf.maxPool(h, 2, 2, "valid");
    h = tf.relu(tf.conv2d(h, b, 1, "valid"));
    return tf.sum(tf.square(tf.matMul(tf.reshape(h, [2, 24]), c)));
  })([w1, w2, dense]);
  return [value, ...grads];
}

describe("training and control flow against the cpu oracle", () => {
  beforeAll(async () => {
    await setUpBackends({ threads: 2 });
  });

  it("a traced MLP training step (tape inside tf.function, variable updates) matches cpu over three steps", async () => {
    expectAgree(await runOn("wasm", trainMlp), await runOn("cpu", trainMlp), 1e-5, 1e-4);
  });

  it("a CNN's gradients (conv2d, max pool, both conv gradients) match cpu", async () => {
    expectAgree(await runOn("wasm", cnnGradients), await runOn("cpu", cnnGradients), 1e-4, 1e-4);
  });

  it("a traced While loop and cond run on wasm and match cpu", async () => {
    const program = () => {
      const f = tf.function((n: tf.Tensor, h: tf.Tensor) => {
        const w = tf.tensor(randomValues(16, 7, -0.5, 0.5), [4, 4]);
        const out = tf.whileLoop(
          (i) => tf.less(i, n),
          (i, s) => [i!.add(1), tf.tanh(tf.matMul(s!, w))],
          [tf.scalar(0, "int32"), h],
        )[1]!;
        return tf.cond(
          tf.greater(tf.sum(out), 0),
          () => out.mul(2),
          () => out.neg(),
        );
      });
      const result = f(tf.scalar(25, "int32"), tf.tensor(randomValues(8, 8), [2, 4])) as tf.Tensor;
      for (const cf of f.concreteFunctions()) cf.dispose();
      return result;
    };
    expectAgree(await runOn("wasm", program), await runOn("cpu", program), 1e-5, 1e-4);
  });

  it("leaves no tensors or buffers behind", async () => {
    const before = tf.memory();
    await runOn("wasm", trainMlp);
    await runOn("wasm", cnnGradients);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});
