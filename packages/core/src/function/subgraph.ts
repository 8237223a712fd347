import { Identity } from "../ir/builtin_ops.js";
import { FuncGraph } from "../ir/func_graph.js";
import type { OpOutput } from "../ir/graph.js";
import type { ValueInfo } from "../ir/op.js";
import type { Backend } from "../runtime/backend.js";
import { Plan } from "../runtime/executor.js";
import { Tensor } from "../tensor/tensor.js";
import { GraphTrace } from "../trace/graph_trace.js";
import { getRuntime } from "../trace/runtime.js";
import { rotateLoop } from "./control_flow/rotated_loop.js";
import { planContext } from "./plan_context.js";
import { mapStructure } from "./structure.js";
import { Variable } from "./variable.js";

let nextSubgraphId = 0;

/**
 * A graph held by a control-flow op (a branch of `If`, the condition or body of `While`):
 * callable by the executor through a plan per backend, like a concrete function.
 */
export class Subgraph {
  private readonly plans = new Map<Backend, Plan>();
  /** For a While body: plans of the body followed by the condition (see `rotateLoop`). */
  private readonly rotatedPlans = new Map<Backend, Plan>();

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

  planFor(backend: Backend): Plan {
    let plan = this.plans.get(backend);
    if (plan === undefined) this.plans.set(backend, (plan = new Plan(this.graph, backend, planContext())));
    return plan;
  }

  /**
   * For a While body: the plan that runs this body and then `cond` on its results, for a
   * loop that takes one plan run per iteration.
   */
  rotatedPlanFor(backend: Backend, cond: Subgraph, numLoopVars: number): Plan {
    let plan = this.rotatedPlans.get(backend);
    if (plan === undefined) this.rotatedPlans.set(backend, (plan = new Plan(rotateLoop(this.graph, cond.graph, numLoopVars), backend, planContext())));
    return plan;
  }

  /** Frees the plans' constant buffers (plans are rebuilt on demand). */
  dispose(): void {
    for (const plan of [...this.plans.values(), ...this.rotatedPlans.values()]) plan.dispose();
    this.plans.clear();
    this.rotatedPlans.clear();
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
        const value = leaf instanceof Variable ? leaf.read() : leaf;
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
