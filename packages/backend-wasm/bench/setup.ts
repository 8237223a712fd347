import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import * as tfjs from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
// tfjs-core registers gradients only on request.
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { type WasmBackend, wasm } from "../src/index.js";

/**
 * Registers the backends the benchmarks compare: Kiln wasm on one thread ("wasm1"), Kiln
 * wasm on every core ("wasm"), Kiln cpu, and tfjs-core on tfjs-backend-wasm 4.22 (SIMD,
 * one thread in Node).
 */
export async function setUpBenchBackends(): Promise<{ threaded: WasmBackend }> {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu(), { priority: 0 });
  if (!tf.listBackends().includes("wasm1")) tf.registerBackend(wasm({ name: "wasm1", threads: 1 }));
  if (!tf.listBackends().includes("wasm")) tf.registerBackend(wasm());
  await tf.setBackend("wasm");
  const threaded = tf.backend() as WasmBackend;
  await threaded.threadsReady;
  await tfjs.setBackend("wasm");
  return { threaded };
}

export { tf, tfjs };
