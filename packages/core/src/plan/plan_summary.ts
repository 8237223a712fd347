import type { ConcreteShape } from "../base/shape.js";
import type { Backend, FusedCluster, KernelSource } from "../backend/backend.js";
import { dotString } from "../ir/dot.js";
import type { Graph, Operation } from "../ir/graph.js";

/** What a plan's layout did to its graph, recorded while the plan is built. */
export interface PlanLayoutRecord {
  /** The name of the value each slot holds (a placeholder's name, or `op:index`). */
  readonly slotNames: string[];
  /** Operations nothing uses (dead code). */
  readonly dead: Operation[];
  /** Identity-like operations that share their input's slot. */
  readonly aliases: Operation[];
  /** Operations that compute what an earlier one computes (common subexpressions, equal constants). */
  readonly merged: Operation[];
  /** Operations on constants computed once, when the plan was built (constant folding). */
  readonly folded: Operation[];
  /** Constants uploaded once per plan. */
  readonly constants: Operation[];
}

/** One step of a plan as `Plan.summary()` hands it over. */
export interface PlanStepRecord {
  readonly op: Operation;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly kind: PlanStepKind;
  /** The backend whose kernel runs the step (another one when the kernel falls back). */
  readonly backend: string;
  readonly fused?: { readonly cluster: FusedCluster; readonly ops: readonly Operation[] };
}

/**
 * `kernel`: one op's kernel; `fused`: one kernel for a cluster of ops; `host`: a step the
 * runtime runs (a call, If, While, print, variable op); `view`: no kernel, the output is
 * its input's buffer with another shape (Reshape, ExpandDims, Squeeze).
 */
export type PlanStepKind = "kernel" | "fused" | "host" | "view";

/** One step of an optimized plan, in run order. */
export interface PlanStepSummary {
  readonly kind: PlanStepKind;
  /** The step's (first) operation's name. */
  readonly name: string;
  /** The op type, or `Fused` for a fused cluster. */
  readonly type: string;
  /** The graph operations the step runs: one, or every op of a fused cluster (its head first). */
  readonly ops: readonly { readonly name: string; readonly type: string }[];
  /** The values it reads and writes, by name (`x`, `MatMul:0`). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly backend: string;
  /** A fused cluster's shape. */
  readonly shape?: ConcreteShape;
  /** The code the backend generated for a fused cluster, when it tells (`Backend.fusedKernelSource`). */
  readonly source?: KernelSource;
}

/** Names of the graph operations a plan does not run as steps of its own. */
export interface PlanRemovals {
  readonly dead: readonly string[];
  readonly aliases: readonly string[];
  readonly merged: readonly string[];
  readonly folded: readonly string[];
}

const names = (ops: readonly Operation[]) => ops.map((op) => op.name);

/**
 * What a plan runs (docs/architecture.md, "The path of a traced call"): the graph after
 * dead-code elimination, alias sharing, common subexpressions, constant folding and fusion,
 * as steps in run order, with what was removed and (where the backend tells) the generated
 * code of fused kernels. Prints as text
 * (`toString`) and as Graphviz DOT (`toDot`), the optimized counterpart of `graph.toDot()`.
 * `functions` holds the summaries of the functions the graph calls (branches, loop bodies,
 * nested functions) when the summary came from `cf.planSummary()`.
 *
 * ```ts
 * const summary = cf.planSummary();
 * summary.steps.map((s) => s.type); // ["Fused"]: Mul, AddV2 and Relu run as one loop
 * console.log(String(summary));
 * ```
 */
export class PlanSummary {
  readonly graph: string;
  readonly backend: string;
  /** Operations in the graph, before optimization. */
  readonly operations: number;
  readonly steps: readonly PlanStepSummary[];
  readonly removed: PlanRemovals;
  /** Constants the plan uploads once (the graph's and the folded ones). */
  readonly constants: number;
  /** The names of the values the plan takes and returns, in order. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly #constantNames: ReadonlySet<string>;

  constructor(
    graph: Graph,
    backend: Backend,
    record: PlanLayoutRecord,
    steps: readonly PlanStepRecord[],
    inputSlots: readonly number[],
    outputSlots: readonly number[],
    constantSlots: readonly number[],
    /** Summaries of the functions the graph calls, by the name its operations use. */
    readonly functions: readonly { readonly name: string; readonly summary: PlanSummary }[] = [],
  ) {
    const slotName = (slot: number) => record.slotNames[slot] ?? `slot${slot}`;
    this.graph = graph.name;
    this.backend = backend.name;
    this.operations = graph.operations.length;
    this.removed = { dead: names(record.dead), aliases: names(record.aliases), merged: names(record.merged), folded: names(record.folded) };
    this.constants = constantSlots.length;
    this.inputs = inputSlots.map(slotName);
    this.outputs = outputSlots.map(slotName);
    this.steps = steps.map((step) => {
      const ops = (step.fused?.ops ?? [step.op]).map((op) => ({ name: op.name, type: op.type }));
      const source = step.fused === undefined ? undefined : backend.fusedKernelSource?.(step.fused.cluster);
      return {
        kind: step.kind,
        name: step.op.name,
        type: step.kind === "fused" ? "Fused" : step.op.type,
        ops,
        inputs: step.inputs.map(slotName),
        outputs: step.outputs.map(slotName),
        backend: step.backend,
        ...(step.fused !== undefined ? { shape: step.fused.cluster.shape } : {}),
        ...(source !== undefined ? { source } : {}),
      };
    });
    this.#constantNames = new Set(constantSlots.map(slotName));
  }

  /**
   * The plan as text: a header with counts, what was removed, one line per step, the
   * outputs, then each called function's plan, indented.
   *
   * ```
   * plan of __inference_f_1 on cpu: 1 step for 6 operations (3 constants)
   *   removed: aliases Identity
   *   #0 Fused [Mul, AddV2, Relu] (x, mul/y:0, add/y:0) -> relu:0  shape [2, 3]
   *   return Relu:0
   * ```
   */
  toString(): string {
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
    const lines = [`plan of ${this.graph} on ${this.backend}: ${plural(this.steps.length, "step")} for ${plural(this.operations, "operation")} (${plural(this.constants, "constant")})`];
    const removed = Object.entries(this.removed).filter(([, list]) => list.length > 0);
    if (removed.length > 0) lines.push(`  removed: ${removed.map(([what, list]) => `${what} ${list.join(", ")}`).join("; ")}`);
    this.steps.forEach((step, i) => {
      const what = step.kind === "fused" ? `Fused [${step.ops.map((op) => op.type).join(", ")}]` : `${step.kind === "host" || step.kind === "view" ? `${step.kind} ` : ""}${step.type} '${step.name}'`;
      const where = step.backend === this.backend ? "" : `  on ${step.backend}`;
      const shape = step.shape === undefined ? "" : `  shape [${step.shape.join(", ")}]`;
      lines.push(`  #${i} ${what} (${step.inputs.join(", ")}) -> ${step.outputs.join(", ")}${shape}${where}`);
    });
    lines.push(`  return ${this.outputs.join(", ")}`);
    for (const fn of this.functions) lines.push(`function ${fn.name}:`, fn.summary.toString().replace(/^/gm, "  "));
    return lines.join("\n");
  }

  /**
   * The plan in Graphviz DOT: inputs as ellipses, constants as small rounded boxes, one box
   * per step (fused steps filled, listing their ops; host steps double-bordered; views
   * dashed), edges
   * along the values they pass, and a return node. Called functions are not drawn (their
   * summaries have their own `toDot`).
   *
   * ```ts
   * await toSvg(cf.planSummary().toDot()); // with @kiln/graphviz
   * ```
   */
  toDot(): string {
    const lines = [
      `digraph ${dotString(`${this.graph} (${this.backend} plan)`)} {`,
      '  node [shape=box, fontname="Helvetica", fontsize=10];',
      '  edge [fontname="Helvetica", fontsize=9];',
    ];
    const producer = new Map<string, string>();
    this.inputs.forEach((name, i) => {
      producer.set(name, `in${i}`);
      lines.push(`  in${i} [label=${dotString(name)}, shape=ellipse];`);
    });
    let constants = 0;
    const source = (name: string): string => {
      let id = producer.get(name);
      if (id === undefined) {
        id = `c${constants++}`;
        producer.set(name, id);
        const style = this.#constantNames.has(name) ? "shape=box, style=rounded, fontsize=8" : "shape=plaintext";
        lines.push(`  ${id} [label=${dotString(name)}, ${style}];`);
      }
      return id;
    };
    this.steps.forEach((step, i) => {
      const id = `s${i}`;
      const label = step.kind === "fused" ? `fused\n${step.ops.map((op) => op.type).join(" → ")}` : `${step.name}\n${step.type}`;
      const style = step.kind === "fused" ? ', style=filled, fillcolor="#fff3c4"' : step.kind === "host" ? ", peripheries=2" : step.kind === "view" ? ", style=dashed" : "";
      const edges = step.inputs.map((input) => `  ${source(input)} -> ${id};`);
      lines.push(`  ${id} [label=${dotString(label)}${style}];`, ...edges);
      for (const output of step.outputs) producer.set(output, id);
    });
    lines.push('  return [label="return", shape=oval];');
    this.outputs.forEach((name, i) => lines.push(`  ${source(name)} -> return [label=${dotString(String(i))}];`));
    lines.push("}");
    return lines.join("\n");
  }
}
