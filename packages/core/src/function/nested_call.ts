import { beginCall, endCall } from "../autodiff/function_gradient.js";
import type { OpOutput } from "../ir/graph.js";
import type { Tensor } from "../tensor/tensor.js";
import type { GraphTrace } from "../trace/graph_trace.js";
import { getRuntime } from "../trace/runtime.js";
import { PartitionedCall, StatefulPartitionedCall } from "./call_ops.js";
import type { ConcreteFunction } from "./concrete_function.js";
import { Variable } from "./variable.js";

/**
 * Records a call of `callee` in the graph being traced as ONE call op (SPEC B13): its
 * inputs are the arguments plus the callee's captures (resolved in the outer graph), and
 * the callee joins the outer graph's function library.
 */
export function emitCall(trace: GraphTrace, callee: ConcreteFunction, inputs: readonly (Tensor | Variable)[]): unknown {
  const stateful = callee.graph.operations.some((op) => op.def.stateful === true);
  const def = stateful ? StatefulPartitionedCall : PartitionedCall;
  const refs: OpOutput[] = [...inputs, ...callee.capturedInputs].map((value, i) =>
    trace.valueOf(value instanceof Variable ? value.resource(def) : value, def, i),
  );
  const tout = callee.graph.outputs.map((o) => ({ shape: o.shape, dtype: o.dtype }));
  const call = beginCall(getRuntime().activeTapes(), callee, inputs);
  const op = trace.addOperation(def, def.name, refs, { f: callee.name, Tout: tout }, tout);
  trace.graph.library.set(callee.name, callee);
  const outputs = op.outputs.map((o) => trace.tensorOf(o));
  endCall(call, outputs);
  return callee.restructure(outputs);
}
