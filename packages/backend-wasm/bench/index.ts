/**
 * The wasm backend's benchmarks in one process: the machine's limits, then every case on
 * Kiln wasm with one thread and with all threads, tfjs-backend-wasm 4.22 (SIMD, one thread
 * in Node), jax-js 0.1.25's wasm device (one thread in Node; where it runs the case) and
 * Kiln cpu. Medians after warm-up; ratios are the other library's time over Kiln wasm's
 * (above 1: Kiln wasm is faster).
 *
 * ```sh
 * pnpm bench    # from packages/backend-wasm, or the repository root for every package
 * ```
 */
import { cpus } from "node:os";
import { formatTable, show } from "./harness.js";
import { type JaxInfo, setUpJax } from "./jax.js";
import { benchKernels, type KernelRow } from "./kernels.js";
import { measureLimits } from "./limits.js";
import { setUpBenchBackends } from "./setup.js";
import { benchStartup } from "./startup.js";
import { benchTraced } from "./traced.js";

const startup = benchStartup();
const { threaded } = await setUpBenchBackends();
const jax: JaxInfo | string = await setUpJax().catch((error: unknown) => String(error));
const limits = measureLimits(threaded);
const rows = [...(await benchKernels()), ...(await benchTraced())];

const value = (row: KernelRow, ms: number): string => {
  const base = show(ms, row.unit === "us" ? 2 : 2);
  return row.flops === undefined || Number.isNaN(ms) ? base : `${base} (${(row.flops / ms / 1e6).toFixed(1)} GF/s)`;
};
const ratio = (other: number, kiln: number) => (Number.isNaN(other) ? "n/a" : `${(other / kiln).toFixed(1)}x`);

console.log(
  `\nKiln wasm vs tfjs-backend-wasm 4.22, jax-js 0.1.25 and Kiln cpu, Node ${process.version}, ${cpus()[0]?.model ?? "unknown cpu"}, ${cpus().length} cores`,
);
console.log(`wasm threads: ${threaded.info.threads} (${threaded.info.variant})`);
console.log(typeof jax === "string" ? `jax-js did not start: ${jax}` : `jax-js device: ${jax.device}, ${jax.threads} thread(s)`);
console.log(
  `machine limits (one thread): SIMD128 mul+add ceiling ${limits.peakGflops.toFixed(1)} GFLOP/s, memory read ${limits.readGBps.toFixed(1)} GB/s`,
);
console.log("medians after warm-up; ratio = other / Kiln wasm (all threads); vs jax-js: jax-js / Kiln wasm on 1 thread, all threads\n");
console.log(
  formatTable(
    [
      "case",
      "unit",
      "wasm 1 thread",
      "wasm all threads",
      "tfjs-wasm",
      "jax-js wasm",
      "kiln cpu",
      "vs tfjs-wasm",
      "vs jax-js",
      "vs cpu",
      "target",
    ],
    rows.map((row) => [
      row.name,
      row.unit,
      value(row, row.wasm1),
      value(row, row.wasm),
      value(row, row.tfjsWasm),
      value(row, row.jax),
      value(row, row.cpu),
      ratio(row.tfjsWasm, row.wasm),
      Number.isNaN(row.jax) ? "n/a" : `${ratio(row.jax, row.wasm1)}, ${ratio(row.jax, row.wasm)}`,
      ratio(row.cpu, row.wasm),
      row.target ?? "",
    ]),
  ),
);
console.log(
  `\nimport + setBackend + first op, fresh Node process (median of 5): Kiln wasm ${startup.kilnMs.toFixed(0)} ms, tfjs-wasm ${startup.tfjsMs.toFixed(0)} ms (ratio ${(startup.tfjsMs / startup.kilnMs).toFixed(2)}x)`,
);
process.exit(0);
