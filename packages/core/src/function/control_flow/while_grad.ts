import type { Shape } from "../../base/shape.js";
import type { GradArgs } from "../../ir/op.js";
import { add, greaterEqual, sub } from "../../ops/binary.js";
import { scalar, zerosLike } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { getRuntime } from "../../trace/runtime.js";
import { replayGraph } from "../replay.js";
import { checkNoCarriedVariables } from "../value_form.js";
import { appendToLog, emptyLog, type IterationLog, logInvariants, readLog } from "./iteration_log.js";
import type { WhileAttrs } from "./ops.js";
import { whileLoop } from "./while_loop.js";

/**
 * The gradient of `While` (graph mode; an eager loop is recorded op by op). It re-runs the
 * forward loop once with extra loop variables that log every iteration's state (an
 * `IterationLog` per loop variable), then a backward loop walks the iterations in reverse,
 * replaying the body under a tape at each logged state. Loop variables may have unknown
 * dims and may change shape between iterations (shape invariants with `null`): the logs keep
 * each state's run-time shape. The result is itself a graph of `While` loops whose logs
 * grow every iteration, so it can be differentiated again (higher-order gradients, SPEC J4).
 * Variables the loop reads arrive as their values (read before the op, see TapeTrace) and
 * get gradients summed over the iterations, like any captured input.
 *
 * ```ts
 * tape.gradient(tf.whileLoop(cond, body, [i, h])[1], [h0]); // inside a tf.function
 * ```
 */
export function whileGradient({ inputs, outputs, dys, attrs, differentiate }: GradArgs<WhileAttrs, Tensor>): (Tensor | null)[] {
  const library = getRuntime().graphTrace()!.graph.library;
  const condGraph = library.get(attrs.cond)!.graph;
  const bodyGraph = library.get(attrs.body)!.graph;
  const n = attrs.numLoopVars;
  const types = attrs.Tout;
  const initial = inputs.slice(0, n);
  const condExtra = attrs.condInputs.map((i) => inputs[i]!);
  const bodyExtra = attrs.bodyInputs.map((i) => inputs[i]!);
  const floatVar = initial.map((v) => v.dtype === "float32");
  const floatExtra = bodyExtra.map((x) => x.dtype === "float32");
  checkNoCarriedVariables(attrs, condGraph, bodyGraph);

  // Forward again, logging the state each iteration starts from.
  const logs0 = types.flatMap((t) => {
    const log = emptyLog(t);
    return [log.values, log.index];
  });
  const logOf = (flat: readonly Tensor[], j: number): IterationLog => ({ values: flat[2 * j]!, index: flat[2 * j + 1]! });
  const forward = whileLoop(
    (...s) => replayGraph(condGraph, [...s.slice(0, n), ...condExtra])[0],
    (...s) => {
      const state = s.slice(0, n);
      const next = replayGraph(bodyGraph, [...state, ...bodyExtra]);
      const logs = state.flatMap((value, j) => {
        const log = appendToLog(logOf(s.slice(n), j), value);
        return [log.values, log.index];
      });
      return [...next, ...logs, add(s[3 * n]!, 1)];
    },
    [...initial, ...logs0, scalar(0, "int32")],
    {
      shapeInvariants: [...types.map((t) => t.shape), ...types.flatMap(logInvariants), []],
      ...(attrs.maximumIterations === null ? {} : { maximumIterations: attrs.maximumIterations }),
    },
  );
  const logs = forward.slice(n, 3 * n);
  const count = forward[3 * n]!;

  // Backward, from the last iteration to the first.
  const dVars0 = initial.flatMap((_v, j) => (floatVar[j] ? [dys[j] ?? zerosLike(outputs[j]!)] : []));
  const dExtra0 = bodyExtra.flatMap((x, j) => (floatExtra[j] ? [zerosLike(x)] : []));
  const backward = whileLoop(
    (k) => greaterEqual(k!, 0),
    (k, ...grads) => {
      const dVars = grads.slice(0, dVars0.length);
      const dExtra = grads.slice(dVars0.length);
      const state = types.map((t, j) => readLog(logOf(logs, j), k!, t.shape));
      const sources = [...state.filter((_, j) => floatVar[j]), ...bodyExtra.filter((_, j) => floatExtra[j])];
      const g = differentiate(
        () => replayGraph(bodyGraph, [...state, ...bodyExtra]).filter((_, j) => floatVar[j]),
        sources,
        dVars,
      );
      const newDVars = g.slice(0, dVars.length).map((d, j) => d ?? zerosLike(sources[j]!));
      const newDExtra = dExtra.map((acc, j) => {
        const d = g[dVars.length + j];
        return d === null || d === undefined ? acc : add(acc, d);
      });
      return [sub(k!, 1), ...newDVars, ...newDExtra];
    },
    [sub(count, 1), ...dVars0, ...dExtra0],
    {
      // A state's gradient has the state's shape, which may change from one iteration to the next.
      shapeInvariants: [
        [],
        ...types.filter((_, j) => floatVar[j]).map((t, k) => commonShape(t.shape, dVars0[k]!.shape)),
        ...dExtra0.map((d) => d.shape),
      ],
    },
  );
  let nextVar = 1;
  let nextExtra = 1 + dVars0.length;
  const result: (Tensor | null)[] = inputs.map(() => null);
  initial.forEach((_, j) => {
    if (floatVar[j]) result[j] = backward[nextVar++]!;
  });
  attrs.bodyInputs.forEach((inputIndex, j) => {
    if (floatExtra[j]) result[inputIndex] = backward[nextExtra++]!;
  });
  return result;
}

/** The dims two same-rank shapes agree on, `null` elsewhere (an invariant both fit). */
function commonShape(a: Shape, b: Shape): Shape {
  return a.map((d, i) => (d === b[i] ? d : null));
}

