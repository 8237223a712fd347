import type { SlotValue } from "../../plan/slots.js";

/**
 * Which loop values a `While` may hand to its body for in-place work (`Plan.run`'s
 * `donated`, see `OpDef.inPlace`): buffers the loop owns (not the op's own inputs, which the
 * outer plan owns) that no other input of the body's run shares. Fills and returns `into`.
 *
 * ```ts
 * step.run(stepIn, pool, context, donatedLoopValues(vars, stepIn, args.inputs, donated));
 * ```
 */
export function donatedLoopValues(vars: readonly SlotValue[], inputs: readonly SlotValue[], outer: readonly SlotValue[], into: boolean[]): boolean[] {
  for (let k = 0; k < vars.length; k++) into[k] = isDonatable(vars[k]!, k, inputs, outer);
  return into;
}

function isDonatable(value: SlotValue, k: number, inputs: readonly SlotValue[], outer: readonly SlotValue[]): boolean {
  if (value.kind !== "data" || !value.owned || value.release !== undefined || outer.includes(value)) return false;
  for (let j = 0; j < inputs.length; j++) {
    const other = inputs[j]!;
    if (j !== k && other.kind === "data" && other.dataId === value.dataId) return false;
  }
  return true;
}
