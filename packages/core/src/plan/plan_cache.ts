import type { Backend } from "../backend/backend.js";
import type { BackendRegistry } from "../backend/backend_registry.js";
import type { FuncGraph } from "../ir/func_graph.js";
import { Plan } from "./plan.js";
import { rotateLoop } from "./rotated_loop.js";

// Plans belong to their graph: held weakly by it, so a graph that is collected takes its
// plans with it, and `disposePlans` frees their constants deterministically.
const plans = new WeakMap<FuncGraph, Map<Backend, Plan>>();
const rotated = new WeakMap<FuncGraph, Map<FuncGraph, Map<Backend, Plan>>>();

/**
 * The plan of `graph` on `backend`, compiled on first use (one plan per graph
 * and backend). Concrete functions, control-flow branches and loaded graphs all get their
 * plans here.
 *
 * ```ts
 * planFor(cf.graph, backend, registry).run(inputs, undefined, context);
 * ```
 */
export function planFor(graph: FuncGraph, backend: Backend, registry: BackendRegistry): Plan {
  let byBackend = plans.get(graph);
  if (byBackend === undefined) plans.set(graph, (byBackend = new Map()));
  let plan = byBackend.get(backend);
  if (plan === undefined) byBackend.set(backend, (plan = new Plan(graph, backend, registry)));
  return plan;
}

/**
 * For a While loop: the plan that runs `body` and then `cond` on its results (see
 * `rotateLoop`), so a loop costs one plan run per iteration.
 */
export function rotatedPlanFor(body: FuncGraph, cond: FuncGraph, numLoopVars: number, backend: Backend, registry: BackendRegistry): Plan {
  let byCond = rotated.get(body);
  if (byCond === undefined) rotated.set(body, (byCond = new Map()));
  let byBackend = byCond.get(cond);
  if (byBackend === undefined) byCond.set(cond, (byBackend = new Map()));
  let plan = byBackend.get(backend);
  if (plan === undefined) byBackend.set(backend, (plan = new Plan(rotateLoop(body, cond, numLoopVars), backend, registry)));
  return plan;
}

/**
 * Frees the constants of every plan compiled for `graph` and the graphs in its library
 * (branches, loop bodies, nested functions), on every backend. Plans are rebuilt on demand.
 */
export function disposePlans(graph: FuncGraph, seen = new Set<FuncGraph>()): void {
  if (seen.has(graph)) return;
  seen.add(graph);
  for (const plan of plans.get(graph)?.values() ?? []) plan.dispose();
  for (const byBackend of rotated.get(graph)?.values() ?? []) for (const plan of byBackend.values()) plan.dispose();
  plans.delete(graph);
  rotated.delete(graph);
  for (const callee of graph.library.values()) disposePlans(callee.graph, seen);
}
