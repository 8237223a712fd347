/**
 * What tensor seeds cost: each stateless random op (`tf.statelessRandomUniform(shape, seed)`,
 * ...) against the seeded op it parallels (`tf.randomUniform(shape, ..., seed)`), on the cpu
 * backend, 1M float32 values, runs interleaved in one process, medians of CPU time per call.
 * The uniform streams do the same work; the stateless normals compute their logarithm,
 * sine, cosine and square root in emulated float32 steps (so every backend can reproduce
 * them bit for bit) where the seeded ones call `Math.log`, `Math.cos` and `Math.sqrt`.
 *
 * ```sh
 * node --import tsx bench/random.ts
 * ```
 */
import { pathToFileURL } from "node:url";
import * as tf from "@kiln/core";
import { cpu } from "../src/index.js";
import { cpuTimeIt, formatTable } from "./harness.js";

const SHAPE = [1024, 1024];

/** One case: stateless and seeded milliseconds per call, and stateless / seeded. */
export interface RandomRow {
  readonly name: string;
  readonly statelessMs: number;
  readonly seededMs: number;
  readonly cost: number;
}

const CASES: readonly [string, () => tf.Tensor, () => tf.Tensor][] = [
  ["uniform float32", () => tf.statelessRandomUniform(SHAPE, [5, 0]), () => tf.randomUniform(SHAPE, 0, 1, "float32", 5)],
  [
    "uniform int32",
    () => tf.statelessRandomUniform(SHAPE, [5, 0], { maxval: 10, dtype: "int32" }),
    () => tf.randomUniform(SHAPE, 0, 10, "int32", 5),
  ],
  ["normal", () => tf.statelessRandomNormal(SHAPE, [5, 0]), () => tf.randomNormal(SHAPE, 0, 1, "float32", 5)],
  ["truncated normal", () => tf.statelessTruncatedNormal(SHAPE, [5, 0]), () => tf.truncatedNormal(SHAPE, 0, 1, "float32", 5)],
];

/** Times every case on the cpu backend (registering it if needed). */
export async function benchRandom(): Promise<RandomRow[]> {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
  await tf.setBackend("cpu");
  const rows: RandomRow[] = [];
  for (const [name, stateless, seeded] of CASES) {
    const run = (draw: () => tf.Tensor) => () => tf.dispose(draw());
    // Interleaved halves, so load drifting during the run hits both sides alike.
    const s1 = await cpuTimeIt(run(stateless), { warmup: 2, runs: 5 });
    const a1 = await cpuTimeIt(run(seeded), { warmup: 2, runs: 5 });
    const s2 = await cpuTimeIt(run(stateless), { warmup: 0, runs: 5 });
    const a2 = await cpuTimeIt(run(seeded), { warmup: 0, runs: 5 });
    const statelessMs = Math.min(s1, s2);
    const seededMs = Math.min(a1, a2);
    rows.push({ name: `${name}, 1M values`, statelessMs, seededMs, cost: statelessMs / seededMs });
  }
  return rows;
}

/** The table `index.ts` prints. */
export function formatRandom(rows: readonly RandomRow[]): string {
  return formatTable(
    ["case", "stateless ms", "seeded ms", "cost"],
    rows.map((r) => [r.name, r.statelessMs.toFixed(2), r.seededMs.toFixed(2), `${r.cost.toFixed(2)}x`]),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(formatRandom(await benchRandom()));
