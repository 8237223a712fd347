import { KilnError } from "../base/errors.js";
import { Placeholder } from "../ir/builtin_ops.js";
import { FuncGraph, type LibraryFunction } from "../ir/func_graph.js";
import { isResourceOutput, Operation, type OpOutput } from "../ir/graph.js";
import type { Attrs } from "../ir/op.js";
import { FUNCTION_ATTRS } from "../ir/printer.js";
import { AddV2, Sub } from "../ops/binary.js";
import { writtenInputs, writtenOperands } from "../plan/graph_facts.js";

const forms = new WeakMap<FuncGraph, LibraryFunction>();

/** Ops a replay leaves out: it recomputes values, it does not repeat side effects. */
export const SIDE_EFFECTS: ReadonlySet<string> = new Set(["AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp", "PrintV2"]);

/** The error for a read that follows an assignment made inside `inside` (a branch, loop body or call). */
export function assignedInside(inside: Operation, reader: Operation): KilnError {
  return new KilnError(
    `gradient: ${reader.type} '${reader.name}' reads a variable that ${inside.type} '${inside.name}' assigned inside the function${inside.type === "While" ? " (loop body)" : inside.type === "If" ? "s of its branches" : " it calls"}; ` +
      `differentiating a read that follows an assignment made inside control flow is not supported. Read the variable before the ${inside.type}, or assign it outside the differentiated function`,
  );
}

/** `attrs` with every function reference replaced by the value form of the function, added to `library`. */
export function valueFormAttrs(attrs: Attrs, from: ReadonlyMap<string, LibraryFunction>, library: Map<string, LibraryFunction>): Attrs {
  const loop = attrs as Partial<CarryAttrs> & { cond?: string };
  const cond = typeof loop.cond === "string" ? from.get(loop.cond) : undefined;
  const body = typeof loop.body === "string" ? from.get(loop.body) : undefined;
  if (cond !== undefined && body !== undefined) checkNoCarriedVariables(loop as CarryAttrs, cond.graph, body.graph);
  const rewritten: Record<string, unknown> = { ...attrs };
  for (const key of FUNCTION_ATTRS) {
    const name = attrs[key];
    const callee = typeof name === "string" ? from.get(name) : undefined;
    if (callee === undefined) continue;
    const form = valueForm(callee);
    library.set(form.name, form);
    rewritten[key] = form.name;
  }
  return rewritten as Attrs;
}

/**
 * The "value form" of a function graph, for replays that differentiate it: each variable's
 * resource input becomes an input of the variable's value, `ReadVariableOp` reads that
 * input, and side effects (variable writes, printing) are left out; nested branches, loop
 * bodies and called functions get their value forms too. A replay of `If` or `While` whose
 * resource inputs were replaced by values (see TapeTrace) runs these graphs instead.
 * Cached per graph.
 *
 * ```ts
 * valueForm(branch).graph.inputs; // float32[] where the branch took resource<float32[]>
 * ```
 */
export function valueForm(fn: LibraryFunction): LibraryFunction {
  const cached = forms.get(fn.graph);
  if (cached !== undefined) return cached;
  const source = fn.graph;
  const graph = new FuncGraph(`${fn.name}_values`, undefined, false);
  const mapped = new Map<OpOutput, OpOutput>();
  const copied = new Map<Operation, Operation>();
  // Each variable's value so far: reads after an assignment see what it assigned.
  const current = new Map<OpOutput, OpOutput | Operation>();
  const valueAt = (resource: OpOutput, reader: Operation): OpOutput => {
    const value = current.get(resource);
    if (value instanceof Operation) throw assignedInside(value, reader);
    return value ?? mapped.get(resource)!;
  };
  for (const op of source.operations) {
    if (op.type === "ReadVariableOp") {
      mapped.set(op.outputs[0]!, valueAt(op.inputs[0]!, op));
      continue;
    }
    if (op.type === "AssignVariableOp") {
      current.set(op.inputs[0]!, mapped.get(op.inputs[1]!)!);
      continue;
    }
    if (op.type === "AssignAddVariableOp" || op.type === "AssignSubVariableOp") {
      const resource = op.inputs[0]!;
      const update = new Operation(graph.uniqueName(op.name), op.type === "AssignAddVariableOp" ? AddV2 : Sub, [valueAt(resource, op), mapped.get(op.inputs[1]!)!], {}, [
        { shape: resource.shape, dtype: resource.dtype },
      ], []);
      current.set(resource, graph.addOperation(update).outputs[0]!);
      continue;
    }
    if (SIDE_EFFECTS.has(op.type)) continue;
    const resource = op.type === "Placeholder" && isResourceOutput(op.outputs[0]!);
    const attrs = resource ? { shape: op.outputs[0]!.shape, dtype: op.outputs[0]!.dtype } : valueFormAttrs(op.attrs, source.library, graph.library);
    const inputs = op.inputs.map((i) => mapped.get(i)!);
    const controls = op.controlInputs.flatMap((c) => copied.get(c) ?? []);
    const copy = graph.addOperation(new Operation(graph.uniqueName(op.name), resource ? Placeholder : op.def, inputs, attrs, op.outputs, controls));
    copied.set(op, copy);
    op.outputs.forEach((o, i) => mapped.set(o, copy.outputs[i]!));
    // What a branch, loop body or call assigns stays inside its value form: a later read would miss it.
    if (!resource) for (const k of writtenOperands(op, source)) current.set(op.inputs[k]!, op);
  }
  graph.inputs = source.inputs.map((i) => mapped.get(i)!);
  graph.outputs = source.outputs.map((o) => mapped.get(o)!);
  graph.isOpen = false;
  const form: LibraryFunction = { name: graph.name, graph };
  forms.set(source, form);
  return form;
}

/** Whether `graph` reads its input `index` (a variable's resource) with a `ReadVariableOp`. */
function readsInput(graph: FuncGraph, index: number): boolean {
  const input = graph.inputs[index];
  return graph.operations.some((op) => op.type === "ReadVariableOp" && op.inputs[0] === input);
}

/** The name of the variable whose resource is `graph`'s input `index` (the input's name when unknown). */
function variableName(graph: FuncGraph, index: number): string {
  const input = graph.inputs[index]!;
  return (graph.variableOf(input) as { name?: string } | undefined)?.name ?? input.op.name;
}

/** `While`'s attrs as `checkNoCarriedVariables` reads them. */
export interface CarryAttrs {
  readonly body: string;
  readonly numLoopVars: number;
  readonly condInputs: readonly number[];
  readonly bodyInputs: readonly number[];
}

/**
 * A loop body that assigns a variable the loop reads carries state from one iteration to
 * the next through the variable; the replays this gradient builds start every iteration
 * from the value before the loop, so they would compute a wrong gradient. Refuse it by name.
 */
export function checkNoCarriedVariables(attrs: CarryAttrs, condGraph: FuncGraph, bodyGraph: FuncGraph): void {
  const n = attrs.numLoopVars;
  for (const k of writtenInputs(bodyGraph)) {
    if (k < n) continue;
    const operand = attrs.bodyInputs[k - n]!;
    const condIndex = attrs.condInputs.indexOf(operand);
    if (readsInput(bodyGraph, k) || (condIndex >= 0 && readsInput(condGraph, n + condIndex))) {
      throw new KilnError(
        `gradient: the body of While '${attrs.body}' assigns variable '${variableName(bodyGraph, k)}' and the loop reads it, so its value carries from one iteration to the next; ` +
          `differentiating through such a loop is not supported. Make the value a loop variable (return it from the body) and assign the variable after the loop`,
      );
    }
  }
}
