/**
 * Keras's own cost: `fit` per step against the same training step written by hand as one
 * `tf.function` (forward, cross-entropy, tape, Adam), and `stepsPerExecution: 16` against 1
 * on a small MLP (32 features -> 64 -> 10, batch 32), where per-call overhead matters most,
 * after a short and after a long warm-up.
 */
import * as tf from "@kiln/core";
import * as keras from "../src/index.js";
import { interleavedMedians, type Row } from "./harness.js";

function mlp(sizes: number[]): keras.Sequential {
  return keras.sequential({
    layers: sizes.slice(1).map((units, i) =>
      keras.layers.dense({
        units,
        activation: i < sizes.length - 2 ? "relu" : "linear",
        ...(i === 0 ? { inputShape: [sizes[0]!] } : {}),
      }),
    ),
  });
}

/** fit per step vs the hand-written traced step on the MLP 784-256-128-10, batch 128. */
async function fitVsHandWritten(): Promise<Row> {
  const batch = 128;
  const steps = 8;
  const x = tf.randomUniform([batch * steps, 784], 0, 1, "float32", 3);
  const y = tf.randomUniform([batch * steps], 0, 10, "int32", 4);
  const model = mlp([784, 256, 128, 10]);
  model.compile({ optimizer: keras.optimizers.adam(1e-3), loss: keras.losses.sparseCategoricalCrossentropy({ fromLogits: true }) });
  const fitEpoch = async () => {
    await model.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0, shuffle: false });
    return steps;
  };

  // The same step by hand: the same layers' variables, one tf.function, no Keras loop.
  const hand = mlp([784, 256, 128, 10]);
  hand.apply(tf.zeros([1, 784]));
  const vars = hand.trainableWeights;
  const optimizer = keras.optimizers.adam(1e-3);
  optimizer.build(vars);
  const step = tf.function(
    (xb: tf.Tensor, yb: tf.Tensor) => {
      const tape = new tf.GradientTape();
      const loss = tape.record(() => {
        let h = xb;
        for (let i = 0; i < vars.length; i += 2) {
          h = tf.add(tf.matMul(h, vars[i]!), vars[i + 1]!);
          if (i < vars.length - 2) h = tf.relu(h);
        }
        return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(yb, 10), tf.logSoftmax(h)), -1)));
      });
      const grads = tape.gradient(loss, vars);
      optimizer.applyGradients(vars.map((v, i) => [grads[i]!, v] as const));
      return loss;
    },
    { autograph: false },
  );
  const batches = Array.from(
    { length: steps },
    (_, i) => [tf.slice(x, [i * batch, 0], [batch, 784]), tf.slice(y, [i * batch], [batch])] as const,
  );
  const handEpoch = () => {
    for (const [xb, yb] of batches) step(xb, yb).dispose();
    return steps;
  };
  const [fitMs = Number.NaN, handMs = Number.NaN] = await interleavedMedians([fitEpoch, handEpoch], { warmup: 1, runs: 9 });
  return {
    name: "fit step vs the same step hand-written as one tf.function (MLP b128)",
    kilnMs: fitMs,
    anchor: "hand-written tf.function",
    anchorMs: handMs,
    target: "fit within 1.2x (ratio >= 0.83)",
  };
}

/**
 * stepsPerExecution 16 vs 1 on a 2-layer MLP, 32 features, batch 32, after `warmup` epochs
 * of 64 steps each. The single-step path takes about 20 epochs (some 1,300 calls) to reach
 * its steady speed and the grouped one about 10, so 2 warm-up epochs measure partly JIT
 * warm-up and 30 the steady state.
 */
async function stepsPerExecution(warmup: number): Promise<Row> {
  const batch = 32;
  const steps = 64;
  const x = tf.randomUniform([batch * steps, 32], 0, 1, "float32", 5);
  const y = tf.randomUniform([batch * steps], 0, 10, "int32", 6);
  const epochOf = (group: number) => {
    const model = mlp([32, 64, 10]);
    model.compile({
      optimizer: keras.optimizers.adam(1e-3),
      loss: keras.losses.sparseCategoricalCrossentropy({ fromLogits: true }),
      stepsPerExecution: group,
    });
    return async () => {
      await model.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0, shuffle: false });
      return steps;
    };
  };
  const [single = Number.NaN, grouped = Number.NaN] = await interleavedMedians([epochOf(1), epochOf(16)], { warmup, runs: 11 });
  return {
    name: `fit step, stepsPerExecution 16 vs 1 (MLP 32-64-10, batch 32), after ${warmup} warm-up epochs`,
    kilnMs: grouped,
    anchor: "stepsPerExecution 1",
    anchorMs: single,
    target: ">= 2x",
  };
}

/** The overhead rows. */
export async function benchOverhead(): Promise<Row[]> {
  return [await fitVsHandWritten(), await stepsPerExecution(2), await stepsPerExecution(30)];
}
