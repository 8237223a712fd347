/**
 * The cpu backend's hot elementwise loops, Kiln cpu against tfjs-core's cpu
 * backend in one process, runs interleaved, medians:
 *
 * - `exp`, `tanh` and `sigmoid` on 1M float32 values, eagerly (ms per op);
 * - a traced 10-op chain on 1M floats (add, mul, relu, neg, exp, sub, abs, sqrt, sigmoid,
 *   tanh: one fused loop in Kiln) against the same chain run eagerly by tfjs and by Kiln;
 * - bias-add broadcasts from the MLP and CNN training steps, `[128, 256] + [256]` and
 *   `[32, 13, 13, 64] + [64]`, eagerly, with the same-shape add as a note;
 * - the small CNN's ReLU gradient (`Greater` + `SelectV2`) and bias add + ReLU on its first
 *   activation `[32, 26, 26, 32]`, traced (one fused loop each), against a plain JS loop
 *   into a reused array doing the same work.
 *
 * Notes add Kiln's CPU time per call (`cpuTimeIt`), which a busy shared machine inflates
 * less than wall-clock time.
 *
 * ```sh
 * node --import tsx bench/transcendental.ts
 * ```
 */
import { pathToFileURL } from "node:url";
import * as tf from "@kiln/core";
import * as tfjs from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { cpu } from "../src/index.js";
import { type BenchRow, benchRow, cpuTimeIt, formatTable, randomArray, timeIt, timePair } from "./harness.js";

/** Elements in the 1M-float cases. */
const SIZE = 1 << 20;

/** The unary ops both libraries share, on a tensor type `T`. */
interface UnaryApi<T> {
  add(a: T, b: T | number): T;
  sub(a: T, b: T | number): T;
  mul(a: T, b: T | number): T;
  relu(x: T): T;
  neg(x: T): T;
  exp(x: T): T;
  abs(x: T): T;
  sqrt(x: T): T;
  sigmoid(x: T): T;
  tanh(x: T): T;
  tidy<R>(fn: () => R): R;
}

/** add, mul, relu, neg, exp, sub, abs, sqrt, sigmoid, tanh: finite for inputs in [-1, 1). */
function chain<T>(api: UnaryApi<T>, x: T, y: T): T {
  let t = api.add(x, y);
  t = api.mul(t, y);
  t = api.relu(t);
  t = api.neg(t);
  t = api.exp(t);
  t = api.sub(t, x);
  t = api.abs(t);
  t = api.sqrt(t);
  t = api.sigmoid(t);
  return api.tanh(t);
}

async function setUp(): Promise<void> {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
  await tf.setBackend("cpu");
  await tfjs.setBackend("cpu");
}

/** Largest |difference| between two results, after checking their lengths match. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Fails the benchmark when Kiln and tfjs disagree: timing wrong answers is worthless. */
function check(name: string, kiln: tf.Tensor, anchor: tfjs.Tensor, tolerance: number): void {
  const diff = maxDiff(kiln.dataSync(), anchor.dataSync());
  kiln.dispose();
  anchor.dispose();
  if (!(diff <= tolerance)) throw new Error(`${name}: Kiln and tfjs disagree (max |diff| = ${diff})`);
}

const nsPerElement = (ms: number, n: number): string => ((ms * 1e6) / n).toFixed(2);

/** The unary ops timed alone, in both libraries. */
const UNARY = {
  exp: [tf.exp, tfjs.exp],
  tanh: [tf.tanh, tfjs.tanh],
  sigmoid: [tf.sigmoid, tfjs.sigmoid],
} as const;

/** One eager unary op on 1M values in [-4, 4). */
async function unaryRow(op: keyof typeof UNARY): Promise<BenchRow> {
  const [kiln, anchor] = UNARY[op];
  const values = randomArray(SIZE, 7).map((v) => 4 * v);
  const kx = tf.tensor(values, [SIZE]);
  const tx = tfjs.tensor1d(values);
  check(op, kiln(kx), anchor(tx), 1e-5 * (op === "exp" ? 60 : 1));
  const { kilnMs, anchorMs } = await timePair(
    () => kiln(kx).dispose(),
    () => anchor(tx).dispose(),
    { warmup: 3, runs: 15 },
  );
  const kilnCpuMs = await cpuTimeIt(() => kiln(kx).dispose(), { runs: 15 });
  tf.dispose(kx);
  tfjs.dispose(tx);
  const note = `ns/element: kiln ${nsPerElement(kilnMs, SIZE)}, tfjs ${nsPerElement(anchorMs, SIZE)}; kiln CPU time ${kilnCpuMs.toFixed(1)} ms`;
  return benchRow(`${op}, 1M float32`, kilnMs, anchorMs, note);
}

/** The 10-op chain traced by Kiln (one fused kernel) against tfjs eager; Kiln eager as a note. */
async function tracedChainRow(): Promise<BenchRow> {
  const x = randomArray(SIZE, 3);
  const y = randomArray(SIZE, 4);
  const [kx, ky] = [tf.tensor(x, [SIZE]), tf.tensor(y, [SIZE])];
  const [tx, ty] = [tfjs.tensor1d(x), tfjs.tensor1d(y)];
  const kilnApi: UnaryApi<tf.Tensor> = tf;
  const tfjsApi = tfjs as unknown as UnaryApi<tfjs.Tensor>;
  const traced = tf.function((a: tf.Tensor, b: tf.Tensor) => chain(kilnApi, a, b));
  check(
    "10-op chain",
    traced(kx, ky) as tf.Tensor,
    tfjs.tidy(() => chain(tfjsApi, tx, ty)),
    1e-6,
  );
  const eagerMs = await timeIt(() => tf.tidy(() => chain(kilnApi, kx, ky)).dispose(), { warmup: 2, runs: 7 });
  const { kilnMs, anchorMs } = await timePair(
    () => tf.dispose(traced(kx, ky)),
    () => tfjs.tidy(() => chain(tfjsApi, tx, ty)).dispose(),
    { warmup: 3, runs: 11 },
  );
  const kilnCpuMs = await cpuTimeIt(() => tf.dispose(traced(kx, ky)), { runs: 11 });
  for (const cf of traced.concreteFunctions()) cf.dispose();
  tf.dispose([kx, ky]);
  tfjs.dispose([tx, ty]);
  const note = `kiln eager ${eagerMs.toFixed(1)} ms; kiln traced CPU time ${kilnCpuMs.toFixed(1)} ms`;
  return benchRow("10-op chain incl. exp/sigmoid/tanh, 1M, traced", kilnMs, anchorMs, note);
}

/** `[..., n] + [n]`, repeated so each timed run lasts a few milliseconds. */
async function biasAddRow(shape: number[]): Promise<BenchRow> {
  const size = shape.reduce((a, b) => a * b, 1);
  const n = shape[shape.length - 1]!;
  const repeat = Math.max(1, Math.round(2_000_000 / size));
  const [values, bias] = [randomArray(size, 5), randomArray(n, 6)];
  const [kx, kb, kSame] = [tf.tensor(values, shape), tf.tensor(bias, [n]), tf.tensor(values, shape)];
  const [tx, tb] = [tfjs.tensor(values, shape), tfjs.tensor1d(bias)];
  check("bias add", tf.add(kx, kb), tfjs.add(tx, tb), 0);
  const { kilnMs, anchorMs } = await timePair(
    () => {
      for (let i = 0; i < repeat; i++) tf.add(kx, kb).dispose();
    },
    () => {
      for (let i = 0; i < repeat; i++) tfjs.add(tx, tb).dispose();
    },
    { warmup: 3, runs: 15 },
  );
  const sameMs = await timeIt(
    () => {
      for (let i = 0; i < repeat; i++) tf.add(kx, kSame).dispose();
    },
    { warmup: 3, runs: 15 },
  );
  tf.dispose([kx, kb, kSame]);
  tfjs.dispose([tx, tb]);
  const perElement = (ms: number) => nsPerElement(ms / repeat, size);
  const note = `ns/element: kiln ${perElement(kilnMs)} (same-shape add ${perElement(sameMs)}), tfjs ${perElement(anchorMs)}`;
  return benchRow(`bias add [${shape}] + [${n}], per op`, kilnMs / repeat, anchorMs / repeat, note);
}

/**
 * A traced two-input elementwise function on the CNN's first activation against `plain`, a
 * JS loop computing the same values into a reused array (the tightest loop JS can write).
 */
async function fusedVsLoopRow(
  name: string,
  f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  b: number[],
  plain: (x: Float32Array, b: Float32Array, out: Float32Array) => void,
): Promise<BenchRow> {
  const shape = [32, 26, 26, 32];
  const size = shape.reduce((a, d) => a * d, 1);
  const [xs, bs] = [
    new Float32Array(randomArray(size, 7)),
    new Float32Array(
      randomArray(
        b.reduce((a, d) => a * d, 1),
        8,
      ),
    ),
  ];
  const [kx, kb] = [tf.tensor(xs, shape), tf.tensor(bs, b)];
  const traced = tf.function(f);
  const out = new Float32Array(size);
  plain(xs, bs, out);
  const result = traced(kx, kb) as tf.Tensor;
  const same = (result.dataSync() as Float32Array).every((v, i) => Object.is(v, out[i]));
  result.dispose();
  if (!same) throw new Error(`${name}: the traced function and the plain loop disagree`);
  const { kilnMs, anchorMs } = await timePair(
    () => (traced(kx, kb) as tf.Tensor).dispose(),
    () => plain(xs, bs, out),
    { warmup: 3, runs: 15 },
  );
  const cpuMs = await cpuTimeIt(() => (traced(kx, kb) as tf.Tensor).dispose(), { warmup: 1, runs: 9 });
  tf.dispose([kx, kb]);
  traced.dispose();
  return benchRow(
    name,
    kilnMs,
    anchorMs,
    `ns/element: kiln ${nsPerElement(kilnMs, size)} (CPU ${nsPerElement(cpuMs, size)}), plain loop ${nsPerElement(anchorMs, size)}`,
  );
}

/** The small CNN's ReLU gradient and bias add + ReLU, each one traced fused loop, against plain loops. */
async function cnnActivationRows(): Promise<BenchRow[]> {
  const shape = [32, 26, 26, 32];
  return [
    await fusedVsLoopRow(
      "ReLU gradient where(x > 0, dy, 0) [32,26,26,32], traced vs plain JS loop",
      (x, dy) => tf.where(tf.greater(x, 0), dy, 0),
      shape,
      (x, dy, out) => {
        for (let i = 0; i < out.length; i++) out[i] = x[i]! > 0 ? dy[i]! : 0;
      },
    ),
    await fusedVsLoopRow(
      "bias add + ReLU [32,26,26,32] + [32], traced vs plain JS loop",
      (x, b) => tf.relu(tf.add(x, b)),
      [32],
      (x, b, out) => {
        for (let i = 0; i < out.length; i += 32) {
          for (let c = 0; c < 32; c++) {
            const v = Math.fround(x[i + c]! + b[c]!);
            // biome-ignore lint/complexity/useMathMinMax: relu keeps -0 (core's select(x < 0, 0, x)); Math.max(0, -0) is +0
            out[i + c] = v < 0 ? 0 : v;
          }
        }
      },
    ),
  ];
}

/** exp, tanh, sigmoid on 1M floats, the traced 10-op chain, two bias-add broadcasts and the CNN's activation loops. */
export async function benchTranscendental(): Promise<BenchRow[]> {
  await setUp();
  const rows: BenchRow[] = [];
  for (const op of ["exp", "tanh", "sigmoid"] as const) rows.push(await unaryRow(op));
  rows.push(await tracedChainRow());
  rows.push(await biasAddRow([128, 256]));
  rows.push(await biasAddRow([32, 13, 13, 64]));
  rows.push(...(await cnnActivationRows()));
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchTranscendental();
  const table = rows.map((row) => [row.name, row.kilnMs.toFixed(3), row.anchorMs.toFixed(3), `${row.ratio.toFixed(2)}x`, row.note ?? ""]);
  console.log(formatTable(["case", "kiln ms", "tfjs ms", "tfjs/kiln", "note"], table));
}
