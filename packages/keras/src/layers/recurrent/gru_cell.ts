/**
 * `GRUCell`: update gate `z`, reset gate `r` and candidate `ĥ` (tfjs-layers' order, kernels
 * `[features, 3 units]`), `h' = z * h + (1 - z) * ĥ`. With `resetAfter: false` (tfjs's only
 * form) the reset gate scales `h` before its product with the candidate's kernel; with
 * `resetAfter: true` (Keras 3's default, bias `[2, 3 units]`) it scales the product.
 *
 * ```ts
 * keras.layers.gruCell({ units: 16, resetAfter: true });
 * ```
 */
import * as tf from "@kiln/core";
import { type Activation, type ActivationIdentifier, serializeActivation } from "../../activations.js";
import { classes, type ConfigDict } from "../../engine/serialization.js";
import type { Shape } from "../../utils/shape.js";
import { BuiltinCell, gateActivation, type RecurrentCellArgs } from "./builtin_cell.js";

/** Options of `gruCell` / `gru`. */
export interface GRUCellArgs extends RecurrentCellArgs {
  resetAfter?: boolean;
}

/** The gated recurrent unit cell. */
export class GRUCell extends BuiltinCell {
  static override className = "GRUCell";
  readonly recurrentActivation: Activation;
  readonly resetAfter: boolean;

  constructor(args: GRUCellArgs) {
    super(args);
    this.recurrentActivation = gateActivation(args.recurrentActivation as ActivationIdentifier | Activation | undefined);
    this.resetAfter = args.resetAfter ?? false;
  }

  get stateSize(): number {
    return this.units;
  }

  protected get gates(): number {
    return 3;
  }

  override build(inputShape: Shape | Shape[]): void {
    this.buildWeights(inputShape, this.resetAfter ? [2, 3 * this.units] : [3 * this.units]);
  }

  /** resetAfter: the recurrent bias is added after the product; otherwise it is part of the input bias. */
  protected override inputBias(): tf.Tensor | undefined {
    const bias = this.bias?.read();
    return bias === undefined || !this.resetAfter ? bias : tf.squeeze(tf.slice(bias, [0, 0], [1, -1]), [0]);
  }

  /** `[kernel]` and the recurrent bias (resetAfter), or the gates' and the candidate's kernel halves. */
  protected recurrentParams(): tf.Tensor[] {
    const kernel = this.recurrentKernel!.read();
    if (this.resetAfter) {
      const bias = this.bias?.read();
      return bias === undefined ? [kernel] : [kernel, tf.squeeze(tf.slice(bias, [1, 0], [1, -1]), [0])];
    }
    return tf.split(kernel, [2 * this.units, this.units], -1);
  }

  protected cellStep(
    x: tf.Tensor,
    [h]: readonly tf.Tensor[],
    params: readonly tf.Tensor[],
    mask: tf.Tensor | undefined,
  ): [tf.Tensor, tf.Tensor[]] {
    const gate = this.recurrentActivation;
    const hd = mask === undefined ? h! : tf.mul(h!, mask);
    const [xz, xr, xh] = tf.split(x, 3, -1);
    let z: tf.Tensor;
    let candidate: tf.Tensor;
    if (this.resetAfter) {
      const [kernel, bias] = params;
      let inner = tf.matMul(hd, kernel!);
      if (bias !== undefined) inner = tf.add(inner, bias);
      const [rz, rr, rh] = tf.split(inner, 3, -1);
      z = gate.apply(tf.add(xz!, rz!));
      const r = gate.apply(tf.add(xr!, rr!));
      candidate = this.activation.apply(tf.add(xh!, tf.mul(r, rh!)));
    } else {
      const [gatesKernel, candidateKernel] = params;
      const [rz, rr] = tf.split(tf.matMul(hd, gatesKernel!), 2, -1);
      z = gate.apply(tf.add(xz!, rz!));
      const r = gate.apply(tf.add(xr!, rr!));
      candidate = this.activation.apply(tf.add(xh!, tf.matMul(tf.mul(r, hd), candidateKernel!)));
    }
    const next = tf.add(tf.mul(z, h!), tf.mul(tf.sub(1, z), candidate));
    return [next, [next]];
  }

  override getConfig(): ConfigDict {
    return {
      ...super.getConfig(),
      recurrentActivation: serializeActivation(this.recurrentActivation),
      implementation: this.implementation,
      resetAfter: this.resetAfter,
    };
  }
}
classes.register(GRUCell as never, GRUCell.className);
