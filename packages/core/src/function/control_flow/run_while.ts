import { Identity } from "../../ir/builtin_ops.js";
import { readsSync } from "../../backend/backend.js";
import type { ExecuteArgs, Execution } from "../../plan/execution.js";
import { calleeOf, ownedResults, runKernelNow } from "../../plan/host_ops.js";
import type { Plan } from "../../plan/plan.js";
import { planFor, rotatedPlanFor } from "../../plan/plan_cache.js";
import { type DataSlot, dataSlot, type SlotValue } from "../../plan/slots.js";
import { donatedLoopValues } from "./loop_donation.js";
import type { WhileAttrs } from "./ops.js";
import { type LoopState, shapesStable, speculate, speculationLimit } from "./speculation.js";

/**
 * Runs `While`: the condition's plan, then (while it holds) the body's, one host read of
 * the predicate per iteration. Without an iteration limit the loop is rotated: body then
 * condition as one plan per iteration (`rotateLoop`), same operations in the same order;
 * on a backend with asynchronous reads and `caps.loopLookahead`, a side-effect-free rotated
 * loop runs several iterations per read (speculation.ts).
 * Loop values the op owns die into the plan's buffer pool, where the next iteration's
 * kernels find buffers of the same size, so a steady loop allocates nothing.
 *
 * ```ts
 * // While(i, h, w) {cond: @while_cond_0, body: @while_body_1, numLoopVars: 2, ...}
 * ```
 */
export function* executeWhile(args: ExecuteArgs<WhileAttrs>): Execution<SlotValue[]> {
  const { attrs, context, backend, pool } = args;
  const registry = context.registry;
  const cond = calleeOf(args, attrs.cond);
  const body = calleeOf(args, attrs.body);
  const condPlan = planFor(cond.graph, backend, registry);
  const n = attrs.numLoopVars;
  const condExtra = attrs.condInputs.map((i) => args.inputs[i]!);
  const bodyExtra = attrs.bodyInputs.map((i) => args.inputs[i]!);
  let vars = args.inputs.slice(0, n);
  // The outer plan's inputs are never the op's to free.
  const drop = (value: SlotValue) => {
    if (value.kind === "data" && !args.inputs.includes(value)) pool.give(value);
  };
  /**
   * Lets go of the previous loop values that are not among the next ones. A plan that
   * returns one buffer twice hands back an unowned alias for the second; when the owner
   * dies but its alias lives on as a loop value, the alias takes over ownership instead.
   */
  const retire = (previous: readonly SlotValue[], next: SlotValue[]) => {
    for (const value of previous) {
      if (next.includes(value) || args.inputs.includes(value)) continue;
      // An alias itself holds nothing to let go of.
      if (value.kind === "data" && !value.owned && value.release === undefined) continue;
      const k = value.kind === "data" ? next.findIndex((v) => v.kind === "data" && v.dataId === value.dataId && !v.owned) : -1;
      if (k < 0) {
        drop(value);
        continue;
      }
      const alias = next[k] as DataSlot;
      const heir = value as DataSlot;
      next[k] = dataSlot(alias.backend, alias.dataId, alias.shape, alias.dtype, heir.owned, heir.release, alias.size);
    }
  };
  /** Lets the condition's value go (unless it is one of the loop values); `go` is what it read. */
  const done = (c: SlotValue, values: readonly SlotValue[], go: boolean): boolean => {
    if (!values.includes(c)) drop(c);
    return go;
  };
  // The hot loop inlines what `runSubPlan` and `readHost` do, so that a synchronous run
  // creates no generator per iteration.
  const run = (plan: Plan, inputs: readonly SlotValue[], donated?: readonly boolean[]) =>
    plan.mayRead ? undefined : plan.run(inputs, pool, context, donated);
  // Loop values this op owns and drops after the body may be written in place by it (a list
  // filled one row per iteration, see `OpDef.inPlace`): the body's plan takes them over.
  const donated: boolean[] = new Array(n).fill(false);
  const donate = (inputs: readonly SlotValue[]) => donatedLoopValues(vars, inputs, args.inputs, donated);
  const readNow = (c: DataSlot) => (readsSync(c.backend) ? c.backend.readSync(c.dataId) : undefined);
  // The loop's plans stay whole until it ends, even if its function is disposed while an
  // asynchronous run waits for a predicate (see `Plan.hold`).
  const held: Plan[] = [];
  const hold = (plan: Plan) => {
    plan.hold();
    held.push(plan);
    return plan;
  };
  hold(condPlan);
  try {
    if (attrs.maximumIterations === null) {
      // One plan run per iteration: the body, then the condition on its results.
      const step = hold(rotatedPlanFor(body.graph, cond.graph, n, backend, registry));
      const stepIn: SlotValue[] = [...vars, ...bodyExtra, ...condExtra];
      const first = run(condPlan, [...vars, ...condExtra]) ?? (yield* condPlan.execute([...vars, ...condExtra], pool, context));
      let c = first[0] as DataSlot;
      let go = done(c, vars, (readNow(c) ?? (yield c))[0] !== 0);
      // Iterations per predicate read: 1 without speculation, else doubling up to the limit.
      let limit = speculationLimit(step, backend);
      let ahead = 1;
      while (go) {
        for (let k = 0; k < n; k++) stepIn[k] = vars[k]!;
        donate(stepIn);
        const outs = run(step, stepIn, donated) ?? (yield* step.execute(stepIn, pool, context, donated));
        const next = outs.slice(0, n);
        if (limit > 1 && !shapesStable(vars, next)) limit = ahead = 1;
        retire(vars, next);
        vars = next;
        c = outs[n] as DataSlot;
        if (ahead > 1) {
          let state: LoopState = { vars, cond: c };
          for (let j = 1; j < ahead; j++) state = speculate(state, step, stepIn, n, backend, registry, pool, context, args.inputs);
          vars = state.vars;
          c = state.cond;
        }
        go = done(c, vars, (readNow(c) ?? (yield c))[0] !== 0);
        ahead = Math.min(ahead * 2, limit);
      }
    } else {
      // The plans copy inputs into their own slots, so one input list per plan is reused.
      const condIn: SlotValue[] = [...vars, ...condExtra];
      const bodyIn: SlotValue[] = [...vars, ...bodyExtra];
      const bodyPlan = hold(planFor(body.graph, backend, registry));
      for (let i = 0; i < attrs.maximumIterations; i++) {
        for (let k = 0; k < n; k++) condIn[k] = bodyIn[k] = vars[k]!;
        const c = (run(condPlan, condIn) ?? (yield* condPlan.execute(condIn, pool, context)))[0] as DataSlot;
        if (!done(c, vars, (readNow(c) ?? (yield c))[0] !== 0)) break;
        donate(bodyIn);
        const next = run(bodyPlan, bodyIn, donated) ?? (yield* bodyPlan.execute(bodyIn, pool, context, donated));
        retire(vars, next);
        vars = next;
      }
    }
  } catch (error) {
    for (const value of vars) drop(value);
    throw error;
  } finally {
    for (const plan of held) plan.letGo();
  }
  return ownedResults(args, vars, (slot) => runKernelNow(registry, Identity, [slot], backend));
}
