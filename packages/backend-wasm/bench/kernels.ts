/**
 * Kernel benchmarks, Kiln wasm (1 thread and all threads) against tfjs-backend-wasm 4.22,
 * jax-js 0.1.25's wasm device (matMul, the conv layer and its gradients, the unary ops) and
 * Kiln cpu in one process:
 * matMul, the small CNN's second conv layer with both gradients, exp/tanh/sigmoid on 1M
 * floats, and the eager dispatch cost of a tiny op.
 */
import { randomArray, type TimeOptions, timeAll } from "./harness.js";
import { type ConvKind, type JaxCase, jaxCase, jaxConv, jaxMatMul, jaxUnary } from "./jax.js";
import { tf, tfjs } from "./setup.js";

/** One benchmark row: milliseconds for each library (NaN where it cannot run the case). */
export interface KernelRow {
  readonly name: string;
  readonly wasm1: number;
  readonly wasm: number;
  readonly tfjsWasm: number;
  readonly cpu: number;
  /** jax-js 0.1.25 on its wasm device (NaN where not run, or where jax-js failed). */
  readonly jax: number;
  /** Floating-point operations of one run, for GFLOP/s. */
  readonly flops?: number;
  /** Scale of the reported numbers: "ms" per run, or "us" per op. */
  readonly unit: "ms" | "us";
  readonly target?: string;
}

/** Times one piece of work on the three Kiln backends, tfjs-wasm and jax-js, interleaved. */
async function compare(
  kiln: (() => void) | undefined,
  anchor: (() => void) | undefined,
  options: TimeOptions,
  cpuToo = true,
  jax?: JaxCase,
): Promise<number[]> {
  const on = (name: string) =>
    kiln === undefined
      ? undefined
      : async () => {
          await tf.setBackend(name);
          kiln();
        };
  return timeAll([on("wasm1"), on("wasm"), anchor, cpuToo ? on("cpu") : undefined, jax?.run], options);
}

/** Kiln tensors of the given values on every Kiln backend (created on cpu, moved on first use). */
function kilnTensor(values: Float32Array, shape: number[]): tf.Tensor {
  return tf.tensor(values, shape);
}

async function matmulRows(): Promise<KernelRow[]> {
  const rows: KernelRow[] = [];
  for (const n of [256, 512, 1024]) {
    const av = randomArray(n * n, 1);
    const bv = randomArray(n * n, 2);
    const ta = tfjs.tensor(av, [n, n]);
    const tb = tfjs.tensor(bv, [n, n]);
    const made: Record<string, [tf.Tensor, tf.Tensor]> = {};
    const kiln = () => {
      const name = tf.getBackend();
      made[name] ??= [kilnTensor(av, [n, n]), kilnTensor(bv, [n, n])];
      const [a, b] = made[name]!;
      tf.matMul(a, b).dispose();
    };
    const anchor = () => {
      const c = tfjs.matMul(ta, tb);
      c.dataSync();
      c.dispose();
    };
    const runs = n === 1024 ? 5 : 9;
    const jax = await jaxCase(`matMul ${n}`, () => jaxMatMul(av, bv, n));
    const [wasm1, wasm, tfjsWasm, cpu, jaxMs] = await compare(kiln, anchor, { warmup: 2, runs }, n <= 512, jax);
    jax.dispose();
    rows.push({
      name: `matMul ${n}x${n}x${n}`,
      wasm1: wasm1!,
      wasm: wasm!,
      tfjsWasm: tfjsWasm!,
      cpu: cpu!,
      jax: jaxMs!,
      flops: 2 * n ** 3,
      unit: "ms",
      target: ">= 40 GFLOP/s (1 thread), >= 70 (2)",
    });
    for (const pair of Object.values(made)) tf.dispose(pair);
    tfjs.dispose([ta, tb]);
  }
  return rows;
}

/**
 * Checks that a jax-js conv case agrees with Kiln wasm's result `want` (same layout) within
 * 1e-4, relative to the largest magnitude of `want` (a sum of 288 or more products, some
 * outputs lie near zero), and prints the largest difference.
 */
async function checkConvAgrees(name: string, jax: ReturnType<typeof jaxConv>, want: Float32Array): Promise<void> {
  const got = await jax.values();
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]!));
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  }
  const relative = worst / scale;
  console.log(
    `${name}, jax-js against Kiln wasm: largest difference ${worst.toExponential(2)} (${relative.toExponential(2)} of the largest value)`,
  );
  if (!(got.length === want.length && relative <= 1e-4))
    throw new Error(`jax-js's ${name} differs from Kiln's by ${relative} relative (over 1e-4)`);
}

/**
 * jax-js's side of one case of the conv layer on the values `[x, w, dy]`, checked against
 * `kiln`'s result on Kiln wasm before it is timed.
 */
async function checkedJaxConv(name: string, kind: ConvKind, kiln: () => tf.Tensor, [xv, wv, dyv]: Float32Array[]): Promise<JaxCase> {
  const made = jaxConv(kind, xv!, [32, 13, 13, 32], wv!, [3, 3, 32, 64], dyv!);
  await tf.setBackend("wasm");
  const want = kiln();
  try {
    await checkConvAgrees(name, made, want.dataSync() as Float32Array);
  } catch (error) {
    made.dispose();
    throw error;
  } finally {
    want.dispose();
  }
  return made;
}

/** The small CNN's second layer: batch 32, 13x13x32 input, 3x3x32x64 filter, valid padding. */
async function convRows(): Promise<KernelRow[]> {
  const xv = randomArray(32 * 13 * 13 * 32, 3);
  const wv = randomArray(3 * 3 * 32 * 64, 4);
  const dyv = randomArray(32 * 11 * 11 * 64, 5);
  const flops = 2 * 32 * 11 * 11 * 64 * 3 * 3 * 32;
  const tx = tfjs.tensor4d(xv, [32, 13, 13, 32]);
  const tw = tfjs.tensor4d(wv, [3, 3, 32, 64]);
  const tdy = tfjs.tensor4d(dyv, [32, 11, 11, 64]);
  const made: Record<string, tf.Tensor[]> = {};
  const inputs = () =>
    (made[tf.getBackend()] ??= [kilnTensor(xv, [32, 13, 13, 32]), kilnTensor(wv, [3, 3, 32, 64]), kilnTensor(dyv, [32, 11, 11, 64])]);
  const sync = (t: tfjs.Tensor) => {
    t.dataSync();
    t.dispose();
  };
  // jax-js runs each case jitted in its NCHW layout with OIHW filters (bench/jax.ts), on the same values.
  const cases: [string, () => tf.Tensor, (() => void) | undefined, ConvKind][] = [
    [
      "conv2d forward, b32 13x13x32 * 3x3x32x64",
      () => tf.conv2d(inputs()[0]!, inputs()[1]!, 1, "valid"),
      () => sync(tfjs.conv2d(tx, tw, 1, "valid")),
      "forward",
    ],
    [
      "conv2d backprop filter, same layer",
      () => tf.conv2DBackpropFilter(inputs()[0]!, inputs()[2]!, [3, 3, 32, 64], 1, "valid"),
      undefined, // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel
      "filter",
    ],
    [
      "conv2d backprop input, same layer",
      () => tf.conv2DBackpropInput([32, 13, 13, 32], inputs()[2]!, inputs()[1]!, 1, "valid"),
      () => sync(tfjs.conv2dTranspose(tdy, tw, [32, 13, 13, 32], 1, "valid")),
      "input",
    ],
  ];
  const rows: KernelRow[] = [];
  for (const [name, kiln, anchor, kind] of cases) {
    const jax = await jaxCase(name, () => checkedJaxConv(name, kind, kiln, [xv, wv, dyv]));
    const [wasm1, wasm, tfjsWasm, cpu, jaxMs] = await compare(() => kiln().dispose(), anchor, { warmup: 2, runs: 7 }, true, jax);
    jax.dispose();
    rows.push({
      name,
      wasm1: wasm1!,
      wasm: wasm!,
      tfjsWasm: tfjsWasm!,
      cpu: cpu!,
      jax: jaxMs!,
      flops,
      unit: "ms",
      target: ">= 25 GFLOP/s",
    });
  }
  for (const list of Object.values(made)) tf.dispose(list);
  tfjs.dispose([tx, tw, tdy]);
  return rows;
}

async function unaryRows(): Promise<KernelRow[]> {
  const n = 1 << 20;
  const values = randomArray(n, 6);
  const tx = tfjs.tensor1d(values);
  const made: Record<string, tf.Tensor> = {};
  const x = () => (made[tf.getBackend()] ??= kilnTensor(values, [n]));
  const rows: KernelRow[] = [];
  const ops: [string, (t: tf.Tensor) => tf.Tensor, (t: tfjs.Tensor) => tfjs.Tensor][] = [
    ["exp", tf.exp, tfjs.exp],
    ["tanh", tf.tanh, tfjs.tanh],
    ["sigmoid", tf.sigmoid, tfjs.sigmoid],
  ];
  for (const [name, kiln, anchor] of ops) {
    const jax = await jaxCase(name, () => jaxUnary(name, values));
    const [wasm1, wasm, tfjsWasm, cpu, jaxMs] = await compare(
      () => kiln(x()).dispose(),
      () => {
        const y = anchor(tx);
        y.dataSync();
        y.dispose();
      },
      { warmup: 3, runs: 11 },
      true,
      jax,
    );
    jax.dispose();
    rows.push({
      name: `${name} on 1M float32`,
      wasm1: wasm1!,
      wasm: wasm!,
      tfjsWasm: tfjsWasm!,
      cpu: cpu!,
      jax: jaxMs!,
      unit: "ms",
      target: "< 1 ms",
    });
  }
  for (const t of Object.values(made)) t.dispose();
  tx.dispose();
  return rows;
}

/** Eager dispatch: 20,000 adds of two scalars, microseconds per op. */
async function tinyOpRow(): Promise<KernelRow> {
  const count = 20_000;
  const made: Record<string, [tf.Tensor, tf.Tensor]> = {};
  const ta = tfjs.scalar(1);
  const tb = tfjs.scalar(2);
  const [wasm1, wasm, tfjsWasm, cpu] = await compare(
    () => {
      const [a, b] = (made[tf.getBackend()] ??= [tf.scalar(1), tf.scalar(2)]);
      for (let i = 0; i < count; i++) tf.add(a, b).dispose();
    },
    () => {
      for (let i = 0; i < count; i++) tfjs.add(ta, tb).dispose();
    },
    { warmup: 3, runs: 9 },
  );
  for (const pair of Object.values(made)) tf.dispose(pair);
  tfjs.dispose([ta, tb]);
  const us = (ms: number) => (ms * 1000) / count;
  return {
    name: "eager add of two scalars",
    wasm1: us(wasm1!),
    wasm: us(wasm!),
    tfjsWasm: us(tfjsWasm!),
    cpu: us(cpu!),
    jax: Number.NaN,
    unit: "us",
    target: "< 2 us",
  };
}

/** Every kernel benchmark. */
export async function benchKernels(): Promise<KernelRow[]> {
  return [...(await matmulRows()), ...(await convRows()), ...(await unaryRows()), await tinyOpRow()];
}
