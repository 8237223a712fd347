/**
 * Training and control-flow benchmarks, side by side in one process:
 * - one SGD training step of an MLP 784-256-128-10 (relu, softmax cross-entropy), batch
 *   128: Kiln traced step vs Kiln eager step vs tfjs-core `variableGrads` + SGD (cpu);
 * - a tensor `while` loop of 1000 iterations of a small recurrent update, run as one
 *   traced `While` vs the same loop run eagerly in JS (and vs only its update, eagerly).
 *
 * ```sh
 * node --import tsx bench/training.ts
 * ```
 */
import * as tf from "@kiln/core";
import * as tfjs from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core registers gradients only on request.
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { pathToFileURL } from "node:url";
import { cpu } from "../src/index.js";
import { type BenchRow, benchRow, formatTable, timeIt } from "./harness.js";

const SIZES = [784, 256, 128, 10];
const BATCH = 128;

function crossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1)));
}

export async function benchTraining(): Promise<BenchRow[]> {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
  await tf.setBackend("cpu");
  await tfjs.setBackend("cpu");
  const rows: BenchRow[] = [];

  const init = SIZES.slice(1).flatMap((out, i) => [tf.randomNormal([SIZES[i]!, out], 0, 0.05, "float32", 10 + i), tf.zeros([out])]);
  const vars = init.map((t) => new tf.Variable(t));
  const x = tf.randomUniform([BATCH, 784], 0, 1, "float32", 1);
  const labels = tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32", 2), 10);
  const lr = 0.01;
  const step = (input: tf.Tensor, target: tf.Tensor) => {
    const tape = new tf.GradientTape();
    const loss = tape.record(() => {
      let h = input;
      for (let l = 0; l < 3; l++) {
        h = tf.matMul(h, vars[2 * l]!).add(vars[2 * l + 1]!);
        if (l < 2) h = tf.relu(h);
      }
      return crossEntropy(h, target);
    });
    const grads = tape.gradient(loss, vars);
    vars.forEach((v, i) => v.assignSub(tf.mul(grads[i]!, lr)));
    return loss;
  };
  const traced = tf.function(step);
  tf.dispose(traced(x, labels));
  const tracedMs = await timeIt(() => tf.dispose(traced(x, labels)), { warmup: 3, runs: 15 });
  const eagerMs = await timeIt(() => tf.tidy(() => step(x, labels)).dispose(), { warmup: 2, runs: 9 });

  const tv = vars.map((v) => tfjs.variable(tfjs.tensor(v.read().dataSync(), v.shape as number[])));
  const tx = tfjs.tensor(x.dataSync(), [BATCH, 784]);
  const tl = tfjs.tensor(labels.dataSync(), [BATCH, 10]);
  const tfjsStep = () =>
    tfjs.tidy(() => {
      const { grads } = tfjs.variableGrads(() => {
        let h: tfjs.Tensor = tx;
        for (let l = 0; l < 3; l++) {
          h = tfjs.add(tfjs.matMul(h, tv[2 * l]!), tv[2 * l + 1]!);
          if (l < 2) h = tfjs.relu(h);
        }
        return tfjs.neg(tfjs.mean(tfjs.sum(tfjs.mul(tl, tfjs.logSoftmax(h)), -1))) as tfjs.Scalar;
      }, tv);
      for (const v of tv) v.assign(tfjs.sub(v, tfjs.mul(grads[v.name]!, lr)));
    });
  const tfjsMs = await timeIt(tfjsStep, { warmup: 2, runs: 9 });
  rows.push(benchRow("train step MLP b128: traced vs kiln eager (ms)", tracedMs, eagerMs));
  rows.push(benchRow("train step MLP b128: traced vs tfjs variableGrads+SGD (ms)", tracedMs, tfjsMs, "target >= 3x"));

  // A 1000-iteration recurrent update h = tanh(h W + b): the same loop function run as one
  // traced While and run eagerly (each iteration's condition, counter and update as eager
  // ops, the condition read back to JS), plus a stricter baseline: only the update, eagerly,
  // counted by a JS number.
  const w = tf.randomNormal([16, 16], 0, 0.2, "float32", 3);
  const b = tf.randomNormal([1, 16], 0, 0.2, "float32", 4);
  const h0 = tf.zeros([1, 16]);
  const update = (h: tf.Tensor) => tf.tanh(tf.matMul(h, w).add(b));
  const recurrent = (h: tf.Tensor, n: tf.Tensor) =>
    tf.whileLoop((i) => tf.less(i, n), (i, s) => [i!.add(1), update(s!)], [tf.scalar(0, "int32"), h])[1]!;
  const loop = tf.function(recurrent);
  const n = tf.scalar(1000, "int32");
  tf.dispose(loop(h0, n));
  const loopMs = await timeIt(() => tf.dispose(loop(h0, n)), { warmup: 3, runs: 15 });
  const eagerLoopMs = await timeIt(() => tf.tidy(() => recurrent(h0, n)).dispose(), { warmup: 1, runs: 7 });
  const unrolledMs = await timeIt(
    () =>
      tf.tidy(() => {
        let h = h0;
        for (let i = 0; i < 1000; i++) h = update(h);
        return h;
      }).dispose(),
    { warmup: 1, runs: 7 },
  );
  rows.push(benchRow("1000-iteration While vs the same loop run eagerly (ms)", loopMs, eagerLoopMs, "target >= 5x"));
  rows.push(benchRow("1000-iteration While vs eager update only, JS counter (ms)", loopMs, unrolledMs));

  for (const v of vars) v.dispose();
  tf.dispose([x, labels, w, b, h0, n]);
  tfjs.dispose([...tv, tx, tl]);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows = await benchTraining();
  console.log(formatTable(["case", "kiln traced", "anchor", "ratio", "note"], rows.map((r) => [r.name, r.kilnMs.toFixed(3), r.anchorMs.toFixed(3), `${r.ratio.toFixed(2)}x`, r.note ?? ""])));
}
