/**
 * @kiln/keras benchmarks, side by side in one process on the cpu backends: `fit` per step
 * against tfjs-layers 4.22, Keras overhead against a hand-written traced step, and
 * `stepsPerExecution`. Every number is a median after warm-up; ratio = anchor / Kiln
 * (above 1: Kiln is faster).
 *
 * ```sh
 * pnpm bench   # from packages/keras (or the repository root for every package)
 * ```
 */
import { cpus } from "node:os";
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import { benchFit } from "./fit.js";
import { formatRows } from "./harness.js";
import { benchOverhead } from "./overhead.js";

tf.registerBackend(cpu());
await tf.setBackend("cpu");
const rows = [...(await benchOverhead()), ...(await benchFit())];
console.log(
  `\n@kiln/keras on Kiln cpu vs tfjs-layers 4.22 on tfjs-core cpu, Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "unknown cpu"}`,
);
console.log("CPU milliseconds per training step (medians); ratio = anchor / kiln\n");
console.log(formatRows(rows));
