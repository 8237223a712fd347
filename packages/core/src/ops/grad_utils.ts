import type { Shape } from "../base/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { sum } from "./reduction.js";

/**
 * Reduces a gradient `dy` (shaped like a broadcast result) back to `shape`, the shape of
 * the input that was broadcast: sums over the leading dims the input lacked and over the
 * dims where it had size 1. Works with unknown dims while tracing when the ranks tell
 * which axes were broadcast.
 *
 * ```ts
 * // x: [3], y = x + ones([2, 3]); dy: [2, 3] -> unbroadcast(dy, [3]) sums axis 0
 * ```
 */
export function unbroadcast(dy: Tensor, shape: Shape): Tensor {
  const lead = dy.rank - shape.length;
  const inner: number[] = [];
  for (let i = lead; i < dy.rank; i++) if (shape[i - lead] === 1 && dy.shape[i] !== 1) inner.push(i);
  const kept = inner.length === 0 ? dy : sum(dy, inner, true);
  return lead === 0 ? kept : sum(kept, Array.from({ length: lead }, (_, i) => i));
}
