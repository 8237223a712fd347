/**
 * Kiln's cpu backend against tfjs-core on @tensorflow/tfjs-backend-cpu for elementwise work,
 * in one process on the same inputs:
 *
 * - eager dispatch overhead: 10,000 adds of tiny tensors, where the time is almost all
 *   per-op machinery (argument conversion, shape inference, kernel lookup, allocation,
 *   memory tracking) rather than arithmetic;
 * - throughput: a chain of 10 elementwise ops over 1M float32 values, where the time is the
 *   kernels' loops and the allocation of each intermediate.
 *
 * ```sh
 * node --import tsx packages/backend-cpu/bench/elementwise.ts
 * ```
 */
import { pathToFileURL } from "node:url";
import * as tf from "@kiln/core";
import * as tfjs from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { cpu } from "../src/index.js";
import { type BenchRow, benchRow, formatTable, randomArray, timeIt } from "./harness.js";

/** Ops per dispatch run: enough that timer resolution and loop overhead vanish. */
const DISPATCH_OPS = 10_000;
/** Elements in the chain's inputs. */
const CHAIN_SIZE = 1 << 20;

/** The subset of the tfjs-style API both libraries share, so one chain runs on both. */
interface ElementwiseApi<T> {
  add(a: T, b: T | number): T;
  sub(a: T, b: T | number): T;
  mul(a: T, b: T | number): T;
  maximum(a: T, b: T | number): T;
  abs(x: T): T;
  sqrt(x: T): T;
  log(x: T): T;
  neg(x: T): T;
  exp(x: T): T;
  tidy<R>(fn: () => R): R;
}

/**
 * Ten elementwise ops, mixing tensor-tensor and tensor-scalar operands; every value stays
 * finite for inputs in [-1, 1), so both libraries do the same arithmetic on ordinary numbers.
 */
function chain<T>(api: ElementwiseApi<T>, x: T, y: T): T {
  return api.tidy(() => {
    let t = api.add(x, y); // 1
    t = api.mul(t, 0.5); // 2
    t = api.sub(t, y); // 3
    t = api.abs(t); // 4
    t = api.sqrt(t); // 5
    t = api.add(t, 1); // 6
    t = api.log(t); // 7
    t = api.maximum(t, x); // 8
    t = api.neg(t); // 9
    return api.exp(t); // 10
  });
}

async function setUp(): Promise<void> {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
  await tf.setBackend("cpu");
  await tfjs.setBackend("cpu");
}

const perOpMicros = (ms: number): string => `${((ms * 1000) / DISPATCH_OPS).toFixed(2)}`;

/** 10k adds of two tiny tensors of `shape`; each result is disposed at once, as a tidy would. */
async function dispatchRow(shape: number[]): Promise<BenchRow> {
  const size = shape.reduce((a, b) => a * b, 1);
  const a = randomArray(size, 1);
  const b = randomArray(size, 2);
  const ka = tf.tensor(a, shape);
  const kb = tf.tensor(b, shape);
  const ta = tfjs.tensor(a, shape);
  const tb = tfjs.tensor(b, shape);
  const kilnMs = await timeIt(
    () => {
      for (let i = 0; i < DISPATCH_OPS; i++) tf.add(ka, kb).dispose();
    },
    { warmup: 3, runs: 9 },
  );
  const anchorMs = await timeIt(
    () => {
      for (let i = 0; i < DISPATCH_OPS; i++) tfjs.add(ta, tb).dispose();
    },
    { warmup: 3, runs: 9 },
  );
  tf.dispose([ka, kb]);
  tfjs.dispose([ta, tb]);
  const label = shape.length === 0 ? "scalar" : `[${shape}]`;
  const note = `per op: kiln ${perOpMicros(kilnMs)} µs, tfjs ${perOpMicros(anchorMs)} µs`;
  return benchRow(`eager add ${label} x${DISPATCH_OPS}`, kilnMs, anchorMs, note);
}

/** The 10-op chain on 1M floats; checks first that both libraries compute the same values. */
async function chainRow(): Promise<BenchRow> {
  const x = randomArray(CHAIN_SIZE, 3);
  const y = randomArray(CHAIN_SIZE, 4);
  const kx = tf.tensor(x, [CHAIN_SIZE]);
  const ky = tf.tensor(y, [CHAIN_SIZE]);
  const tx = tfjs.tensor1d(x);
  const ty = tfjs.tensor1d(y);
  const kilnApi: ElementwiseApi<tf.Tensor> = tf;
  // tfjs types its ops with generic returns and its tidy with TensorContainer; the calls are the same.
  const tfjsApi = tfjs as unknown as ElementwiseApi<tfjs.Tensor>;

  // A benchmark of wrong answers is worthless: compare once before timing.
  const kOut = chain(kilnApi, kx, ky);
  const tOut = chain(tfjsApi, tx, ty);
  const kValues = kOut.dataSync();
  const tValues = tOut.dataSync();
  let maxDiff = 0;
  for (let i = 0; i < CHAIN_SIZE; i++) maxDiff = Math.max(maxDiff, Math.abs(kValues[i]! - tValues[i]!));
  kOut.dispose();
  tOut.dispose();
  if (!(maxDiff <= 1e-5)) throw new Error(`elementwise chain: Kiln and tfjs disagree (max |diff| = ${maxDiff})`);

  const kilnMs = await timeIt(() => chain(kilnApi, kx, ky).dispose(), { warmup: 3, runs: 11 });
  const anchorMs = await timeIt(() => chain(tfjsApi, tx, ty).dispose(), { warmup: 3, runs: 11 });
  tf.dispose([kx, ky]);
  tfjs.dispose([tx, ty]);
  const throughput = (ms: number) => ((10 * CHAIN_SIZE) / ms / 1e6).toFixed(2);
  const note = `Gelem/s: kiln ${throughput(kilnMs)}, tfjs ${throughput(anchorMs)}`;
  return benchRow("10-op elementwise chain, 1M float32", kilnMs, anchorMs, note);
}

/** Dispatch overhead (scalar and 2-element adds) and the 10-op chain on 1M floats. */
export async function benchElementwise(): Promise<BenchRow[]> {
  await setUp();
  return [await dispatchRow([]), await dispatchRow([2]), await chainRow()];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchElementwise();
  const table = rows.map((row) => [row.name, row.kilnMs.toFixed(2), row.anchorMs.toFixed(2), `${row.ratio.toFixed(2)}x`, row.note ?? ""]);
  console.log(formatTable(["case", "kiln ms", "tfjs ms", "tfjs/kiln", "note"], table));
}
