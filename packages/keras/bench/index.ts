/**
 * @kiln/keras benchmarks, side by side in one process: `fit` per step against tfjs-layers
 * 4.22, Keras overhead against a hand-written traced step, `stepsPerExecution`, and the
 * sequence models (LSTM and a transformer block) on the cpu backends and on
 * the wasm backends (Kiln wasm against tfjs-backend-wasm 4.22). Every number is a median
 * after warm-up; ratio = anchor / Kiln (above 1: Kiln is faster).
 *
 * ```sh
 * pnpm bench              # from packages/keras (or the repository root for every package)
 * pnpm bench sequence     # only the groups named: fit, overhead, sequence, wasm
 * ```
 */
import { cpus } from "node:os";
import { cpu } from "@kiln/backend-cpu";
import { type WasmBackend, wasm } from "@kiln/backend-wasm";
import * as tf from "@kiln/core";
import * as tfc from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
// tfjs-layers' orthogonal initializer (recurrent kernels) calls chained tensor methods.
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js";
import { benchFit } from "./fit.js";
import { formatRows, type Row } from "./harness.js";
import { benchOverhead } from "./overhead.js";
import { lstmLengths, lstmPredict, lstmVsTfjs, transformerStep } from "./sequence.js";

const groups = process.argv.slice(2);
const wanted = (group: string) => groups.length === 0 || groups.includes(group);

tf.registerBackend(cpu());
// One thread: times are the process's CPU time, which threads do not lower; tfjs-backend-wasm
// runs one thread in Node.
tf.registerBackend(wasm({ threads: 1 }));
await tf.setBackend("cpu");
await tfc.setBackend("cpu");

const cpuRows: Row[] = [];
if (wanted("overhead")) cpuRows.push(...(await benchOverhead()));
if (wanted("fit")) cpuRows.push(...(await benchFit()));
if (wanted("sequence")) {
  cpuRows.push(await lstmVsTfjs("cpu", { kiln: 4, tfjs: 2, tfjsRuns: 3 }));
  cpuRows.push(await lstmPredict("cpu"));
  cpuRows.push(...(await lstmLengths()));
  cpuRows.push(...(await transformerStep("cpu")));
}

const wasmRows: Row[] = [];
let threads = 0;
if (wanted("wasm")) {
  await tf.setBackend("wasm");
  await tfc.setBackend("wasm");
  threads = (tf.backend() as WasmBackend).info.threads;
  wasmRows.push(await lstmVsTfjs("wasm", { kiln: 4, tfjs: 2, tfjsRuns: 3 }));
  wasmRows.push(await lstmPredict("wasm"));
  wasmRows.push(...(await transformerStep("wasm")));
}

const machine = `Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "unknown cpu"}`;
console.log("\nCPU milliseconds of this process per step (medians); ratio = anchor / kiln");
if (cpuRows.length > 0) {
  console.log(`\n@kiln/keras on Kiln cpu vs tfjs-layers 4.22 on tfjs-core cpu, ${machine}\n`);
  console.log(formatRows(cpuRows));
}
if (wasmRows.length > 0) {
  console.log(
    `\n@kiln/keras on Kiln wasm (${threads} thread${threads === 1 ? "" : "s"}) vs tfjs-layers 4.22 on tfjs-backend-wasm 4.22 (SIMD, 1 thread), ${machine}\n`,
  );
  console.log(formatRows(wasmRows));
}
process.exit(0);
