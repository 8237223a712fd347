import type { Graph, Operation } from "../ir/graph.js";

/**
 * Dead-code elimination: the operations that contribute to the graph's outputs, plus every
 * stateful operation (variable writes, printing, random draws) and what they depend on.
 * Returns them in the graph's (topological) order.
 *
 * ```ts
 * liveOperations(graph); // drops a computed value nobody returns
 * ```
 */
export function liveOperations(graph: Graph): Operation[] {
  const live = new Set<Operation>();
  const stack: Operation[] = [...graph.outputs.map((o) => o.op), ...graph.operations.filter((op) => op.def.stateful === true)];
  while (stack.length > 0) {
    const op = stack.pop()!;
    if (live.has(op)) continue;
    live.add(op);
    for (const input of op.inputs) stack.push(input.op);
    for (const control of op.controlInputs) stack.push(control);
  }
  return graph.operations.filter((op) => live.has(op));
}

/**
 * Common-subexpression key of an operation, given the slots of its inputs: two stateless
 * operations with the same type, input slots and attributes compute the same values.
 * `undefined` for operations that must never be merged.
 */
export function subexpressionKey(op: Operation, inputSlots: readonly number[]): string | undefined {
  if (op.def.stateful === true || op.type === "Placeholder") return undefined;
  return `${op.type}(${inputSlots.join(",")})${attrsKey(op.attrs)}`;
}

/**
 * Attributes as an exact string: JSON would print NaN and both infinities as `null` and
 * merge constants that differ.
 */
export function attrsKey(attrs: object): string {
  return JSON.stringify(attrs, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? `\u0000${String(value)}` : Object.is(value, -0) ? "\u0000-0" : value));
}

