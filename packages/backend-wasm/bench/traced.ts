/**
 * tf.function benchmarks on Kiln wasm (1 thread and all threads) against tfjs-backend-wasm
 * (eager; tfjs has no tracing), jax-js 0.1.25's wasm device (jitted) and Kiln cpu (traced),
 * in one process: the 10-op elementwise chain on 1M floats, the cache-hit cost of calling a
 * traced 1-op function, an MLP training step (SGD and Adam written with core ops, a
 * GradientTape inside tf.function) and a small CNN training step.
 */
import { randomArray, timeAll } from "./harness.js";
import { type JaxCase, jaxCase, jaxChain, jaxCnnStep, jaxMlpStep } from "./jax.js";
import type { KernelRow } from "./kernels.js";
import { tf, tfjs } from "./setup.js";

const KILN_BACKENDS = ["wasm1", "wasm", "cpu"] as const;

/** Times a per-backend Kiln function (built lazily on each backend), a tfjs one and a jax-js case, interleaved. */
async function compareTraced(
  make: () => () => void,
  anchor: (() => void) | undefined,
  runs: number,
  warmup = 3,
  jax?: JaxCase,
): Promise<number[]> {
  const made: Record<string, () => void> = {};
  const kiln = (name: string) => async () => {
    await tf.setBackend(name);
    (made[name] ??= make())();
  };
  const [wasm1, wasm, cpu] = KILN_BACKENDS.map(kiln);
  const [a, b, t, c, j] = await timeAll([wasm1, wasm, anchor, cpu, jax?.run], { warmup, runs });
  return [a!, b!, t!, c!, j!];
}

/** The 10-op chain: add, mul, relu, neg, exp, sub, abs, sqrt, sigmoid, tanh. */
function chain(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tanh(tf.sigmoid(tf.sqrt(tf.abs(tf.sub(tf.exp(tf.neg(tf.relu(tf.mul(tf.add(x, y), 0.5)))), y)))));
}

function chainTfjs(x: tfjs.Tensor, y: tfjs.Tensor): tfjs.Tensor {
  return tfjs.tidy(() =>
    tfjs.tanh(tfjs.sigmoid(tfjs.sqrt(tfjs.abs(tfjs.sub(tfjs.exp(tfjs.neg(tfjs.relu(tfjs.mul(tfjs.add(x, y), 0.5)))), y))))),
  );
}

/**
 * Checks that jax-js's chain agrees with Kiln wasm's on the same inputs within 1e-5 relative
 * (the outputs lie in [0.46, 0.77]), and prints the largest relative difference.
 */
async function checkChainAgrees(jax: ReturnType<typeof jaxChain>, xv: Float32Array, yv: Float32Array): Promise<void> {
  await tf.setBackend("wasm");
  const kiln = chain(tf.tensor(xv), tf.tensor(yv));
  const want = kiln.dataSync() as Float32Array;
  kiln.dispose();
  const got = await jax.values();
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.abs(want[i]!));
  console.log(`10-op chain, jax-js against Kiln wasm: largest relative difference ${worst.toExponential(2)}`);
  if (!(worst <= 1e-5)) throw new Error(`jax-js's chain differs from Kiln's by ${worst} relative (over 1e-5)`);
}

async function chainRow(): Promise<KernelRow> {
  const n = 1 << 20;
  const xv = randomArray(n, 1);
  const yv = randomArray(n, 2);
  const tx = tfjs.tensor1d(xv);
  const ty = tfjs.tensor1d(yv);
  const jax = await jaxCase("10-op chain", async () => {
    const made = jaxChain(xv, yv);
    await checkChainAgrees(made, xv, yv);
    return made;
  });
  const [wasm1, wasm, tfjsWasm, cpu, jaxMs] = await compareTraced(
    () => {
      const x = tf.tensor(xv);
      const y = tf.tensor(yv);
      const f = tf.function(chain);
      return () => (f(x, y) as tf.Tensor).dispose();
    },
    () => {
      const out = chainTfjs(tx, ty);
      out.dataSync();
      out.dispose();
    },
    11,
    3,
    jax,
  );
  tfjs.dispose([tx, ty]);
  jax.dispose();
  return {
    name: "traced 10-op elementwise chain, 1M float32",
    wasm1: wasm1!,
    wasm: wasm!,
    tfjsWasm: tfjsWasm!,
    cpu: cpu!,
    jax: jaxMs!,
    unit: "ms",
    target: "< 2 ms",
  };
}

async function cacheHitRow(): Promise<KernelRow> {
  const count = 20_000;
  const ta = tfjs.scalar(1);
  const [wasm1, wasm, tfjsWasm, cpu] = await compareTraced(
    () => {
      const one = tf.scalar(1);
      const f = tf.function((t: tf.Tensor) => tf.add(t, t));
      return () => {
        for (let i = 0; i < count; i++) (f(one) as tf.Tensor).dispose();
      };
    },
    () => {
      for (let i = 0; i < count; i++) tfjs.add(ta, ta).dispose();
    },
    9,
  );
  ta.dispose();
  const us = (ms: number) => (ms * 1000) / count;
  return {
    name: "cache-hit call of a traced 1-op function (tfjs: eager op)",
    wasm1: us(wasm1!),
    wasm: us(wasm!),
    tfjsWasm: us(tfjsWasm!),
    cpu: us(cpu!),
    jax: Number.NaN,
    unit: "us",
    target: "< 5 us",
  };
}

const MLP = [784, 256, 128, 10];
const BATCH = 128;

/** Softmax cross-entropy of logits against one-hot labels, written with core ops. */
function crossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1)));
}

/** A traced MLP training step with SGD or Adam (the optimizer's state as variables, updated with core ops). */
export function makeMlpStep(optimizer: "sgd" | "adam"): () => void {
  const vars = MLP.slice(1).flatMap((out, i) => [
    new tf.Variable(tf.randomNormal([MLP[i]!, out], 0, 0.05, "float32", 10 + i)),
    new tf.Variable(tf.zeros([out])),
  ]);
  const moments =
    optimizer === "adam"
      ? vars.map((v) => [new tf.Variable(tf.zerosLike(v.read())), new tf.Variable(tf.zerosLike(v.read()))] as const)
      : [];
  const stepCount = new tf.Variable(tf.scalar(0));
  const x = tf.randomUniform([BATCH, 784], 0, 1, "float32", 1);
  const labels = tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32", 2), 10);
  const step = tf.function((input: tf.Tensor, target: tf.Tensor) => {
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
    if (optimizer === "sgd") {
      vars.forEach((v, i) => v.assignSub(tf.mul(grads[i]!, 0.01)));
    } else {
      stepCount.assignAdd(tf.scalar(1));
      const t = stepCount.read();
      const [b1, b2, lr, eps] = [0.9, 0.999, 0.001, 1e-7];
      const correction = tf.div(tf.sqrt(tf.sub(1, tf.pow(b2, t))), tf.sub(1, tf.pow(b1, t)));
      vars.forEach((v, i) => {
        const [m, s] = moments[i]!;
        const g = grads[i]!;
        m.assign(tf.add(tf.mul(m.read(), b1), tf.mul(g, 1 - b1)));
        s.assign(tf.add(tf.mul(s.read(), b2), tf.mul(tf.square(g), 1 - b2)));
        v.assignSub(tf.div(tf.mul(tf.mul(m.read(), correction), lr), tf.add(tf.sqrt(s.read()), eps)));
      });
    }
    return loss;
  });
  return () => (step(x, labels) as tf.Tensor).dispose();
}

/** tfjs's equivalent: variableGrads and a manual SGD update, or tf.train.adam. */
export function makeTfjsMlpStep(optimizer: "sgd" | "adam"): () => void {
  const vars = MLP.slice(1).flatMap((out, i) => [
    tfjs.variable(tfjs.randomNormal([MLP[i]!, out], 0, 0.05)),
    tfjs.variable(tfjs.zeros([out])),
  ]);
  const x = tfjs.randomUniform([BATCH, 784]);
  const labels = tfjs.oneHot(tfjs.randomUniform([BATCH], 0, 10, "int32") as tfjs.Tensor1D, 10);
  const adam = tfjs.train.adam(0.001);
  const lossOf = () => {
    let h: tfjs.Tensor = x;
    for (let l = 0; l < 3; l++) {
      h = tfjs.add(tfjs.matMul(h, vars[2 * l]!), vars[2 * l + 1]!);
      if (l < 2) h = tfjs.relu(h);
    }
    return tfjs.neg(tfjs.mean(tfjs.sum(tfjs.mul(labels, tfjs.logSoftmax(h)), -1))) as tfjs.Scalar;
  };
  return () =>
    tfjs.tidy(() => {
      if (optimizer === "adam") {
        adam.minimize(lossOf, false, vars);
        return;
      }
      const { grads } = tfjs.variableGrads(lossOf, vars);
      for (const v of vars) v.assign(tfjs.sub(v, tfjs.mul(grads[v.name]!, 0.01)));
    });
}

async function mlpRows(): Promise<KernelRow[]> {
  const rows: KernelRow[] = [];
  for (const optimizer of ["sgd", "adam"] as const) {
    const jax = await jaxCase(`MLP ${optimizer}`, () => jaxMlpStep(optimizer));
    const [wasm1, wasm, tfjsWasm, cpu, jaxMs] = await compareTraced(() => makeMlpStep(optimizer), makeTfjsMlpStep(optimizer), 11, 3, jax);
    jax.dispose();
    rows.push({
      name: `MLP 784-256-128-10 train step, b128, ${optimizer.toUpperCase()} (traced)`,
      wasm1: wasm1!,
      wasm: wasm!,
      tfjsWasm: tfjsWasm!,
      cpu: cpu!,
      jax: jaxMs!,
      unit: "ms",
      target: "< 8 ms",
    });
  }
  return rows;
}

/** The small CNN: conv3x3x32 relu, maxpool 2, conv3x3x64 relu, flatten, dense 10; batch 32 of 28x28x1, SGD. */
function makeCnnStep(): () => void {
  const w1 = new tf.Variable(tf.randomNormal([3, 3, 1, 32], 0, 0.1, "float32", 1));
  const w2 = new tf.Variable(tf.randomNormal([3, 3, 32, 64], 0, 0.05, "float32", 2));
  const dense = new tf.Variable(tf.randomNormal([11 * 11 * 64, 10], 0, 0.01, "float32", 3));
  const bias = new tf.Variable(tf.zeros([10]));
  const vars = [w1, w2, dense, bias];
  const x = tf.randomUniform([32, 28, 28, 1], 0, 1, "float32", 4);
  const labels = tf.oneHot(tf.randomUniform([32], 0, 10, "int32", 5), 10);
  const step = tf.function((input: tf.Tensor, target: tf.Tensor) => {
    const tape = new tf.GradientTape();
    const loss = tape.record(() => {
      let h = tf.relu(tf.conv2d(input, w1, 1, "valid"));
      h = tf.maxPool(h, 2, 2, "valid");
      h = tf.relu(tf.conv2d(h, w2, 1, "valid"));
      const logits = tf.matMul(tf.reshape(h, [32, 11 * 11 * 64]), dense).add(bias);
      return crossEntropy(logits, target);
    });
    const grads = tape.gradient(loss, vars);
    vars.forEach((v, i) => v.assignSub(tf.mul(grads[i]!, 0.01)));
    return loss;
  });
  return () => (step(x, labels) as tf.Tensor).dispose();
}

async function cnnRow(): Promise<KernelRow> {
  // tfjs-backend-wasm cannot train this model: it has no Conv2DBackpropFilter kernel.
  const jax = await jaxCase("small CNN", jaxCnnStep);
  const [wasm1, wasm, tfjsWasm, cpu, jaxMs] = await compareTraced(makeCnnStep, undefined, 5, 2, jax);
  jax.dispose();
  return {
    name: "small CNN train step, b32 (traced)",
    wasm1: wasm1!,
    wasm: wasm!,
    tfjsWasm: tfjsWasm!,
    cpu: cpu!,
    jax: jaxMs!,
    unit: "ms",
    target: "< 50 ms",
  };
}

/** Every traced benchmark. */
export async function benchTraced(): Promise<KernelRow[]> {
  return [await chainRow(), await cacheHitRow(), ...(await mlpRows()), await cnnRow()];
}
