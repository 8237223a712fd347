/**
 * Backpropagation through time for the traced loop. The forward pass is one `While` that
 * also records, one row per step in lists written in place (`tf.setRow`), the states after
 * every step and, for a cell whose step is a product with the recurrent kernel followed by
 * elementwise work (`Recurrence.linear`: SimpleRNN, LSTM), the pre-activations `z`. Its
 * gradient (a `tf.customGradient`) is a second `While` from the last step to the first:
 *
 * - with `linear`, each step replays only the elementwise rest at the recorded `z` and
 *   states under a tape (no product is recomputed), sends the state gradients back through
 *   one product with the kernel's transpose, and records `dz`; the kernel's gradient is then
 *   one product over all steps (`Σ_t h_{t-1}ᵀ dz_t`);
 * - otherwise each step is replayed under a tape at its recorded states (GRU, custom cells),
 *   its parameter and variable gradients summed in the loop, and `dz` (the gradient of the
 *   step's projected input) recorded.
 *
 * The input projection runs once for all timesteps before the forward loop, and its
 * gradient once for all timesteps after the backward loop, from the recorded `dz`.
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
import type { LinearStep, Recurrence } from "./cell.js";
import { applyMask, maskedStep, newList, sequenceFromList, type TimeLoopResult, writeRow } from "./loop_helpers.js";

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

/** The products a linear step does with its first state: `(h * mask) · kernel`. */
function recurrentProduct(linear: LinearStep, h: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
  return tf.matMul(linear.mask === undefined ? h : tf.mul(h, linear.mask), kernel);
}

/** `[rows, last]` view of a `[..., last]` tensor (for one product over every step). */
function rowsOf(t: tf.Tensor): tf.Tensor {
  return tf.reshape(t, shapeArg([-1, dimOf(t, t.rank - 1)]));
}

/** The loop under a tape: forward `While` recording states, backward `While` walking back over the steps. */
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
  // The inputs' gradient is computed only when a tape will use it.
  const inputGradient = recordedByATape(rec.inputs);
  // A step that reads variables directly is replayed whole (their gradients come from its tape).
  const linear = variables.length === 0 ? rec.linear : undefined;

  const loop = tf.customGradient((...args: unknown[]) => {
    const save = args.pop() as (tensors: tf.Tensor[]) => void;
    const [xs, ...rest] = args as tf.Tensor[];
    const init = rest.slice(0, n);
    const params = rest.slice(n, n + nParams);
    // The projection of every timestep, before the loop (its gradient comes after the backward loop).
    const projected = rec.project === undefined ? xs! : rec.project(xs!, params);
    // Forward: carries the states and the last output; lists the states after each step, the
    // outputs (when asked) and, for a linear step, the pre-activations.
    const last0 = tf.zerosLike(init[0]!);
    let separateOutputs = false;
    const lists0 = [
      ...init.map((s) => newList(s, steps)),
      ...(returnSequences ? [newList(last0, steps)] : []),
      ...(linear === undefined ? [] : [tf.zerosLike(projected)]),
    ];
    const result = tf.whileLoop(
      (t) => tf.less(t!, steps),
      (t, ...vars) => {
        const states = vars.slice(0, n);
        const m = mask === undefined ? undefined : tf.gather(mask, t!);
        const x = tf.gather(projected, t!);
        const z = linear === undefined ? undefined : tf.add(x, recurrentProduct(linear, states[0]!, params[linear.kernel]!));
        const [out, next] = z === undefined ? maskedStep(rec, x, states, params, m) : applyMask(linear!.finish(z, states), states, m);
        separateOutputs = out !== next[0];
        const lists = vars.slice(n + 1);
        const written = [
          ...next.map((s, j) => writeRow(lists[j]!, t!, s)),
          ...(returnSequences ? [writeRow(lists[n]!, t!, out)] : []),
          ...(z === undefined ? [] : [writeRow(lists.at(-1)!, t!, z)]),
        ];
        return [tf.add(t!, 1), ...next, out, ...written];
      },
      [tf.scalar(0, "int32"), ...init, last0, ...lists0],
    );
    const finalStates = result.slice(1, n + 1);
    const last = result[n + 1]!;
    const stateLists = result.slice(n + 2, 2 * n + 2);
    const sequenceTM = returnSequences ? (separateOutputs ? result[2 * n + 2]! : stateLists[0]!) : undefined;
    save([...stateLists, projected, ...(linear === undefined ? [] : [result.at(-1)!])]);
    const pieces = [...finalStates, last];
    if (sequenceTM !== undefined) pieces.push(sequenceFromList(sequenceTM, null));
    const packed = pack(pieces);
    packing = packed.packing;

    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const parts = unpack(dy, packing!, shapes);
      const dFinal = parts.slice(0, n);
      const dLast = parts[n]!;
      const dSequenceTM = returnSequences
        ? tf.transpose(parts[n + 1]!, [1, 0, ...Array.from({ length: dLast.rank - 1 }, (_, i) => i + 2)])
        : undefined;
      const projectedRows = saved[n]!;
      const zs = linear === undefined ? undefined : saved[n + 1]!;
      // The states each step started from: the initial ones, then those listed after each step.
      const previous = init.map((s, j) => tf.concat([tf.expandDims(s, 0), saved[j]!], 0));
      // Per-step sums of parameter and variable gradients (only when steps are replayed whole).
      const perStep = linear === undefined;
      const sums0 = perStep ? [...params.map((p) => tf.zerosLike(p)), ...variables.map((v) => tf.zeros(v.shape as number[], v.dtype))] : [];
      const needDz = linear !== undefined || rec.project !== undefined || inputGradient;
      const back = tf.whileLoop(
        (k) => tf.greaterEqual(k!, 0),
        (k, ...vars) => {
          const dStates = vars.slice(0, n);
          const dLastCarry = vars[n]!;
          const sums = vars.slice(n + 1, n + 1 + sums0.length);
          const states = previous.map((p) => tf.gather(p, k!));
          const m = mask === undefined ? undefined : tf.gather(mask, k!);
          const dOut = dSequenceTM === undefined ? dLastCarry : tf.add(dLastCarry, tf.gather(dSequenceTM, k!));
          const tape = new tf.GradientTape();
          // The step's input: the pre-activations (linear) or the projected input (replayed whole).
          const input = zs === undefined ? tf.gather(projectedRows, k!) : tf.gather(zs, k!);
          const stepParams = perStep ? params.map((p) => tf.identity(p)) : [];
          const [out, next] = tape.record(() => {
            tape.watch([input, ...states, ...stepParams]);
            return linear === undefined ? maskedStep(rec, input, states, stepParams, m) : applyMask(linear.finish(input, states), states, m);
          });
          const shared = out === next[0];
          const targets = shared ? next : [out, ...next];
          const upstream = shared ? [tf.add(dStates[0]!, dOut), ...dStates.slice(1)] : [dOut, ...dStates];
          const g = tape.gradient(targets, [input, ...states, ...stepParams, ...(perStep ? variables : [])], upstream) as (tf.Tensor | null)[];
          const orZeros = (d: tf.Tensor | null | undefined, like: tf.Tensor) => d ?? tf.zerosLike(like);
          const dz = orZeros(g[0], input);
          const dPrevious = states.map((s, j) => orZeros(g[1 + j], s));
          // z = x + (h * mask) · kernel: h's share comes back through the kernel's transpose.
          if (linear !== undefined) {
            const dh = tf.matMul(dz, params[linear.kernel]!, false, true);
            dPrevious[0] = tf.add(dPrevious[0]!, linear.mask === undefined ? dh : tf.mul(dh, linear.mask));
          }
          const sum = (acc: tf.Tensor, d: tf.Tensor | null | undefined) => (d === null || d === undefined ? acc : tf.add(acc, d));
          return [
            tf.sub(k!, 1),
            ...dPrevious,
            tf.zerosLike(dLastCarry),
            ...sums.map((acc, j) => sum(acc, g[1 + n + j])),
            ...(needDz ? [writeRow(vars.at(-1)!, k!, dz)] : []),
          ];
        },
        [
          typeof steps === "number" ? tf.scalar(steps - 1, "int32") : tf.sub(steps, 1),
          ...dFinal,
          dLast,
          ...sums0,
          ...(needDz ? [tf.zerosLike(projectedRows)] : []),
        ],
      );
      const dInitial = back.slice(1, n + 1);
      const sums = back.slice(n + 2, n + 2 + sums0.length);
      const dParams: (tf.Tensor | null)[] = perStep ? sums.slice(0, nParams) : params.map(() => null);
      const dVars = perStep ? sums.slice(nParams) : [];
      const dzs = needDz ? back.at(-1)! : undefined;
      if (linear !== undefined) {
        // The kernel's gradient over every step at once: Σ_t (h_{t-1} * mask)ᵀ dz_t.
        let hPrevious = tf.gather(previous[0]!, tf.range(0, steps, 1, "int32"));
        if (linear.mask !== undefined) hPrevious = tf.mul(hPrevious, linear.mask);
        dParams[linear.kernel] = tf.matMul(rowsOf(hPrevious), rowsOf(dzs!), true, false);
      }
      let dxs: tf.Tensor | null = null;
      if (rec.project !== undefined) {
        // The projection's gradient for every timestep at once, from the listed dz.
        const tape = new tf.GradientTape();
        const sources = [...(inputGradient ? [xs!] : []), ...params];
        const p = tape.record(() => {
          tape.watch(sources);
          return rec.project!(xs!, params);
        });
        const g = tape.gradient(p, sources, dzs!) as (tf.Tensor | null)[];
        if (inputGradient) dxs = g[0]!;
        g.slice(inputGradient ? 1 : 0).forEach((d, j) => {
          if (d !== null && d !== undefined) dParams[j] = dParams[j] === null ? d : tf.add(dParams[j]!, d);
        });
      } else if (inputGradient) dxs = dzs!;
      return [dxs!, ...dInitial, ...dParams.map((d, j) => d ?? tf.zerosLike(params[j]!)), ...dVars];
    };
    return { value: packed.value, gradFunc };
  });

  const value = loop(rec.inputs, ...initial, ...rec.params, ...variables.map((v) => v.read()));
  const parts = unpack(value, packing!, shapes);
  return { states: parts.slice(0, n), lastOutput: parts[n]!, outputs: returnSequences ? parts[n + 1] : undefined };
}
