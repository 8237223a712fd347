/**
 * `Masking`: marks timesteps whose features all equal `maskValue` as padding. The output is
 * the input with those timesteps zeroed, and carries a `[batch, time]` mask that later
 * layers (recurrent layers, attention, pooling) use to skip them.
 *
 * ```ts
 * keras.layers.masking({ maskValue: 0, inputShape: [null, 3] });
 * ```
 */
import * as tf from "@kiln/core";
import { Layer, type LayerArgs } from "../engine/layer.js";
import type { MaskArg } from "../engine/masking.js";
import { classes, type ConfigDict } from "../engine/serialization.js";
import type { Shape } from "../utils/shape.js";

/** Masks timesteps equal to `maskValue` everywhere. */
export class Masking extends Layer {
  static override className = "Masking";
  readonly maskValue: number;

  constructor(args: LayerArgs & { maskValue?: number } = {}) {
    super(args);
    this.maskValue = args.maskValue ?? 0;
    this.supportsMasking = true;
  }

  private keep(x: tf.Tensor): tf.Tensor {
    return tf.any(tf.notEqual(x, this.maskValue), -1);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    return tf.mul(x, tf.cast(tf.expandDims(this.keep(x), -1), x.dtype));
  }

  override computeMask(inputs: tf.Tensor | tf.Tensor[]): MaskArg {
    return this.keep(inputs as tf.Tensor);
  }

  override computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override getConfig(): ConfigDict {
    return { maskValue: this.maskValue, ...super.getConfig() };
  }
}
classes.register(Masking as never, Masking.className);
