import { Identity } from "../ir/builtin_ops.js";
import { FuncGraph, type LibraryFunction } from "../ir/func_graph.js";
import type { OpOutput } from "../ir/graph.js";
import type { ValueInfo } from "../ir/op.js";
import { Tensor } from "../tensor/tensor.js";
import { GraphTrace } from "../trace/graph_trace.js";
import { getRuntime } from "../trace/runtime.js";
import { mapStructure } from "./structure.js";
import { Variable } from "./variable.js";

let nextSubgraphId = 0;

/**
 * A graph held by a control-flow op (a branch of `If`, the condition or body of `While`),
 * in the library of the graph that holds the op. The executor runs it through the plan
 * cache, like a concrete function.
 */
export class Subgraph implements LibraryFunction {
  constructor(
    readonly graph: FuncGraph,
    /** The traced function's result, with symbolic tensors at the tensor leaves. */
    readonly structure: unknown,
    /** The output tensors in flat order (symbolic, in `graph`). */
    readonly outputs: readonly Tensor[],
  ) {}

  get name(): string {
    return this.graph.name;
  }

  /** The outer values this graph captured, in input order after the explicit parameters. */
  get captured(): object[] {
    return this.graph.captures.map((c) => c.value);
  }
}

/**
 * Traces `fn` into a sub-graph of the graph being traced: `params` become placeholders
 * (the explicit inputs), outer tensors and variables used inside are captured as extra
 * inputs, and each tensor in the result goes through an Identity.
 */
export function traceSubgraph(name: string, params: readonly (ValueInfo & { name?: string })[], fn: (args: Tensor[]) => unknown): Subgraph {
  const runtime = getRuntime();
  const parent = runtime.graphTrace()!.graph;
  const graph = new FuncGraph(`${name}_${nextSubgraphId++}`, parent, false);
  const trace = new GraphTrace(graph);
  try {
    return runtime.withTrace(trace, () => {
      const placeholders = params.map((p, i) => trace.addPlaceholder(p.name ?? `arg_${i}`, p));
      const result = fn(placeholders.map((p) => trace.tensorOf(p)));
      const outputs: OpOutput[] = [];
      const tensors: Tensor[] = [];
      const structure = mapStructure(result, (leaf) => {
        const value = leaf instanceof Variable ? leaf.readForOp() : leaf;
        if (!(value instanceof Tensor)) return leaf;
        const ref = trace.valueOf(value, undefined, outputs.length);
        const out = trace.addOperation(Identity, "Identity", [ref], {}, [ref]).outputs[0]!;
        outputs.push(out);
        const symbolic = trace.tensorOf(out);
        tensors.push(symbolic);
        return symbolic;
      });
      graph.inputs = [...placeholders, ...graph.captures.map((c) => c.placeholder)];
      graph.outputs = outputs;
      return new Subgraph(graph, structure, tensors);
    });
  } finally {
    graph.isOpen = false;
  }
}
