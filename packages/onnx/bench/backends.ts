/**
 * The Kiln configurations the benchmark runs: the cpu backend (single-threaded JS), and the
 * wasm backend with one thread and with all its threads. Each is a backend name and how many
 * threads it uses, set before timing.
 *
 * ```ts
 * for (const k of await kilnConfigurations()) { await k.use(); ... }
 * ```
 */
import { cpu } from "@kiln/backend-cpu";
import { type WasmBackend, wasm } from "@kiln/backend-wasm";
import * as tf from "@kiln/core";

export interface KilnConfiguration {
  /** `cpu`, `wasm 1 thread`, `wasm 2 threads`. */
  readonly label: string;
  /** Whether it runs on one thread (compared by CPU time) or several (compared by wall time). */
  readonly threads: number;
  /** Selects the backend and its thread count. */
  use(): Promise<void>;
}

/** Registers cpu and wasm; returns the configurations to time. */
export async function kilnConfigurations(): Promise<KilnConfiguration[]> {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
  if (!tf.listBackends().includes("wasm")) tf.registerBackend(wasm());
  await tf.setBackend("wasm");
  const all = (tf.backend() as WasmBackend).info.threads;
  const threaded = (n: number): KilnConfiguration => ({
    label: `wasm ${n} thread${n === 1 ? "" : "s"}`,
    threads: n,
    use: async () => {
      await tf.setBackend("wasm");
      (tf.backend() as WasmBackend).setThreads(n);
    },
  });
  await tf.setBackend("cpu");
  return [
    { label: "cpu", threads: 1, use: () => tf.setBackend("cpu").then(() => undefined) },
    threaded(1),
    ...(all > 1 ? [threaded(all)] : []),
  ];
}
