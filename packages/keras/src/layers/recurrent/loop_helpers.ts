/**
 * Pieces shared by the time loops: one step with masking, the loop's result, and lists of
 * per-step values (a `[steps, ...]` tensor written one row per step, in place).
 *
 * ```ts
 * let list = newList(h0, steps);     // [steps, batch, units]
 * list = writeRow(list, t, h);       // inside the loop body
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
  return applyMask(rec.step(x, states, params), states, m);
}

/** A step's `[output, new states]` with the mask `m` applied (see `maskedStep`). */
export function applyMask([out, next]: [tf.Tensor, tf.Tensor[]], states: readonly tf.Tensor[], m: tf.Tensor | undefined): [tf.Tensor, tf.Tensor[]] {
  if (m === undefined) return [out, next];
  const keep = (value: tf.Tensor, old: tf.Tensor) =>
    tf.where(value.rank === 2 ? m : tf.reshape(m, [-1, ...value.shape.slice(1).map(() => 1)]), value, old);
  const masked = next.map((s, i) => keep(s, states[i]!));
  return [out === next[0] ? masked[0]! : keep(out, states[0]!), masked];
}

/**
 * A list of one row per timestep shaped like `like` (`[steps, ...like.shape]`, zeros), for a
 * loop to fill with `writeRow`. Inside a `While` each write is one `tf.setRow`, which the
 * plan runs in place (the list is a loop variable nothing else reads), so filling it costs
 * one row copy per step.
 */
export function newList(like: tf.Tensor, steps: number | tf.Tensor): tf.Tensor {
  return tf.zeros(shapeArg([steps, ...like.shape.map((_, i) => dimOf(like, i))]), like.dtype);
}

/** `list` with row `t` replaced by `row`. */
export function writeRow(list: tf.Tensor, t: tf.Tensor, row: tf.Tensor): tf.Tensor {
  return tf.setRow(list, t, row);
}

/**
 * Time-major per-step records (`[time, batch, ...]`, the loop's list) as the batch-major
 * output sequence, with the time dimension known statically when the input's was.
 */
export function sequenceFromList(log: tf.Tensor, steps: number | null): tf.Tensor {
  const batchMajor = tf.transpose(log, [1, 0, ...Array.from({ length: log.rank - 2 }, (_, i) => i + 2)]);
  if (steps === null || batchMajor.shape[1] === steps) return batchMajor;
  return tf.reshape(
    batchMajor,
    shapeArg([dimOf(batchMajor, 0), steps, ...batchMajor.shape.slice(2).map((_, i) => dimOf(batchMajor, i + 2))]),
  );
}
