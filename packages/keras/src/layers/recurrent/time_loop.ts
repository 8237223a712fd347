/**
 * The time loop of recurrent layers: runs a cell's `Recurrence` over a sequence, with
 * masking (a masked step keeps the previous states, and its output is the previous first
 * state, as in tfjs-layers), `goBackwards`, and the per-step outputs when asked.
 *
 * - Eagerly, or with `unroll`, it is a JS loop over the timesteps (op by op, like tfjs).
 * - Inside a trace it is one `tf.whileLoop`, whatever the sequence length (even unknown):
 *   a new length runs the same graph. Under a recording tape (a training step), the loop is
 *   wrapped in a custom gradient whose backward pass is a second `While` walking the steps in
 *   reverse (backpropagation through time, `bptt.ts`).
 *
 * ```ts
 * const { lastOutput, outputs, states } = runTimeLoop(cell.recurrence(xTimeMajor, { training }), [h0, c0], options);
 * ```
 */
import * as tf from "@kiln/core";
import { InputShapeError } from "../../errors.js";
import { dimOf } from "../../utils/dynamic.js";
import { backpropagatedLoop } from "./bptt.js";
import type { Recurrence } from "./cell.js";
import { maskedStep, newList, projectAll, sequenceFromList, type TimeLoopResult, writeRow } from "./loop_helpers.js";

export type { TimeLoopResult } from "./loop_helpers.js";

/** How to run the loop. */
export interface TimeLoopOptions {
  readonly goBackwards: boolean;
  readonly unroll: boolean;
  readonly returnSequences: boolean;
  /** `[batch, time]`: false (or 0) where a timestep is padding. */
  readonly mask: tf.Tensor | undefined;
  /** The layer running the loop, for messages. */
  readonly layer: string;
}

/** Runs `rec` over its time-major inputs from `initialStates`. */
export function runTimeLoop(rec: Recurrence, initialStates: readonly tf.Tensor[], options: TimeLoopOptions): TimeLoopResult {
  let xs = rec.inputs;
  let mask = options.mask === undefined ? undefined : tf.expandDims(tf.transpose(tf.cast(options.mask, "bool"), [1, 0]), -1);
  if (options.goBackwards) {
    xs = tf.reverse(xs, 0);
    if (mask !== undefined) mask = tf.reverse(mask, 0);
  }
  const loopRec: Recurrence = { ...rec, inputs: xs };
  if (options.unroll || tf.executingEagerly()) {
    if (xs.shape[0] === null) {
      throw new InputShapeError(
        `Layer '${options.layer}': unroll: true needs a known sequence length, received inputs with an unknown time dimension; remove unroll (the loop is one While) or give the input a fixed length`,
      );
    }
    return jsLoop(loopRec, mask, initialStates, options.returnSequences);
  }
  if (tf.getRuntime().activeTapes().length > 0) return backpropagatedLoop(loopRec, mask, initialStates, options.returnSequences);
  return whileLoopForward(loopRec, mask, initialStates, options.returnSequences);
}

/** The JS loop (eager, or `unroll` inside a trace): one step after another, recorded op by op. */
function jsLoop(rec: Recurrence, mask: tf.Tensor | undefined, initial: readonly tf.Tensor[], returnSequences: boolean): TimeLoopResult {
  const steps = rec.inputs.shape[0] as number;
  const xs = steps === 0 ? [] : tf.unstack(projectAll(rec));
  const masks = mask === undefined || steps === 0 ? [] : tf.unstack(mask);
  let states = [...initial];
  let last = tf.zerosLike(initial[0]!);
  const outputs: tf.Tensor[] = [];
  for (let t = 0; t < steps; t++) {
    [last, states] = maskedStep(rec, xs[t]!, states, rec.params, masks[t]);
    if (returnSequences) outputs.push(last);
  }
  const sequence = returnSequences
    ? steps === 0
      ? tf.zeros([initial[0]!.shape[0] ?? 0, 0, ...initial[0]!.shape.slice(1)] as number[])
      : tf.stack(outputs, 1)
    : undefined;
  return { lastOutput: last, outputs: sequence, states };
}

/** The traced loop without gradients (prediction): one `While` carrying the states, the last output and the list of outputs. */
function whileLoopForward(
  rec: Recurrence,
  mask: tf.Tensor | undefined,
  initial: readonly tf.Tensor[],
  returnSequences: boolean,
): TimeLoopResult {
  const n = initial.length;
  const steps = dimOf(rec.inputs, 0);
  const projected = projectAll(rec);
  const last0 = tf.zerosLike(initial[0]!);
  const list0 = returnSequences ? [newList(last0, steps)] : [];
  const result = tf.whileLoop(
    (t) => tf.less(t!, steps),
    (t, ...vars) => {
      const m = mask === undefined ? undefined : tf.gather(mask, t!);
      const [out, next] = maskedStep(rec, tf.gather(projected, t!), vars.slice(0, n), rec.params, m);
      return [tf.add(t!, 1), ...next, out, ...(returnSequences ? [writeRow(vars[n + 1]!, t!, out)] : [])];
    },
    [tf.scalar(0, "int32"), ...initial, last0, ...list0],
  );
  const outputs = returnSequences ? sequenceFromList(result[n + 2]!, rec.inputs.shape[0] ?? null) : undefined;
  return { lastOutput: result[n + 1]!, outputs, states: result.slice(1, n + 1) };
}
