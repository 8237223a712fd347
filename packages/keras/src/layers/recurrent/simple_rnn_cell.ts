/**
 * `SimpleRNNCell`: `h' = activation(x · kernel + bias + h · recurrentKernel)`; the output is
 * the new state. The input projection runs once for the whole sequence; a step is one
 * `[batch, units] x [units, units]` product.
 *
 * ```ts
 * keras.layers.simpleRNNCell({ units: 16 });
 * ```
 */
import * as tf from "@kiln/core";
import { classes } from "../../engine/serialization.js";
import type { Shape } from "../../utils/shape.js";
import { BuiltinCell, type RecurrentCellArgs } from "./builtin_cell.js";

/** The fully connected recurrent cell. */
export class SimpleRNNCell extends BuiltinCell {
  static override className = "SimpleRNNCell";

  constructor(args: RecurrentCellArgs) {
    super(args);
  }

  get stateSize(): number {
    return this.units;
  }

  protected get gates(): number {
    return 1;
  }

  override build(inputShape: Shape | Shape[]): void {
    this.buildWeights(inputShape, [this.units]);
  }

  protected recurrentParams(): tf.Tensor[] {
    return [this.recurrentKernel!.read()];
  }

  protected cellStep(
    x: tf.Tensor,
    [h]: readonly tf.Tensor[],
    [kernel]: readonly tf.Tensor[],
    mask: tf.Tensor | undefined,
  ): [tf.Tensor, tf.Tensor[]] {
    return this.finishStep(tf.add(x, tf.matMul(mask === undefined ? h! : tf.mul(h!, mask), kernel!)));
  }

  /** The new state from the pre-activation `z`. */
  protected override finishStep(z: tf.Tensor): [tf.Tensor, tf.Tensor[]] {
    const y = this.activation.apply(z);
    return [y, [y]];
  }
}
classes.register(SimpleRNNCell as never, SimpleRNNCell.className);
