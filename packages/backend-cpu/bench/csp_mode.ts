/**
 * What a Content-Security-Policy without 'unsafe-eval' costs: the cpu backend with generated
 * kernels (`cpu()`) against the same backend with closure kernels (`cpu({ codegen: false })`,
 * what `cpu()` picks by itself under such a policy), registered side by side in one process,
 * runs interleaved, medians of CPU time per call (a busy shared machine inflates it less
 * than wall-clock time). Only elementwise ops differ (reductions, matMul, conv and movement
 * kernels are the same code in both modes); fused clusters run as block loops.
 *
 * ```sh
 * node --import tsx bench/csp_mode.ts
 * ```
 */
import { pathToFileURL } from "node:url";
import * as tf from "@kiln/core";
import { cpu } from "../src/index.js";
import { cpuTimeIt, formatTable, median, randomArray } from "./harness.js";

const SIZE = 1 << 20;

/** One case: generated and closure milliseconds per call, and closures / generated. */
export interface CspRow {
  readonly name: string;
  readonly generatedMs: number;
  readonly prebuiltMs: number;
  readonly cost: number;
}

/** add, mul, relu, neg, exp, sub, abs, sqrt, sigmoid, tanh (one fused cluster when traced). */
function chain(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tanh(tf.sigmoid(tf.sqrt(tf.abs(tf.sub(tf.exp(tf.neg(tf.relu(tf.mul(tf.add(x, y), y)))), x)))));
}

/** The cases, on inputs made on the active backend (so no call moves data between backends). */
function makeCases(): { cases: [string, () => unknown, number][]; dispose: () => void } {
  const x = tf.tensor(randomArray(SIZE, 1), [SIZE]);
  const y = tf.tensor(randomArray(SIZE, 2), [SIZE]);
  const m = tf.tensor(randomArray(128 * 256, 3), [128, 256]);
  const bias = tf.tensor(randomArray(256, 4), [256]);
  const w = tf.tensor(randomArray(256 * 256, 5), [256, 256]);
  const small = tf.tensor([1, 2]);
  const tracedChain = tf.function(chain);
  const dense = tf.function((input: tf.Tensor) => tf.relu(tf.add(tf.matMul(input, w), bias)));
  const cases: [string, () => unknown, number][] = [
    ["eager add, 1M float32", () => tf.add(x, y).dispose(), 15],
    ["eager relu, 1M", () => tf.relu(x).dispose(), 15],
    ["eager exp, 1M", () => tf.exp(x).dispose(), 15],
    ["eager sigmoid, 1M", () => tf.sigmoid(x).dispose(), 15],
    ["eager cast to int32 + int32 add, 1M", () => tf.tidy(() => tf.add(tf.cast(x, "int32"), 1)).dispose(), 9],
    ["eager bias add [128,256] + [256]", () => tf.add(m, bias).dispose(), 25],
    [
      "eager add of [2], 1000 ops (dispatch)",
      () => {
        for (let i = 0; i < 1000; i++) tf.add(small, small).dispose();
      },
      15,
    ],
    ["10-op chain, 1M, eager", () => tf.tidy(() => chain(x, y)).dispose(), 9],
    ["10-op chain, 1M, traced (one fused pass)", () => tracedChain(x, y).dispose(), 9],
    ["dense layer relu(x·W + b), [128,256]·[256,256], traced", () => dense(m).dispose(), 15],
  ];
  return { cases, dispose: () => [x, y, m, bias, w, small].forEach((t) => t.dispose()) };
}

export async function benchCspMode(): Promise<CspRow[]> {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
  if (!tf.listBackends().includes("cpu-prebuilt")) tf.registerBackend(cpu({ codegen: false, name: "cpu-prebuilt" }), { priority: 0 });
  const backends = ["cpu", "cpu-prebuilt"] as const;
  const made: Record<string, ReturnType<typeof makeCases>> = {};
  for (const name of backends) {
    await tf.setBackend(name);
    made[name] = makeCases();
  }
  const rows: CspRow[] = [];
  for (let c = 0; c < made.cpu!.cases.length; c++) {
    const times: Record<string, number[]> = { cpu: [], "cpu-prebuilt": [] };
    const [name, , runs] = made.cpu!.cases[c]!;
    for (const backend of backends) {
      await tf.setBackend(backend);
      await cpuTimeIt(made[backend]!.cases[c]![1], { warmup: 2, runs: 1 });
    }
    // Interleaved, so a machine that gets busier slows both alike.
    for (let i = 0; i < runs; i++) {
      for (const backend of backends) {
        await tf.setBackend(backend);
        times[backend]!.push(await cpuTimeIt(made[backend]!.cases[c]![1], { warmup: 0, runs: 1 }));
      }
    }
    const generatedMs = median(times.cpu!);
    const prebuiltMs = median(times["cpu-prebuilt"]!);
    rows.push({ name, generatedMs, prebuiltMs, cost: prebuiltMs / generatedMs });
  }
  for (const backend of backends) {
    await tf.setBackend(backend);
    made[backend]!.dispose();
  }
  await tf.setBackend("cpu");
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows = await benchCspMode();
  console.log(`\ncpu backend, generated kernels vs kernels built without code generation (CSP mode), Node ${process.version}; CPU ms per call, medians`);
  console.log(
    formatTable(
      ["case", "generated ms", "no codegen ms", "cost (no codegen / generated)"],
      rows.map((r) => [r.name, r.generatedMs.toFixed(3), r.prebuiltMs.toFixed(3), `${r.cost.toFixed(2)}x`]),
    ),
  );
}
