import { replayGraph } from "../replay.js";
import { KilnError } from "../../base/errors.js";
import { isConcrete } from "../../base/shape.js";
import type { GradArgs } from "../../ir/op.js";
import { add, greaterEqual, sub } from "../../ops/binary.js";
import { scalar, zeros, zerosLike } from "../../ops/creation.js";
import { gather } from "../../ops/gather.js";
import { concat } from "../../ops/joining.js";
import { expandDims } from "../../ops/shape_ops.js";
import type { Tensor } from "../../tensor/tensor.js";
import { getRuntime } from "../../trace/runtime.js";
import type { WhileAttrs } from "./ops.js";
import { whileLoop } from "./while_loop.js";

/**
 * The gradient of `While` (graph mode; an eager loop is recorded op by op). It re-runs the
 * forward loop once with extra loop variables that stack every iteration's state, then a
 * backward loop walks the iterations in reverse, replaying the body under a tape at each
 * stacked state. Loop variables must have fully known shapes. Variables the loop reads
 * arrive as their values (read before the op, see TapeTrace) and get gradients summed over
 * the iterations, like any captured input.
 */
export function whileGradient({ inputs, outputs, dys, attrs, differentiate }: GradArgs<WhileAttrs, Tensor>): (Tensor | null)[] {
  const library = getRuntime().graphTrace()!.graph.library;
  const condGraph = library.get(attrs.cond)!.graph;
  const bodyGraph = library.get(attrs.body)!.graph;
  const n = attrs.numLoopVars;
  const initial = inputs.slice(0, n);
  for (const t of attrs.Tout) {
    if (!isConcrete(t.shape)) {
      throw new KilnError(
        "whileLoop gradient: loop variables with unknown dimensions (shapeInvariants with null) cannot be differentiated yet; give them fixed shapes",
      );
    }
  }
  const condExtra = attrs.condInputs.map((i) => inputs[i]!);
  const bodyExtra = attrs.bodyInputs.map((i) => inputs[i]!);
  const floatVar = initial.map((v) => v.dtype === "float32");
  const floatExtra = bodyExtra.map((x) => x.dtype === "float32");

  // Forward again, stacking the state each iteration starts from.
  const stacks0 = attrs.Tout.map((t) => zeros([0, ...(t.shape as number[])], t.dtype));
  const forward = whileLoop(
    (...s) => replayGraph(condGraph, [...s.slice(0, n), ...condExtra])[0],
    (...s) => {
      const state = s.slice(0, n);
      const next = replayGraph(bodyGraph, [...state, ...bodyExtra]);
      return [...next, ...s.slice(n, 2 * n).map((stack, j) => concat([stack, expandDims(state[j]!, 0)], 0)), add(s[2 * n]!, 1)];
    },
    [...initial, ...stacks0, scalar(0, "int32")],
    {
      shapeInvariants: [...attrs.Tout.map((t) => t.shape), ...attrs.Tout.map((t) => [null, ...t.shape]), []],
      ...(attrs.maximumIterations === null ? {} : { maximumIterations: attrs.maximumIterations }),
    },
  );
  const stacks = forward.slice(n, 2 * n);
  const count = forward[2 * n]!;

  // Backward, from the last iteration to the first.
  const dVars0 = initial.flatMap((_v, j) => (floatVar[j] ? [dys[j] ?? zerosLike(outputs[j]!)] : []));
  const dExtra0 = bodyExtra.flatMap((x, j) => (floatExtra[j] ? [zerosLike(x)] : []));
  const backward = whileLoop(
    (k) => greaterEqual(k!, 0),
    (k, ...grads) => {
      const dVars = grads.slice(0, dVars0.length);
      const dExtra = grads.slice(dVars0.length);
      const state = stacks.map((stack) => gather(stack, k!));
      const sources = [...state.filter((_, j) => floatVar[j]), ...bodyExtra.filter((_, j) => floatExtra[j])];
      const g = differentiate(() => replayGraph(bodyGraph, [...state, ...bodyExtra]).filter((_, j) => floatVar[j]), sources, dVars);
      const newDVars = g.slice(0, dVars.length).map((d, j) => d ?? zerosLike(dVars[j]!));
      const newDExtra = dExtra.map((acc, j) => {
        const d = g[dVars.length + j];
        return d === null || d === undefined ? acc : add(acc, d);
      });
      return [sub(k!, 1), ...newDVars, ...newDExtra];
    },
    [sub(count, 1), ...dVars0, ...dExtra0],
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
