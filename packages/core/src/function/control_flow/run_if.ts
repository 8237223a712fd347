import { Identity } from "../../ir/builtin_ops.js";
import { type ExecuteArgs, type Execution, readHost } from "../../plan/execution.js";
import { calleeOf, ownedResults, runKernelNow, runSubPlan } from "../../plan/host_ops.js";
import { planFor } from "../../plan/plan_cache.js";
import type { DataSlot, SlotValue } from "../../plan/slots.js";
import type { IfAttrs } from "./ops.js";
import { canPredicate, releaseUnkept, selectSlot } from "./predication.js";

/**
 * Runs `If`: reads the predicate on the host (one read), then the taken branch's plan on
 * the inputs that branch takes. Its results are owned by the op (inputs passed straight
 * through are copied). Where the backend can guard work and both branches are free of side
 * effects with the same static output shapes, it runs predicated instead (`runPredicated`):
 * no read at all.
 *
 * ```ts
 * // If(pred, x) {thenBranch: @cond_true_0, elseBranch: @cond_false_1, thenInputs: [1], ...}
 * ```
 */
export function executeIf(args: ExecuteArgs<IfAttrs>): Execution<SlotValue[]> | SlotValue[] {
  const { attrs, backend, context } = args;
  if (canPredicate(attrs.thenBranch, attrs.elseBranch, args.library, backend, context.registry)) return runPredicated(args);
  return executeIfRead(args);
}

function* executeIfRead(args: ExecuteArgs<IfAttrs>): Execution<SlotValue[]> {
  const { attrs, context, backend } = args;
  const taken = (yield* readHost(args.inputs[0] as DataSlot))[0] !== 0;
  const branch = calleeOf(args, taken ? attrs.thenBranch : attrs.elseBranch);
  const inputs = (taken ? attrs.thenInputs : attrs.elseInputs).map((i) => args.inputs[i]!);
  const outs = yield* runSubPlan(planFor(branch.graph, backend, context.registry), inputs, args.pool, context);
  return ownedResults(args, outs, (slot) => runKernelNow(context.registry, Identity, [slot], backend));
}

/**
 * Both branches, each under a guard on the predicate (then where it holds, else where it
 * does not), and a `SelectV2` per output: the device skips the branch not taken and the host
 * never waits. Results equal the read path's: the select picks exactly the taken branch's values.
 */
function runPredicated(args: ExecuteArgs<IfAttrs>): SlotValue[] {
  const { attrs, context, backend, pool } = args;
  const registry = context.registry;
  const pred = args.inputs[0] as DataSlot;
  const branch = (name: string, inputs: readonly number[], negate: boolean): SlotValue[] => {
    const plan = planFor(calleeOf(args, name).graph, backend, registry);
    const end = backend.guard!(pred.dataId, negate);
    try {
      return plan.run(
        inputs.map((i) => args.inputs[i]!),
        pool,
        context,
      );
    } finally {
      end();
    }
  };
  const thenOuts = branch(attrs.thenBranch, attrs.thenInputs, false);
  let elseOuts: SlotValue[];
  try {
    elseOuts = branch(attrs.elseBranch, attrs.elseInputs, true);
  } catch (error) {
    releaseUnkept(thenOuts, [], args.inputs, pool);
    throw error;
  }
  const picked = thenOuts.map((t, k) => {
    const e = elseOuts[k]!;
    return t === e || t.kind !== "data" || e.kind !== "data" ? t : selectSlot(registry, pred, t, e, backend);
  });
  releaseUnkept([...thenOuts, ...elseOuts], picked, args.inputs, pool);
  return ownedResults(args, picked, (slot) => runKernelNow(registry, Identity, [slot], backend));
}
