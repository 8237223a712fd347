/**
 * The webgpu backend's benchmarks (`pnpm bench`). On a software GPU (SwiftShader, what CI
 * and this project's machines have) only ratios mean something: traced and fused calls
 * against eager execution of the same ops, dispatches per traced call against graph ops,
 * predicate reads of a While loop with and without speculation. On a real GPU it also prints
 * absolute numbers (bench/real_gpu.ts).
 *
 * ```sh
 * pnpm --filter @kiln/backend-webgpu bench
 * ```
 *
 * Without VK_ICD_FILENAMES, a machine with no Vulkan driver of its own gets SwiftShader (from
 * Debian's chromium package); one with a GPU driver uses the GPU. `KILN_BENCH_SIZES=small`
 * also runs the real-GPU part (and its onnxruntime comparator) on a software GPU, at sizes
 * that take seconds there: a check of the bench itself, not numbers (bench/gpu.sh uses it).
 */
import { existsSync, readdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import * as tf from "@kiln/core";
import { cpu } from "@kiln/backend-cpu";
import { type WebGPUBackend, webgpu } from "../src/index.js";
import { formatTable } from "./harness.js";
import { onnxRuntimeRows } from "./onnxruntime.js";
import { dispatchesPerCall, loopReads, tracedVsEager } from "./ratios.js";
import { FULL_SIZES, realGpu, SMALL_SIZES } from "./real_gpu.js";

const SWIFTSHADER = "/usr/lib/chromium/vk_swiftshader_icd.json";
const hasDriver = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"].some(
  (dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith(".json")),
);
if (process.env.VK_ICD_FILENAMES === undefined && process.env.VK_DRIVER_FILES === undefined && !hasDriver && existsSync(SWIFTSHADER))
  process.env.VK_ICD_FILENAMES = SWIFTSHADER;
const small = process.env.KILN_BENCH_SIZES === "small";

tf.registerBackend(cpu());
tf.registerBackend(webgpu());
tf.registerBackend(webgpu({ name: "webgpu-lookahead-1", loopLookahead: 1 }));
tf.registerBackend(webgpu({ name: "webgpu-lookahead-32", loopLookahead: 32 }));
try {
  await tf.setBackend("webgpu");
} catch (error) {
  console.log(`webgpu bench skipped: ${(error as Error).message}`);
  process.exit(0);
}
const backend = tf.backend() as WebGPUBackend;
const adapter = String(backend.caps.details?.adapter ?? "unknown");
const software = /swiftshader|llvmpipe|lavapipe/i.test(adapter) || adapter === "unknown";

console.log(`\nKiln webgpu benches, Node ${process.version}, ${cpus()[0]?.model ?? "unknown cpu"} (${cpus().length} threads)`);
console.log(`adapter: ${adapter}${software ? " (a software GPU: only the ratios below mean anything)" : ""}\n`);

const ratios = await tracedVsEager(backend);
console.log("traced + fused vs eager on the same backend, ms per call (medians, measured alternately); ratio = eager / traced");
console.log("total: wall time until the GPU finished; cpu: process CPU time until then (all threads, a software GPU's included);");
console.log("host: until the calls returned (the JS and driver cost of issuing the work)");
console.log(
  formatTable(
    ["case", "eager total", "traced total", "ratio", "eager cpu", "traced cpu", "cpu ratio", "eager host", "traced host", "host ratio"],
    ratios.map((r) => [
      r.name,
      r.eager.total.toFixed(2),
      r.traced.total.toFixed(2),
      `${(r.eager.total / r.traced.total).toFixed(1)}x`,
      r.eager.cpu.toFixed(2),
      r.traced.cpu.toFixed(2),
      `${(r.eager.cpu / r.traced.cpu).toFixed(1)}x`,
      r.eager.host.toFixed(3),
      r.traced.host.toFixed(3),
      `${(r.eager.host / r.traced.host).toFixed(1)}x`,
    ]),
  ),
);
console.log(`load average (1, 5, 15 min): ${loadavg().map((l) => l.toFixed(1)).join(", ")} on ${cpus().length} threads`);

const dispatches = await dispatchesPerCall(backend);
console.log("\ndispatches per traced call (one command buffer each) vs kernel ops in the graph");
console.log(
  formatTable(
    ["function", "graph ops", "dispatches", "submits"],
    dispatches.map((r) => [r.name, String(r.ops), String(r.dispatches), String(r.submits)]),
  ),
);

await tf.setBackend("webgpu-lookahead-1");
const plain = tf.backend() as WebGPUBackend;
await tf.setBackend("webgpu-lookahead-32");
const ahead = tf.backend() as WebGPUBackend;
const loops = await loopReads(ahead, plain);
console.log("\na 100-iteration While loop (matMul 1x16 . 16x16 + tanh per step): predicate reads and time per call");
console.log(
  formatTable(
    ["loopLookahead", "predicate reads", "ms per call"],
    loops.map((r) => [String(r.lookahead), r.reads.toFixed(0), r.ms.toFixed(1)]),
  ),
);
const [slow, fast] = loops;
console.log(
  `speculation: ${slow!.reads.toFixed(0)} -> ${fast!.reads.toFixed(0)} reads, time x${(fast!.ms / slow!.ms).toFixed(2)} (default on this adapter: lookahead ${backend.loopLookahead})`,
);

await tf.setBackend("webgpu");
if (software && !small) {
  console.log("\nreal-GPU numbers (matMul GFLOP/s, 16M-float chain, MLP/CNN steps): not measured, the adapter is a software GPU.");
  console.log("Run `pnpm --filter @kiln/backend-webgpu bench` on a machine with a GPU and a Vulkan driver (or in Chromium) for them.");
} else {
  const sizes = small ? SMALL_SIZES : FULL_SIZES;
  const rows = await realGpu(backend, sizes);
  console.log(`\n${software ? "small sizes on a software GPU (a check of the bench, not numbers)" : "real GPU"}: ${adapter}`);
  console.log(
    formatTable(
      ["case", "result"],
      rows.map((r) => [r.name, r.value]),
    ),
  );
  const comparator = await onnxRuntimeRows(backend, { matmul: sizes.matmul, batch: sizes.mlpBatch, runs: small ? 3 : 10 });
  console.log("\nsame device: Kiln (traced, webgpu) vs onnxruntime-node's WebGPU execution provider, ms per call from host inputs to host result (medians, alternating)");
  if (typeof comparator === "string") console.log(`not measured: ${comparator}`);
  else
    console.log(
      formatTable(
        ["case", "kiln", "onnxruntime webgpu", "onnxruntime / kiln"],
        comparator.map((r) => [r.name, r.kiln.toFixed(2), r.ort.toFixed(2), `${(r.ort / r.kiln).toFixed(2)}x`]),
      ),
    );
}
for (const name of ["webgpu", "webgpu-lookahead-1", "webgpu-lookahead-32"]) tf.removeBackend(name);
