/**
 * What an async-only backend costs over the same kernels read synchronously: the cpu
 * backend against `asyncOnly(cpu())` (the same kernels behind reads that resolve after a
 * macrotask, like a GPU's), in one process. Rows: a traced call with no control flow (it
 * never reads back, so it should cost the same) and a 1000-iteration While (one host read
 * per iteration, each awaited). The ratio is cpu time / async time (below 1: async is slower).
 *
 * ```sh
 * node --import tsx bench/async_backend.ts
 * ```
 */
import * as tf from "@kiln/core";
import { asyncOnly } from "@kiln/conformance";
import { pathToFileURL } from "node:url";
import { cpu } from "../src/index.js";
import { type BenchRow, benchRow, formatTable, median, timeIt } from "./harness.js";

/** Median milliseconds of `fn` (awaited) on each backend, measured in alternating rounds. */
async function timeOn(names: readonly string[], fn: () => Promise<unknown>, rounds: number): Promise<number[]> {
  const times: number[][] = names.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [k, name] of names.entries()) {
      await tf.setBackend(name);
      times[k]!.push(await timeIt(fn, { warmup: r === 0 ? 3 : 1, runs: 1 }));
    }
  }
  return times.map(median);
}

export async function benchAsyncBackend(): Promise<BenchRow[]> {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
  if (!tf.listBackends().includes("cpu-async")) tf.registerBackend(asyncOnly(cpu()));
  if (!tf.listBackends().includes("cpu-async-micro")) tf.registerBackend(asyncOnly(cpu(), "cpu-async-micro", "microtask"));
  const backends = ["cpu", "cpu-async-micro", "cpu-async"];
  const rows: BenchRow[] = [];

  // A traced call with no control flow, 200 calls then one read of the last result.
  const mlp = tf.function((x: tf.Tensor, w: tf.Tensor) => tf.relu(tf.matMul(x, w)).sum(), { autograph: false });
  const calls = async () => {
    const x = tf.ones([8, 16]);
    const w = tf.ones([16, 16]);
    let last: tf.Tensor | undefined;
    for (let i = 0; i < 200; i++) {
      last?.dispose();
      last = mlp(x, w) as tf.Tensor;
    }
    await last!.data();
    tf.dispose([x, w, last!]);
  };
  const [callsCpu, callsMicro, callsMacro] = await timeOn(backends, calls, 9);
  rows.push(benchRow("200 traced calls, no control flow (ms): async-only (microtask reads) vs cpu", callsMicro!, callsCpu!, "ratio = cpu / async"));
  rows.push(benchRow("200 traced calls, no control flow (ms): async-only (macrotask reads) vs cpu", callsMacro!, callsCpu!, "one read at the end"));

  // A 1000-iteration While: one host read of the predicate per iteration.
  const loop = tf.function(
    (h: tf.Tensor, w: tf.Tensor) =>
      tf.whileLoop((i: tf.Tensor) => tf.less(i, 1000), (i: tf.Tensor, s: tf.Tensor) => [i.add(1), tf.tanh(tf.matMul(s, w))], [tf.scalar(0, "int32"), h])[1]!,
    { autograph: false },
  );
  const whileRun = async () => {
    const h = tf.zeros([1, 16]);
    const w = tf.ones([16, 16]).mul(0.01);
    const out = loop(h, w) as tf.Tensor;
    await out.data();
    tf.dispose([h, w, out]);
  };
  const [whileCpu, whileMicro, whileMacro] = await timeOn(backends, whileRun, 5);
  rows.push(benchRow("1000-iteration While (ms): async-only (microtask reads) vs cpu", whileMicro!, whileCpu!, "1000 awaited predicate reads"));
  rows.push(benchRow("1000-iteration While (ms): async-only (macrotask reads) vs cpu", whileMacro!, whileCpu!, "each read waits a macrotask, like a GPU readback"));
  await tf.setBackend("cpu");
  for (const fn of [mlp, loop]) for (const cf of fn.concreteFunctions()) cf.dispose();
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows = await benchAsyncBackend();
  console.log(formatTable(["case", "async ms", "cpu ms", "ratio", "note"], rows.map((r) => [r.name, r.kilnMs.toFixed(2), r.anchorMs.toFixed(2), `${r.ratio.toFixed(2)}x`, r.note ?? ""])));
}
