/**
 * tf.function benchmarks, Kiln cpu traced vs Kiln cpu eager vs tfjs-core eager,
 * side by side in one process:
 * - a 20-op elementwise chain on small tensors (dispatch-bound),
 * - an MLP forward pass 784-256-128-10 at batch 128,
 * - the cost of tracing and compiling that MLP forward pass,
 * - the cache-hit overhead of calling a 1-op function, as a ratio to one eager op.
 *
 * ```sh
 * node --import tsx bench/function.ts
 * ```
 */
import * as tf from "@kiln/core";
import * as tfjs from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { pathToFileURL } from "node:url";
import { cpu } from "../src/index.js";
import { type BenchRow, benchRow, formatTable, median, timeIt } from "./harness.js";

function chain(x: tf.Tensor): tf.Tensor {
  let y = x;
  for (let i = 0; i < 5; i++) y = y.mul(1.01).add(0.5).sub(0.25).maximum(-10);
  return y;
}

function chainTfjs(x: tfjs.Tensor): tfjs.Tensor {
  let y = x;
  for (let i = 0; i < 5; i++) y = tfjs.maximum(tfjs.sub(tfjs.add(tfjs.mul(y, 1.01), 0.5), 0.25), -10);
  return y;
}

function randn(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 0.05, "float32", seed);
}

/** Runs `fn` `n` times inside tidy per timing, returning microseconds per call. */
async function perCallMicros(fn: () => unknown, n: number, runs = 9): Promise<number> {
  const ms = await timeIt(
    () => {
      for (let i = 0; i < n; i++) fn();
    },
    { warmup: 2, runs },
  );
  return (ms * 1000) / n;
}

export async function benchFunction(): Promise<BenchRow[]> {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
  await tf.setBackend("cpu");
  await tfjs.setBackend("cpu");
  const rows: BenchRow[] = [];

  // 20-op chain on a [4, 4] tensor: dispatch-bound.
  const small = tf.randomUniform([4, 4], 0, 1, "float32", 1);
  const smallTfjs = tfjs.randomUniform([4, 4]);
  const tracedChain = tf.function(chain);
  tf.dispose(tracedChain(small));
  const chainTraced = await perCallMicros(() => tf.dispose(tracedChain(small)), 2000);
  const chainEager = await perCallMicros(() => tf.tidy(() => chain(small)).dispose(), 2000);
  const chainTfjsUs = await perCallMicros(() => tfjs.tidy(() => chainTfjs(smallTfjs)).dispose(), 2000);
  rows.push(benchRow("20-op chain [4,4]: traced vs kiln eager (us)", chainTraced, chainEager, "target >= 3x"));
  rows.push(benchRow("20-op chain [4,4]: traced vs tfjs eager (us)", chainTraced, chainTfjsUs, "target > 1x"));

  // MLP forward pass.
  const w1 = new tf.Variable(randn([784, 256], 2));
  const b1 = new tf.Variable(tf.zeros([256]));
  const w2 = new tf.Variable(randn([256, 128], 3));
  const b2 = new tf.Variable(tf.zeros([128]));
  const w3 = new tf.Variable(randn([128, 10], 4));
  const b3 = new tf.Variable(tf.zeros([10]));
  const forward = (x: tf.Tensor) =>
    tf.softmax(
      tf
        .relu(tf.relu(x.matMul(w1).add(b1)).matMul(w2).add(b2))
        .matMul(w3)
        .add(b3),
    );
  const x = tf.randomUniform([128, 784], 0, 1, "float32", 5);
  const tracedForward = tf.function(forward);
  tf.dispose(tracedForward(x));
  const mlpTraced = await timeIt(() => tf.dispose(tracedForward(x)), { warmup: 3, runs: 15 });
  const mlpEager = await timeIt(() => tf.tidy(() => forward(x)).dispose(), { warmup: 3, runs: 15 });
  const tw = [w1, b1, w2, b2, w3, b3].map((v) => tfjs.tensor(v.read().dataSync(), v.shape as number[]));
  const tx = tfjs.tensor(x.dataSync(), [128, 784]);
  const forwardTfjs = () =>
    tfjs.tidy(() => {
      const h1 = tfjs.relu(tfjs.add(tfjs.matMul(tx, tw[0]!), tw[1]!));
      const h2 = tfjs.relu(tfjs.add(tfjs.matMul(h1, tw[2]!), tw[3]!));
      return tfjs.softmax(tfjs.add(tfjs.matMul(h2, tw[4]!), tw[5]!));
    });
  const mlpTfjs = await timeIt(() => forwardTfjs().dispose(), { warmup: 3, runs: 15 });
  rows.push(benchRow("MLP 784-256-128-10 b128: traced vs kiln eager (ms)", mlpTraced, mlpEager));
  rows.push(benchRow("MLP 784-256-128-10 b128: traced vs tfjs eager (ms)", mlpTraced, mlpTfjs, "target > 1x"));

  // Trace + compile cost of the MLP forward pass (a fresh function each time; the first call traces).
  const traceTimes: number[] = [];
  for (let i = 0; i < 7; i++) {
    const fresh = tf.function((input: tf.Tensor) => forward(input), { name: `mlp${i}` });
    const start = performance.now();
    fresh.getConcreteFunction(new tf.TensorSpec([128, 784])).planFor(tf.backend());
    traceTimes.push(performance.now() - start);
  }
  rows.push(
    benchRow(
      "trace + compile MLP forward (ms) vs one traced call",
      median(traceTimes),
      mlpTraced,
      "ratio = one call / trace+compile",
    ),
  );

  // Cache-hit overhead: a 1-op function vs the same op eagerly.
  const one = tf.scalar(1);
  const addOne = tf.function((t: tf.Tensor) => tf.add(t, t));
  tf.dispose(addOne(one));
  const hit = await perCallMicros(() => tf.dispose(addOne(one)), 20000, 15);
  const eagerOp = await perCallMicros(() => tf.add(one, one).dispose(), 20000, 15);
  rows.push(benchRow("cache-hit call of a 1-op function vs 1 eager op (us)", hit, eagerOp, `target < 5 us; measured ${hit.toFixed(2)} us`));

  for (const v of [w1, b1, w2, b2, w3, b3]) v.dispose();
  tf.dispose([small, x, one]);
  tfjs.dispose([smallTfjs, tx, ...tw]);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows = await benchFunction();
  console.log(
    formatTable(
      ["case", "kiln traced", "anchor", "ratio", "note"],
      rows.map((r) => [r.name, r.kilnMs.toFixed(3), r.anchorMs.toFixed(3), `${r.ratio.toFixed(2)}x`, r.note ?? ""]),
    ),
  );
}
