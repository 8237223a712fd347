/**
 * Import plus first op: a fresh Node process imports the library, selects its wasm backend
 * and reads back one small add; the time is the process's `performance.now()` at that
 * point (so Node's own start-up counts for both). Kiln runs from its built `dist/`.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./harness.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

const KILN = `
const tf = await import("@kiln/core");
const { wasm } = await import("@kiln/backend-wasm");
tf.registerBackend(wasm());
await tf.setBackend("wasm");
tf.add(tf.tensor([1, 2]), 1).dataSync();
console.log(performance.now());
`;

const TFJS = `
const tf = await import("@tensorflow/tfjs-core");
await import("@tensorflow/tfjs-backend-wasm");
await tf.setBackend("wasm");
tf.add(tf.tensor([1, 2]), 1).dataSync();
console.log(performance.now());
`;

function startupMs(source: string): number {
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", source], { cwd: packageDir, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`start-up probe failed: ${result.stderr}`);
  return Number(result.stdout.trim().split("\n").at(-1));
}

/** Median milliseconds from process start to the first op's result, Kiln wasm and tfjs-wasm (runs interleaved). */
export function benchStartup(runs = 5): { kilnMs: number; tfjsMs: number } {
  const kiln: number[] = [];
  const tfjs: number[] = [];
  for (let i = 0; i < runs; i++) {
    kiln.push(startupMs(KILN));
    tfjs.push(startupMs(TFJS));
  }
  return { kilnMs: median(kiln), tfjsMs: median(tfjs) };
}
