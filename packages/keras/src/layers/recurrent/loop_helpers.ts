/**
 * Pieces shared by the time loops: one step with masking, the loop's result, and logs of
 * per-step values (a tensor that grows by one row per step, a loop variable of unknown
 * first dimension).
 *
 * ```ts
 * let log = emptyLog(h0);            // [0, batch, units]
 * log = appendRow(log, h);           // inside the loop body
 * ```
 */
import * as tf from "@kiln/core";
import { dimOf, shapeArg } from "../../utils/dynamic.js";
import type { Recurrence } from "./cell.js";

/** What the loop computed. */
export interface TimeLoopResult {
  readonly lastOutput: tf.Tensor;
  /** `[batch, time, ...]`, in the order the steps ran (reversed with `goBackwards`), when `returnSequences`. */
  readonly outputs: tf.Tensor | undefined;
  readonly states: tf.Tensor[];
}

/** Every timestep's input projected at once (the recurrence's `project`), or the inputs as they are. */
export function projectAll(rec: Recurrence): tf.Tensor {
  return rec.project === undefined ? rec.inputs : rec.project(rec.inputs, rec.params);
}

/**
 * A step (on a projected input) with masking: where the mask `m` (`[batch, 1]`, bool) is false, the new states are
 * the old ones and the output is the previous first state. An output that is the first new
 * state stays one tensor, so loops can keep a single record of both.
 */
export function maskedStep(
  rec: Recurrence,
  x: tf.Tensor,
  states: readonly tf.Tensor[],
  params: readonly tf.Tensor[],
  m: tf.Tensor | undefined,
): [tf.Tensor, tf.Tensor[]] {
  const [out, next] = rec.step(x, states, params);
  if (m === undefined) return [out, next];
  const keep = (value: tf.Tensor, old: tf.Tensor) =>
    tf.where(value.rank === 2 ? m : tf.reshape(m, [-1, ...value.shape.slice(1).map(() => 1)]), value, old);
  const masked = next.map((s, i) => keep(s, states[i]!));
  return [out === next[0] ? masked[0]! : keep(out, states[0]!), masked];
}

/** An empty log of per-step values shaped like `like` (`[0, ...like.shape]`), for appending rows in a loop. */
export function emptyLog(like: tf.Tensor): tf.Tensor {
  return tf.zeros(shapeArg([0, ...like.shape.map((_, i) => dimOf(like, i))]), like.dtype);
}

/** `log` with `row` appended along a new first axis. */
export function appendRow(log: tf.Tensor, row: tf.Tensor): tf.Tensor {
  return tf.concat([log, tf.expandDims(row, 0)], 0);
}

/**
 * Time-major per-step records (`[time, batch, ...]`, the loop's log) as the batch-major output
 * sequence, with the time dimension known again when the input's was (a loop variable that
 * grows has an unknown first dimension).
 */
export function sequenceFromLog(log: tf.Tensor, steps: number | null): tf.Tensor {
  const batchMajor = tf.transpose(log, [1, 0, ...Array.from({ length: log.rank - 2 }, (_, i) => i + 2)]);
  if (steps === null || batchMajor.shape[1] === steps) return batchMajor;
  return tf.reshape(
    batchMajor,
    shapeArg([dimOf(batchMajor, 0), steps, ...batchMajor.shape.slice(2).map((_, i) => dimOf(batchMajor, i + 2))]),
  );
}
