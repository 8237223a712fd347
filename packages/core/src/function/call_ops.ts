import type { DType } from "../base/dtype.js";
import type { Shape } from "../base/shape.js";
import { Identity } from "../ir/builtin_ops.js";
import { defineOp } from "../ir/op.js";
import type { ExecuteArgs, Execution } from "../plan/execution.js";
import { calleeOf, ownedResults, runKernelNow, runSubPlan } from "../plan/host_ops.js";
import { planFor } from "../plan/plan_cache.js";
import type { SlotValue } from "../plan/slots.js";

/** Attributes of a call op: the callee's name in the graph's library and its output types. */
export interface CallAttrs {
  readonly f: string;
  readonly Tout: readonly { readonly shape: Shape; readonly dtype: DType }[];
  [key: string]: unknown;
}

/** Runs the called function's plan on the call's inputs (its arguments, then its captures). */
function* executeCall(args: ExecuteArgs<CallAttrs>): Execution<SlotValue[]> {
  const callee = calleeOf(args, args.attrs.f);
  const registry = args.context.registry;
  const outs = yield* runSubPlan(planFor(callee.graph, args.backend, registry), args.inputs, args.pool, args.context);
  return ownedResults(args, outs, (slot) => runKernelNow(registry, Identity, [slot], args.backend));
}

function defineCall(name: string, stateful: boolean) {
  return defineOp<any>({
    name,
    api: "call",
    family: "opaque",
    inputs: "variadic",
    stateful,
    execution: { kind: "host", run: executeCall },
    // A call is recorded on tapes as one entry whose backward is a traced function
    // (autodiff/function_gradient.ts), not through this op's rule.
    nonDifferentiable: true,
    infer: (_inputs, attrs: CallAttrs) => attrs.Tout.map((t) => ({ shape: t.shape, dtype: t.dtype })),
  });
}

/** Calls a stateless concrete function from another graph (SPEC B13). */
export const PartitionedCall = defineCall("PartitionedCall", false);
/** Calls a concrete function that reads or writes state. */
export const StatefulPartitionedCall = defineCall("StatefulPartitionedCall", true);
