import { ArgumentError } from "../base/errors.js";
import type { FuncGraph } from "../ir/func_graph.js";
import type { OpOutput } from "../ir/graph.js";
import { Tensor } from "../tensor/tensor.js";
import { bind } from "../trace/bind.js";
import { getRuntime } from "../trace/runtime.js";
import { Variable } from "./variable.js";

/**
 * Computes a symbolic tensor of the graph being traced eagerly, by replaying the ops it
 * depends on outside the trace (TF lifts variable initializers out of functions this way).
 * Only values that do not depend on the function's inputs can be lifted: constants, ops on
 * them, captured eager tensors and variables.
 *
 * ```ts
 * // inside a trace: new tf.Variable(tf.ones([])) -> the Fill op is replayed eagerly
 * ```
 */
export function liftToEager(tensor: Tensor, graph: FuncGraph, what: string): Tensor {
  const runtime = getRuntime();
  const captured = new Map(graph.captures.map((c) => [c.placeholder, c.value]));
  const cache = new Map<OpOutput, Tensor>();
  const created: Tensor[] = [];
  const dependsOnInputs = (input: string) =>
    new ArgumentError(
      `${what}: the initial value ${tensor.toString()} depends on the traced function's inputs ('${input}'); initial values must be computable outside the function (use a constant, or a function of outer values)`,
    );
  const evaluate = (output: OpOutput): Tensor => {
    const known = cache.get(output);
    if (known !== undefined) return known;
    const op = output.op;
    let result: Tensor;
    if (op.type === "Placeholder") {
      const value = captured.get(output);
      if (!(value instanceof Tensor)) throw dependsOnInputs(op.name);
      result = value;
    } else if (op.type === "ReadVariableOp") {
      // A captured variable is read now; a variable argument's resource is an input.
      const resource = op.inputs[0]!;
      const variable = captured.get(resource);
      if (!(variable instanceof Variable)) throw dependsOnInputs(resource.op.name);
      result = variable.eagerValue;
    } else {
      const inputs = op.inputs.map(evaluate);
      const outputs = bind(op.def, inputs, op.attrs);
      created.push(...outputs);
      op.outputs.forEach((o, i) => cache.set(o, outputs[i]!));
      result = outputs[output.index]!;
    }
    cache.set(output, result);
    return result;
  };
  return runtime.withEager(() => {
    try {
      const value = evaluate((tensor.handle as { ref: OpOutput }).ref);
      for (const t of created) if (t !== value) t.dispose();
      return value;
    } catch (error) {
      for (const t of created) t.dispose();
      throw error;
    }
  });
}
