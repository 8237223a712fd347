/**
 * `LSTMCell`: gates `i, f, c, o` (tfjs-layers' order, kernels `[features, 4 units]`),
 * `c' = f * c + i * activation(ĉ)`, `h' = o * activation(c')`; states `[h, c]`, output `h`.
 * `unitForgetBias` starts the forget gate's bias at 1.
 *
 * ```ts
 * keras.layers.lstmCell({ units: 32, recurrentActivation: "sigmoid" });
 * ```
 */
import * as tf from "@kiln/core";
import { type Activation, type ActivationIdentifier, serializeActivation } from "../../activations.js";
import { classes, type ConfigDict } from "../../engine/serialization.js";
import { Initializer, Ones } from "../../initializers.js";
import type { Shape } from "../../utils/shape.js";
import { BuiltinCell, gateActivation, type RecurrentCellArgs } from "./builtin_cell.js";

/** Options of `lstmCell` / `lstm`. */
export interface LSTMCellArgs extends RecurrentCellArgs {
  unitForgetBias?: boolean | null;
}

/** `[init(units), ones(units), init(2 units)]`: the bias initializer with `unitForgetBias`. */
class UnitForgetBias extends Initializer {
  static override className = "UnitForgetBias";
  constructor(
    private readonly inner: Initializer,
    private readonly units: number,
  ) {
    super();
  }
  apply(_shape: readonly number[], dtype: tf.DType = "float32"): tf.Tensor {
    return tf.tidy(() =>
      tf.concat([this.inner.apply([this.units], dtype), new Ones().apply([this.units], dtype), this.inner.apply([2 * this.units], dtype)]),
    );
  }
}

/** The long short-term memory cell. */
export class LSTMCell extends BuiltinCell {
  static override className = "LSTMCell";
  readonly recurrentActivation: Activation;
  readonly unitForgetBias: boolean | null;

  constructor(args: LSTMCellArgs) {
    super(args);
    this.recurrentActivation = gateActivation(args.recurrentActivation as ActivationIdentifier | Activation | undefined);
    this.unitForgetBias = args.unitForgetBias ?? null;
  }

  get stateSize(): number[] {
    return [this.units, this.units];
  }

  protected get gates(): number {
    return 4;
  }

  override build(inputShape: Shape | Shape[]): void {
    const init = this.unitForgetBias === true ? new UnitForgetBias(this.biasInitializer, this.units) : this.biasInitializer;
    this.buildWeights(inputShape, [4 * this.units], init);
  }

  protected recurrentParams(): tf.Tensor[] {
    return [this.recurrentKernel!.read()];
  }

  protected cellStep(
    x: tf.Tensor,
    [h, c]: readonly tf.Tensor[],
    [kernel]: readonly tf.Tensor[],
    mask: tf.Tensor | undefined,
  ): [tf.Tensor, tf.Tensor[]] {
    const z = tf.add(x, tf.matMul(mask === undefined ? h! : tf.mul(h!, mask), kernel!));
    return this.finishStep(z, [h!, c!]);
  }

  /** The gates from the pre-activations `z` (`[batch, 4 units]`), and the new states. */
  protected override finishStep(z: tf.Tensor, [, c]: readonly tf.Tensor[]): [tf.Tensor, tf.Tensor[]] {
    const gate = this.recurrentActivation;
    const [zi, zf, zc, zo] = tf.split(z, 4, -1);
    const cNext = tf.add(tf.mul(gate.apply(zf!), c!), tf.mul(gate.apply(zi!), this.activation.apply(zc!)));
    const hNext = tf.mul(gate.apply(zo!), this.activation.apply(cNext));
    return [hNext, [hNext, cNext]];
  }

  override getConfig(): ConfigDict {
    return {
      ...super.getConfig(),
      recurrentActivation: serializeActivation(this.recurrentActivation),
      unitForgetBias: this.unitForgetBias,
      implementation: this.implementation,
    };
  }
}
classes.register(LSTMCell as never, LSTMCell.className);
