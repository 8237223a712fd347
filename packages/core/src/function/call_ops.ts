import type { DType } from "../base/dtype.js";
import type { Shape } from "../base/shape.js";
import { Identity } from "../ir/builtin_ops.js";
import { callGradient } from "./call_gradient.js";
import { defineOp } from "../ir/op.js";
import type { ExecuteArgs, Execution } from "../plan/execution.js";
import { calleeOf, ownedResults, runKernelNow } from "../plan/host_ops.js";
import { outputShapes, writtenInputs } from "../plan/graph_facts.js";
import type { Plan } from "../plan/plan.js";
import { planFor } from "../plan/plan_cache.js";
import type { SlotValue } from "../plan/slots.js";
import { checkFunctionName, checkOutputTypes } from "./subgraph_attrs.js";

/** Attributes of a call op: the callee's name in the graph's library and its output types. */
export interface CallAttrs {
  readonly f: string;
  readonly Tout: readonly { readonly shape: Shape; readonly dtype: DType }[];
  [key: string]: unknown;
}

/**
 * Runs the called function's plan on the call's inputs (its arguments, then its captures);
 * directly when the plan never waits for a host read (no generator on the hot path).
 */
function executeCall(args: ExecuteArgs<CallAttrs>): Execution<SlotValue[]> | SlotValue[] {
  const plan = planFor(calleeOf(args, args.attrs.f).graph, args.backend, args.context.registry);
  if (!plan.mayRead) return callResults(args, plan.run(args.inputs, args.pool, args.context));
  return executeCallAsync(args, plan);
}

function* executeCallAsync(args: ExecuteArgs<CallAttrs>, plan: Plan): Execution<SlotValue[]> {
  return callResults(args, yield* plan.execute(args.inputs, args.pool, args.context));
}

function callResults(args: ExecuteArgs, outs: readonly SlotValue[]): SlotValue[] {
  return ownedResults(args, outs, (slot) => runKernelNow(args.context.registry, Identity, [slot], args.backend));
}

function defineCall(name: string, stateful: boolean) {
  return defineOp<any>({
    name,
    // Graph nodes are named after `api`; TF names call nodes after their type.
    api: name,
    family: "opaque",
    inputs: "variadic",
    stateful,
    execution: {
      kind: "host",
      run: executeCall,
      outputShapes: (inputs, attrs: CallAttrs, library) => outputShapes(library.get(attrs.f)!.graph, inputs),
      writes: (attrs: CallAttrs, library) => writtenInputs(library.get(attrs.f)!.graph),
    },
    // One tape entry whose backward is a traced function replaying the callee.
    grad: (args) => callGradient(args),
    // The callee's signature against the inputs and `Tout` is checked by `verifyGraph`.
    infer: (_inputs, attrs: CallAttrs) => {
      checkFunctionName(attrs.f, name, "f");
      return checkOutputTypes(attrs.Tout, name);
    },
  });
}

/** Calls a stateless concrete function from another graph (SPEC B13). */
export const PartitionedCall = defineCall("PartitionedCall", false);
/** Calls a concrete function that reads or writes state. */
export const StatefulPartitionedCall = defineCall("StatefulPartitionedCall", true);
