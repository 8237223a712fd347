/**
 * The cpu backend's benchmarks: one table of eager ops (bench/elementwise.ts: dispatch
 * overhead and elementwise throughput; bench/transcendental.ts: exp, tanh, sigmoid, a traced
 * chain and bias-add broadcasts; bench/matmul.ts: matMul and conv2d), Kiln cpu against
 * tfjs-core's cpu backend in the same process, then tf.function against eager execution
 * (bench/function.ts), training steps against tfjs-cpu and tfjs-wasm with allocations
 * and RSS growth per step (bench/steps.ts), and the cost of kernels built without code generation
 * (bench/csp_mode.ts), and the stateless random ops against the seeded ones (bench/random.ts). Every time is the median of several runs after warm-up; the ratio is
 * anchor time / Kiln time, so above 1 means Kiln (or Kiln's traced function) is faster.
 *
 * ```sh
 * pnpm bench    # from packages/backend-cpu, or the repository root for every package
 * ```
 */
import { cpus } from "node:os";
import { benchAsyncBackend } from "./async_backend.js";
import { benchCspMode } from "./csp_mode.js";
import { benchElementwise } from "./elementwise.js";
import { benchFunction } from "./function.js";
import { type BenchRow, formatTable } from "./harness.js";
import { benchMatmul } from "./matmul.js";
import { benchRandom, formatRandom } from "./random.js";
import { benchSteps } from "./steps.js";
import { benchTraining } from "./training.js";
import { benchTranscendental } from "./transcendental.js";

function table(header: readonly string[], rows: readonly BenchRow[], digits: number): string {
  return formatTable(
    header,
    rows.map((row) => [row.name, row.kilnMs.toFixed(digits), row.anchorMs.toFixed(digits), `${row.ratio.toFixed(2)}x`, row.note ?? ""]),
  );
}

const eager = [...(await benchElementwise()), ...(await benchTranscendental()), ...(await benchMatmul())];
const traced = [...(await benchFunction()), ...(await benchTraining()), ...(await benchSteps())];
const asyncRows = await benchAsyncBackend();
const cspRows = await benchCspMode();
const randomRows = await benchRandom();

console.log(`\nKiln cpu vs tfjs-core 4.22 cpu, Node ${process.version}, ${cpus()[0]?.model ?? "unknown cpu"}`);
console.log("medians after warm-up; ratio = anchor / kiln (above 1: Kiln is faster)\n");
console.log("eager ops (and the traced 10-op chain with exp, sigmoid and tanh), Kiln cpu vs tfjs cpu (milliseconds per run)");
console.log(table(["case", "kiln ms", "tfjs ms", "ratio", "note"], eager, 2));
console.log("\ntf.function, training and control flow (units in each case's name)");
console.log(table(["case", "kiln traced", "anchor", "ratio", "note"], traced, 3));
console.log("\nthe same kernels on an async-only backend (asyncOnly(cpu()), see bench/async_backend.ts); ratio = cpu / async");
console.log(table(["case", "async ms", "cpu ms", "ratio", "note"], asyncRows, 2));
console.log("\nkernels without code generation (what cpu() uses under a CSP without 'unsafe-eval', see bench/csp_mode.ts); CPU ms per call");
console.log(
  formatTable(
    ["case", "generated ms", "no codegen ms", "cost"],
    cspRows.map((r) => [r.name, r.generatedMs.toFixed(3), r.prebuiltMs.toFixed(3), `${r.cost.toFixed(2)}x`]),
  ),
);
console.log("\nstateless (tensor-seeded) random ops vs the seeded ops, cpu (see bench/random.ts); CPU ms per call, cost = stateless / seeded");
console.log(formatRandom(randomRows));
