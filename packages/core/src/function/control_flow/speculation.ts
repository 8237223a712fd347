import { readsSync, type Backend } from "../../backend/backend.js";
import type { BackendRegistry } from "../../backend/backend_registry.js";
import type { BufferPool } from "../../plan/buffer_pool.js";
import type { ExecutionContext } from "../../plan/execution.js";
import type { Plan } from "../../plan/plan.js";
import type { DataSlot, SlotValue } from "../../plan/slots.js";
import { donatedLoopValues } from "./loop_donation.js";
import { andSlot, releaseUnkept, selectSlot, sideEffectFree } from "./predication.js";

/**
 * Speculative loops: on a backend with asynchronous reads, a `While` that reads
 * its predicate every iteration waits for the device once per iteration. When the rotated
 * step (body, then condition) has no side effects and needs no host read, core runs several
 * iterations ahead of the read instead. Iteration j + 1 runs under the backend's `guard` on
 * the condition c_j that iteration j computed, and its results are kept only where c_j held:
 *
 *     vars_{j+1} = select(c_j, body(vars_j), vars_j)
 *     c_{j+1}    = c_j && cond(body(vars_j))
 *
 * Once the condition fails, the loop values stop changing and the condition stays false, so
 * however far the speculation runs past the end the result is the same as the plain loop's.
 * The guard makes the device skip the work past the end. Where it surely does
 * (`caps.guardSkips`), loop values are donated to the step, and a value it writes in place (a
 * list, `OpDef.inPlace`) needs no select: past the end its kernels are skipped and its buffer
 * keeps the old value. Lookahead doubles after every read
 * (1, 2, 4, ... up to `caps.loopLookahead`), so a short loop wastes little and a long one
 * reads its predicate once per `loopLookahead` iterations.
 */

/** How many iterations the loop may run per predicate read on `backend` (1: no speculation). */
export function speculationLimit(step: Plan, backend: Backend): number {
  const limit = backend.caps.loopLookahead ?? 1;
  if (limit <= 1 || readsSync(backend) || step.mayRead || !sideEffectFree(step.graph)) return 1;
  return Math.floor(limit);
}

/** The loop's state between iterations: loop values and the (unread) condition. */
export interface LoopState {
  vars: SlotValue[];
  cond: DataSlot;
}

/**
 * True when every loop value keeps its shape through the step, comparing the values before
 * (`before`) and after (`after`) one iteration: `SelectV2` can only pick between equal shapes.
 */
export function shapesStable(before: readonly SlotValue[], after: readonly SlotValue[]): boolean {
  return before.every((v, k) => {
    const w = after[k]!;
    return (
      v.kind === "data" &&
      w.kind === "data" &&
      v.dtype === w.dtype &&
      v.shape.length === w.shape.length &&
      v.shape.every((d, i) => d === w.shape[i])
    );
  });
}

/**
 * Runs one speculative iteration on `state` (see above): the step under a guard on the
 * current condition, then selects. `stepIn` holds the step's other inputs after the loop
 * values; `inputs` are the While op's own inputs (never freed here). Returns the new state;
 * everything else the iteration made or replaced goes back to the pool.
 */
export function speculate(
  state: LoopState,
  step: Plan,
  stepIn: SlotValue[],
  n: number,
  backend: Backend,
  registry: BackendRegistry,
  pool: BufferPool,
  context: ExecutionContext,
  inputs: readonly SlotValue[],
): LoopState {
  const { vars, cond } = state;
  for (let k = 0; k < n; k++) stepIn[k] = vars[k]!;
  const end = backend.guard?.(cond.dataId, false);
  let outs: SlotValue[];
  try {
    // In-place writes only where the guard skips the kernels past the end (see `caps.guardSkips`).
    const donated = end !== undefined && backend.caps.guardSkips === true ? donatedLoopValues(vars, stepIn, inputs, new Array<boolean>(n)) : undefined;
    outs = step.run(stepIn, pool, context, donated);
  } finally {
    end?.();
  }
  const next = vars.map((v, k) => {
    const w = outs[k]!;
    // A value the step wrote in place needs no select: where the guard failed, its kernels
    // did not run and the buffer still holds the old value.
    if (w === v || (w.kind === "data" && v.kind === "data" && w.dataId === v.dataId && !v.owned)) return w;
    return selectSlot(registry, cond, w as DataSlot, v as DataSlot, backend);
  });
  const nextCond = andSlot(registry, cond, outs[n] as DataSlot, backend);
  releaseUnkept([...vars, cond, ...outs], [...next, nextCond], inputs, pool);
  return { vars: next, cond: nextCond };
}
