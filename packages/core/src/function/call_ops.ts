import type { DType } from "../base/dtype.js";
import type { Shape } from "../base/shape.js";
import { defineOp } from "../ir/op.js";

/** Attributes of a call op: the callee's name in the graph's library and its output types. */
export interface CallAttrs {
  readonly f: string;
  readonly Tout: readonly { readonly shape: Shape; readonly dtype: DType }[];
  [key: string]: unknown;
}

function defineCall(name: string, stateful: boolean) {
  return defineOp<any>({
    name,
    api: "call",
    family: "opaque",
    inputs: "variadic",
    stateful,
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
