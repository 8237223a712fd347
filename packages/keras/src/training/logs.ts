/**
 * Reading step logs (scalar tensors) into numbers, and freeing them.
 *
 * ```ts
 * const logs = await readLogs(stepLogs); // { loss: 0.31, accuracy: 0.9 }
 * ```
 */
import * as tf from "@kiln/core";
import type { Logs } from "../callbacks/callback.js";
import type { StepLogs } from "./steps.js";

/** Reads every scalar (awaiting, so async backends work) and disposes the tensors. */
export async function readLogs(logs: StepLogs, prefix = ""): Promise<Logs> {
  const out: Logs = {};
  for (const [k, t] of Object.entries(logs)) out[prefix + k] = (await t.data())[0]!;
  tf.dispose(Object.values(logs));
  return out;
}

/** Frees step logs nobody reads. */
export function disposeLogs(logs: StepLogs): void {
  tf.dispose(Object.values(logs));
}
