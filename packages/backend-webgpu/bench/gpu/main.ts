/**
 * The GPU machine's check, bundled by `bench/gpu.sh pack` into one file that runs with a bare
 * Node (no npm packages but the native `webgpu` and `onnxruntime-node`, carried beside it).
 * `--test NAME` runs one webgpu test file through the vitest shim (one process per file, as
 * vitest isolates them): the conformance suite against the cpu oracle, tiled GEMM and
 * convolutions, float math, reductions, control flow. `--bench` runs the bench
 * (`bench/index.ts`: ratios, real-GPU numbers, the onnxruntime comparator).
 *
 * ```sh
 * node kiln-gpu.mjs --test conformance   # prints "N passed, N failed" last
 * node kiln-gpu.mjs --bench              # KILN_BENCH_SIZES=small for a quick check
 * ```
 */
import { runCollected } from "./vitest_shim.js";

/** The test files that run on a GPU machine, by name. */
const TESTS: Record<string, () => Promise<unknown>> = {
  conformance: () => import("../../test/conformance.test.js"),
  gemm: () => import("../../test/gemm.test.js"),
  math: () => import("../../test/math.test.js"),
  reduce: () => import("../../test/reduce.test.js"),
  control_flow: () => import("../../test/control_flow.test.js"),
};

const args = process.argv.slice(2);
const test = args[args.indexOf("--test") + 1];
if (args.includes("--list")) {
  console.log(Object.keys(TESTS).join(" "));
} else if (args.includes("--test") && test !== undefined && TESTS[test] !== undefined) {
  await import("../../test/setup.js");
  const { gpu } = await import("../../test/gpu.js");
  if (!gpu.available) {
    console.log(`no WebGPU adapter: ${gpu.reason}`);
    process.exit(1);
  }
  await TESTS[test]!();
  const start = performance.now();
  const counts = await runCollected((line) => console.log(line));
  console.log(`${test}: ${((performance.now() - start) / 1000).toFixed(0)} s, ${counts.skipped} skipped`);
  console.log(`${counts.passed} passed, ${counts.failed} failed`);
  process.exit(counts.failed > 0 ? 1 : 0);
} else if (args.includes("--bench")) {
  await import("../index.js");
  process.exit(0);
} else {
  console.log(`usage: node kiln-gpu.mjs --test <${Object.keys(TESTS).join("|")}> | --bench | --list`);
  process.exit(2);
}
