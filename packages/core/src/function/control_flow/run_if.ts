import { Identity } from "../../ir/builtin_ops.js";
import { type ExecuteArgs, type Execution, readHost } from "../../plan/execution.js";
import { calleeOf, ownedResults, runKernelNow, runSubPlan } from "../../plan/host_ops.js";
import { planFor } from "../../plan/plan_cache.js";
import type { DataSlot, SlotValue } from "../../plan/slots.js";
import type { IfAttrs } from "./ops.js";

/**
 * Runs `If`: reads the predicate on the host (one read), then the taken branch's plan on
 * the inputs that branch takes. Its results are owned by the op (inputs passed straight
 * through are copied).
 *
 * ```ts
 * // If(pred, x) {thenBranch: @cond_true_0, elseBranch: @cond_false_1, thenInputs: [1], ...}
 * ```
 */
export function* executeIf(args: ExecuteArgs<IfAttrs>): Execution<SlotValue[]> {
  const { attrs, context, backend } = args;
  const taken = (yield* readHost(args.inputs[0] as DataSlot))[0] !== 0;
  const branch = calleeOf(args, taken ? attrs.thenBranch : attrs.elseBranch);
  const inputs = (taken ? attrs.thenInputs : attrs.elseInputs).map((i) => args.inputs[i]!);
  const outs = yield* runSubPlan(planFor(branch.graph, backend, context.registry), inputs, args.pool, context);
  return ownedResults(args, outs, (slot) => runKernelNow(context.registry, Identity, [slot], backend));
}
