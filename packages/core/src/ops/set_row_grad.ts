import type { GradArgs } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";
import { zerosLike } from "./creation.js";
import { gather } from "./gather.js";
import { setRow } from "./set_row.js";

/**
 * SetRow's gradient: the written row came from `value`, so `value` gets that row of dy;
 * every other row came from `x`, so `x` gets dy with the written row zeroed (itself a
 * `setRow`, which runs in place on a dy nothing else reads). The index gets none.
 */
export function setRowGrad(args: GradArgs<{}, Tensor>): (Tensor | null)[] {
  const [, index, value] = args.inputs as [Tensor, Tensor, Tensor];
  const dy = args.dys[0];
  if (dy === null || dy === undefined) return [null, null, null];
  const needs = args.needs;
  const dValue = needs === undefined || needs[2] === true ? gather(dy, index) : null;
  const dx = needs === undefined || needs[0] === true ? setRow(dy, index, zerosLike(value)) : null;
  return [dx, null, dValue];
}
