/**
 * Kiln's cpu matMul and conv2d against tfjs-core on @tensorflow/tfjs-backend-cpu, in one
 * process on the same inputs: square float32 products at 128..1024 and one conv2d layer.
 * Prints a table of milliseconds, GFLOP/s and the speed ratio (tfjs ms / Kiln ms).
 *
 * ```sh
 * node --import tsx packages/backend-cpu/bench/matmul.ts
 * ```
 */
import { pathToFileURL } from "node:url";
import * as tf from "@kiln/core";
import * as tfjs from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { cpu } from "../src/index.js";
import { type BenchRow, benchRow, formatTable, randomArray, timePair } from "./harness.js";

/** Square sizes, each with warm-up and timed run counts that keep the slow anchor bearable. */
const MATMUL_CASES = [
  { size: 128, warmup: 5, runs: 21 },
  { size: 256, warmup: 3, runs: 11 },
  { size: 512, warmup: 2, runs: 7 },
  { size: 1024, warmup: 1, runs: 5 },
] as const;

/** A typical mid-network layer: batch 8 of 28×28×32 through 3×3×32×64, "same". */
const CONV = { x: [8, 28, 28, 32], filter: [3, 3, 32, 64], warmup: 2, runs: 7 } as const;

const gflops = (flops: number, ms: number): number => flops / ms / 1e6;

async function setUp(): Promise<void> {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
  await tf.setBackend("cpu");
  await tfjs.setBackend("cpu");
}

/** A measured row and the floating-point operations one run performs. */
interface Measured {
  readonly row: BenchRow;
  readonly flops: number;
}

function measured(name: string, flops: number, kilnMs: number, anchorMs: number): Measured {
  const note = `kiln ${gflops(flops, kilnMs).toFixed(2)} GFLOP/s, tfjs ${gflops(flops, anchorMs).toFixed(2)} GFLOP/s`;
  return { row: benchRow(name, kilnMs, anchorMs, note), flops };
}

async function measureAll(): Promise<Measured[]> {
  await setUp();
  const rows: Measured[] = [];
  for (const { size, warmup, runs } of MATMUL_CASES) {
    const a = randomArray(size * size, 1);
    const b = randomArray(size * size, 2);
    const ka = tf.tensor(a, [size, size]);
    const kb = tf.tensor(b, [size, size]);
    const ta = tfjs.tensor2d(a, [size, size]);
    const tb = tfjs.tensor2d(b, [size, size]);
    const { kilnMs, anchorMs } = await timePair(
      () => tf.matMul(ka, kb).dispose(),
      () => tfjs.matMul(ta, tb).dispose(),
      { warmup, runs },
    );
    const flops = 2 * size ** 3;
    rows.push(measured(`matMul ${size}x${size}x${size}`, flops, kilnMs, anchorMs));
    for (const t of [ka, kb]) t.dispose();
    for (const t of [ta, tb]) t.dispose();
  }

  const [n, h, w, c] = CONV.x;
  const [fh, fw, , oc] = CONV.filter;
  const x = randomArray(n * h * w * c, 3);
  const f = randomArray(fh * fw * c * oc, 4);
  const kx = tf.tensor(x, [...CONV.x]);
  const kf = tf.tensor(f, [...CONV.filter]);
  const tx = tfjs.tensor4d(x, [...CONV.x]);
  const tfl = tfjs.tensor4d(f, [...CONV.filter]);
  const { kilnMs, anchorMs } = await timePair(
    () => tf.conv2d(kx, kf, 1, "same").dispose(),
    () => tfjs.conv2d(tx, tfl, 1, "same").dispose(),
    { warmup: CONV.warmup, runs: CONV.runs },
  );
  const flops = 2 * n * h * w * oc * fh * fw * c;
  rows.push(measured(`conv2d [${CONV.x}] * [${CONV.filter}] same`, flops, kilnMs, anchorMs));
  kx.dispose();
  kf.dispose();
  tx.dispose();
  tfl.dispose();
  return rows;
}

/** One row per matmul size and one for conv2d; each row's note carries both GFLOP/s. */
export async function benchMatmul(): Promise<BenchRow[]> {
  return (await measureAll()).map((m) => m.row);
}

/** The table the issue asks for: time, GFLOP/s for both, and the ratio. */
function printTable(results: readonly Measured[]): void {
  const table = results.map(({ row, flops }) => [
    row.name,
    row.kilnMs.toFixed(2),
    row.anchorMs.toFixed(2),
    gflops(flops, row.kilnMs).toFixed(2),
    gflops(flops, row.anchorMs).toFixed(2),
    `${row.ratio.toFixed(2)}x`,
  ]);
  console.log(formatTable(["case", "kiln ms", "tfjs ms", "kiln GFLOP/s", "tfjs GFLOP/s", "ratio"], table));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable(await measureAll());
}
