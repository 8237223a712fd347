import { Placeholder } from "../ir/builtin_ops.js";
import { FuncGraph, type LibraryFunction } from "../ir/func_graph.js";
import { isResourceOutput, Operation, type OpOutput } from "../ir/graph.js";
import type { Attrs } from "../ir/op.js";
import { FUNCTION_ATTRS } from "../ir/printer.js";

const forms = new WeakMap<FuncGraph, LibraryFunction>();

/** Ops a replay leaves out: it recomputes values, it does not repeat side effects. */
export const SIDE_EFFECTS: ReadonlySet<string> = new Set(["AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp", "PrintV2"]);

/** `attrs` with every function reference replaced by the value form of the function, added to `library`. */
export function valueFormAttrs(attrs: Attrs, from: ReadonlyMap<string, LibraryFunction>, library: Map<string, LibraryFunction>): Attrs {
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
  for (const op of source.operations) {
    if (SIDE_EFFECTS.has(op.type)) continue;
    if (op.type === "ReadVariableOp") {
      mapped.set(op.outputs[0]!, mapped.get(op.inputs[0]!)!);
      continue;
    }
    const resource = op.type === "Placeholder" && isResourceOutput(op.outputs[0]!);
    const attrs = resource ? { shape: op.outputs[0]!.shape, dtype: op.outputs[0]!.dtype } : valueFormAttrs(op.attrs, source.library, graph.library);
    const inputs = op.inputs.map((i) => mapped.get(i)!);
    const controls = op.controlInputs.flatMap((c) => copied.get(c) ?? []);
    const copy = graph.addOperation(new Operation(graph.uniqueName(op.name), resource ? Placeholder : op.def, inputs, attrs, op.outputs, controls));
    copied.set(op, copy);
    op.outputs.forEach((o, i) => mapped.set(o, copy.outputs[i]!));
  }
  graph.inputs = source.inputs.map((i) => mapped.get(i)!);
  graph.outputs = source.outputs.map((o) => mapped.get(o)!);
  graph.isOpen = false;
  const form: LibraryFunction = { name: graph.name, graph };
  forms.set(source, form);
  return form;
}
