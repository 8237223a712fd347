/**
 * Loop variables that change shape (SPEC G6). A staged loop checks each iteration's values
 * against the shapes they may take (their shape before the loop, or a shape invariant)
 * before core's `whileLoop` does, so the error can say how converted code allows the
 * change: `autograph.setLoopOptions` with the invariant to write.
 *
 * ```ts
 * // 'rows' has shape [1,2] before the loop, but shape [2,2] after one iteration; to let it change, make
 * // 'autograph.setLoopOptions({ shapeInvariants: [[rows, [null,2]]] })' the first statement of the loop body ...
 * ```
 */
import * as tf from "@kiln/core";
import type { FlatState } from "./structure.js";
import { isTensor } from "./tensors.js";

const formatShape = (shape: tf.Shape) => `[${shape.map((d) => (d === null ? "null" : d)).join(",")}]`;

function fits(shape: tf.Shape, invariant: tf.Shape): boolean {
  return shape.length === invariant.length && invariant.every((d, i) => d === null || d === shape[i]);
}

/**
 * Throws a ControlFlowError for the first loop variable whose new shape (`after`) leaves
 * its invariant (`invariants`, or its shape before the loop); `given` holds the invariants
 * that came from setLoopOptions.
 */
export function checkLoopShapes(
  before: FlatState,
  after: readonly unknown[],
  invariants: readonly (tf.Shape | undefined)[],
  given: ReadonlyMap<string, tf.Shape>,
): void {
  before.leaves.forEach((leaf, i) => {
    const next = after[i];
    if (!isTensor(leaf) || !isTensor(next)) return;
    const name = before.names[i]!;
    const invariant = invariants[i] ?? leaf.shape;
    if (fits(next.shape, invariant)) return;
    if (given.has(name)) {
      throw new tf.ControlFlowError(
        `'${name}' has shape ${formatShape(next.shape)} after one iteration, which does not fit its shape invariant ${formatShape(invariant)} from setLoopOptions`,
      );
    }
    const change =
      next.rank === leaf.rank
        ? `to let it change, make 'autograph.setLoopOptions({ shapeInvariants: [[${name}, ${formatShape(invariant.map((d, j) => (d === next.shape[j] ? d : null)))}]] })' the first statement of the loop body (null marks a dimension that may change)`
        : "a loop variable cannot change its rank, even with a shape invariant";
    throw new tf.ControlFlowError(
      `'${name}' has shape ${formatShape(leaf.shape)} before the loop, but shape ${formatShape(next.shape)} after one iteration; ${change}`,
    );
  });
}
