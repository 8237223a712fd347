/**
 * Backpropagation through time for the traced loop. The forward pass is one `While` that
 * also records the states after every step; its gradient (a `tf.customGradient`) is a
 * second `While` from the last step to the first that replays each step under a tape at its
 * recorded states and sends the gradients back: to the step's input (collected for every
 * timestep, only when a tape watches the input), to the previous states (carried to the
 * next iteration) and to the parameters and variables the step reads (summed). Each step
 * is thus computed twice in a training step, never three times. The input projection runs
 * once for all timesteps before the forward loop; the backward loop replays it per step.
 *
 * `tf.customGradient` takes one value, so the loop's results (final states, last output and
 * the output sequence) travel packed side by side in one `[batch, n]` tensor.
 *
 * ```ts
 * const { lastOutput, outputs, states } = backpropagatedLoop(rec, mask, [h0, c0], true);
 * ```
 */
import * as tf from "@kiln/core";
import { dimOf, shapeArg } from "../../utils/dynamic.js";
import type { Recurrence } from "./cell.js";
import { appendRow, emptyLog, maskedStep, sequenceFromLog, type TimeLoopResult } from "./loop_helpers.js";

/** Rows of `[batch, ...]` tensors as `[batch, size]` columns, and back. */
interface Packing {
  /** Per piece: its static per-sample size, or null for the output sequence (the rest). */
  readonly sizes: (number | null)[];
}

function flatten(t: tf.Tensor): tf.Tensor {
  if (t.rank === 2) return t;
  const rest = t.shape.slice(1);
  if (rest.every((d) => d !== null)) return tf.reshape(t, [-1, (rest as number[]).reduce((a, b) => a * b, 1)]);
  const size = rest
    .map((_, i) => dimOf(t, i + 1))
    .reduce<number | tf.Tensor>((a, b) => (typeof a === "number" && typeof b === "number" ? a * b : tf.mul(a, b)), 1);
  return tf.reshape(t, shapeArg([dimOf(t, 0), size]));
}

function pack(pieces: readonly tf.Tensor[]): { value: tf.Tensor; packing: Packing } {
  const sizes = pieces.map((p) => {
    const rest = p.shape.slice(1);
    return rest.every((d) => d !== null) ? (rest as number[]).reduce((a, b) => a * b, 1) : null;
  });
  return { value: tf.concat(pieces.map(flatten), 1), packing: { sizes } };
}

/** The pieces of `value` (packed by `pack`), reshaped to `shapes` (dims as numbers or scalars). */
function unpack(value: tf.Tensor, packing: Packing, shapes: readonly (number | tf.Tensor)[][]): tf.Tensor[] {
  let offset = 0;
  return packing.sizes.map((size, i) => {
    const columns = tf.slice(value, [0, offset], [-1, size ?? -1]);
    offset += size ?? 0;
    return tf.reshape(columns, shapeArg(shapes[i]!));
  });
}

/**
 * Whether a recording tape will want gradients for `t`: it was computed from something a
 * tape watches (a layer's input that is training data is not). Unknown tapes count as yes.
 */
function recordedByATape(t: tf.Tensor): boolean {
  return tf
    .getRuntime()
    .activeTapes()
    .some((tape) => (tape as { isWatched?(t: tf.Tensor): boolean }).isWatched?.(t) ?? true);
}

/** The runtime shape of `t` as a list of numbers and scalars. */
function dims(t: tf.Tensor): (number | tf.Tensor)[] {
  return t.shape.map((_, i) => dimOf(t, i));
}

/** The loop under a tape: forward `While` recording states, backward `While` replaying steps. */
export function backpropagatedLoop(
  rec: Recurrence,
  mask: tf.Tensor | undefined,
  initial: readonly tf.Tensor[],
  returnSequences: boolean,
): TimeLoopResult {
  const n = initial.length;
  const nParams = rec.params.length;
  const variables = rec.variables;
  const steps = dimOf(rec.inputs, 0);
  const batch = dimOf(rec.inputs, 1);
  const stateShapes = initial.map(dims);
  const outputShape = stateShapes[0]!;
  const sequenceShape = [batch, steps, ...outputShape.slice(1)];
  const shapes = [...stateShapes, outputShape, ...(returnSequences ? [sequenceShape] : [])];
  let packing: Packing | undefined;
  // The inputs' gradient is computed (and its per-step rows collected) only when a tape will use it.
  const inputGradient = recordedByATape(rec.inputs);

  const loop = tf.customGradient((...args: unknown[]) => {
    const save = args.pop() as (tensors: tf.Tensor[]) => void;
    const [xs, ...rest] = args as tf.Tensor[];
    const init = rest.slice(0, n);
    const params = rest.slice(n, n + nParams);
    // The projection of every timestep, before the loop (its gradient is replayed per step).
    const projected = rec.project === undefined ? xs! : rec.project(xs!, params);
    // Forward: carries the states and the last output, logs the states after each step and,
    // when the output is not the first state, the outputs.
    const last0 = tf.zerosLike(init[0]!);
    let separateOutputs = false;
    const logs0 = init.map(emptyLog);
    const outLog0 = returnSequences ? [emptyLog(last0)] : [];
    const result = tf.whileLoop(
      (t) => tf.less(t!, steps),
      (t, ...vars) => {
        const states = vars.slice(0, n);
        const m = mask === undefined ? undefined : tf.gather(mask, t!);
        const [out, next] = maskedStep(rec, tf.gather(projected, t!), states, params, m);
        separateOutputs = out !== next[0];
        const logs = next.map((s, j) => appendRow(vars[n + 1 + j]!, s));
        const outLog = returnSequences ? [appendRow(vars[2 * n + 1]!, out)] : [];
        return [tf.add(t!, 1), ...next, out, ...logs, ...outLog];
      },
      [tf.scalar(0, "int32"), ...init, last0, ...logs0, ...outLog0],
      {
        shapeInvariants: [
          [],
          ...init.map((s) => s.shape),
          last0.shape,
          ...logs0.map((l) => [null, ...l.shape.slice(1)]),
          ...outLog0.map((l) => [null, ...l.shape.slice(1)]),
        ],
      },
    );
    const finalStates = result.slice(1, n + 1);
    const last = result[n + 1]!;
    const logs = result.slice(n + 2, 2 * n + 2);
    const sequenceTM = returnSequences ? (separateOutputs ? result[2 * n + 2]! : logs[0]!) : undefined;
    save(logs);
    const pieces = [...finalStates, last];
    if (sequenceTM !== undefined) pieces.push(sequenceFromLog(sequenceTM, null));
    const packed = pack(pieces);
    packing = packed.packing;

    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const parts = unpack(dy, packing!, shapes);
      const dFinal = parts.slice(0, n);
      const dLast = parts[n]!;
      const dSequenceTM = returnSequences
        ? tf.transpose(parts[n + 1]!, [1, 0, ...Array.from({ length: dLast.rank - 1 }, (_, i) => i + 2)])
        : undefined;
      // The states each step started from: the initial ones, then those logged after each step.
      const previous = init.map((s, j) => tf.concat([tf.expandDims(s, 0), saved[j]!], 0));
      const dx0 = emptyLog(tf.gather(xs!, 0));
      const back = tf.whileLoop(
        (k) => tf.greaterEqual(k!, 0),
        (k, ...vars) => {
          const dStates = vars.slice(0, n);
          const dLastCarry = vars[n]!;
          const dParams = vars.slice(n + 1, n + 1 + nParams);
          const dVars = vars.slice(n + 1 + nParams, n + 1 + nParams + variables.length);
          const dxLog = vars[n + 1 + nParams + variables.length]!;
          const x = tf.gather(xs!, k!);
          const states = previous.map((p) => tf.gather(p, k!));
          const stepParams = params.map((p) => tf.identity(p));
          const m = mask === undefined ? undefined : tf.gather(mask, k!);
          const dOut = dSequenceTM === undefined ? dLastCarry : tf.add(dLastCarry, tf.gather(dSequenceTM, k!));
          const tape = new tf.GradientTape();
          const [out, next] = tape.record(() => {
            tape.watch([...(inputGradient ? [x] : []), ...states, ...stepParams]);
            const input = rec.project === undefined ? x : rec.project(x, stepParams);
            return maskedStep(rec, input, states, stepParams, m);
          });
          const shared = out === next[0];
          const targets = shared ? next : [out, ...next];
          const upstream = shared ? [tf.add(dStates[0]!, dOut), ...dStates.slice(1)] : [dOut, ...dStates];
          const g = [
            ...(inputGradient ? [] : [null]),
            ...(tape.gradient(
              targets,
              [...(inputGradient ? [x] : []), ...states, ...stepParams, ...variables],
              upstream,
            ) as (tf.Tensor | null)[]),
          ];
          const orZeros = (d: tf.Tensor | null | undefined, like: tf.Tensor) => d ?? tf.zerosLike(like);
          const sum = (acc: tf.Tensor, d: tf.Tensor | null | undefined) => (d === null || d === undefined ? acc : tf.add(acc, d));
          return [
            tf.sub(k!, 1),
            ...states.map((s, j) => orZeros(g[1 + j], s)),
            tf.zerosLike(dLastCarry),
            ...dParams.map((acc, j) => sum(acc, g[1 + n + j])),
            ...dVars.map((acc, j) => sum(acc, g[1 + n + nParams + j])),
            inputGradient ? appendRow(dxLog, orZeros(g[0], x)) : dxLog,
          ];
        },
        [
          typeof steps === "number" ? tf.scalar(steps - 1, "int32") : tf.sub(steps, 1),
          ...dFinal,
          dLast,
          ...params.map((p) => tf.zerosLike(p)),
          ...variables.map((v) => tf.zeros(v.shape as number[], v.dtype)),
          dx0,
        ],
        {
          shapeInvariants: [
            [],
            ...dFinal.map((d) => d.shape),
            dLast.shape,
            ...params.map((p) => p.shape),
            ...variables.map((v) => v.shape),
            [null, ...dx0.shape.slice(1)],
          ],
        },
      );
      const dInitial = back.slice(1, n + 1);
      const dParams = back.slice(n + 2, n + 2 + nParams);
      const dVars = back.slice(n + 2 + nParams, n + 2 + nParams + variables.length);
      const dxs = inputGradient ? tf.reverse(back[n + 2 + nParams + variables.length]!, 0) : null;
      return [dxs!, ...dInitial, ...dParams, ...dVars];
    };
    return { value: packed.value, gradFunc };
  });

  const value = loop(rec.inputs, ...initial, ...rec.params, ...variables.map((v) => v.read()));
  const parts = unpack(value, packing!, shapes);
  return { states: parts.slice(0, n), lastOutput: parts[n]!, outputs: returnSequences ? parts[n + 1] : undefined };
}
