import { reductionPasses as corePasses, type ReductionPass } from "@kiln/core";

export { splitAtAxis } from "@kiln/core";

/** One reduction pass: combine `size` consecutive rows of `inner` elements, `outer` times. */
export type Pass = ReductionPass;

/**
 * The passes that reduce `shape` over `axes` (normalized): core's `reductionPasses`, except
 * that when nothing is reduced (every reduced axis has size 1) the result is one pass of
 * size 1, a copy, so the kernel always writes its output through a dispatch.
 *
 * ```ts
 * reductionPasses([2, 3, 4], [1, 2]); // [{ outer: 2, size: 12, inner: 1 }]
 * reductionPasses([2, 1], [1]);       // [{ outer: 2, size: 1, inner: 1 }] (a copy)
 * ```
 */
export function reductionPasses(shape: readonly number[], axes: readonly number[]): Pass[] {
  const passes = corePasses(shape, axes);
  if (passes.length === 0) passes.push({ outer: shape.reduce((a, b) => a * b, 1), size: 1, inner: 1 });
  return passes;
}
