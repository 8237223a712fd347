/**
 * Adam-family optimizers with Keras 3's update rules: Adam (optionally AMSGrad), AdamW
 * (Adam with decoupled weight decay), Adamax and Nadam.
 *
 * ```ts
 * keras.optimizers.adam({ learningRate: 1e-3 });
 * keras.optimizers.adamw({ learningRate: 1e-3, weightDecay: 0.004 });
 * ```
 */
import * as tf from "@kiln/core";
import { classes, type ConfigDict } from "../engine/serialization.js";
import { Optimizer, type OptimizerArgs, type Slots } from "./optimizer.js";

/** Options of Adam-style optimizers. */
export interface AdamArgs extends OptimizerArgs {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  amsgrad?: boolean;
}

/** Adam: moment estimates with bias correction. */
export class Adam extends Optimizer {
  static override className = "Adam";
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;
  constructor(args: AdamArgs = {}) {
    super(args, 0.001);
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
    this.amsgrad = args.amsgrad ?? false;
  }
  protected slotNames(): string[] {
    return this.amsgrad ? ["m", "v", "vhat"] : ["m", "v"];
  }
  protected updateStep(g: tf.Tensor, variable: tf.Variable, lr: tf.Tensor, slots: Slots, t: tf.Tensor): void {
    const { m, v } = slots as { m: tf.Variable; v: tf.Variable };
    const alpha = tf.div(tf.mul(lr, tf.sqrt(tf.sub(1, tf.pow(this.beta2, t)))), tf.sub(1, tf.pow(this.beta1, t)));
    const mNew = m.assignAdd(tf.mul(tf.sub(g, m.read()), 1 - this.beta1));
    let vNew = v.assignAdd(tf.mul(tf.sub(tf.square(g), v.read()), 1 - this.beta2));
    if (this.amsgrad) vNew = slots.vhat!.assign(tf.maximum(slots.vhat!.read(), vNew));
    variable.assignSub(tf.div(tf.mul(mNew, alpha), tf.add(tf.sqrt(vNew), this.epsilon)));
  }
  override getConfig(): ConfigDict {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}

/** AdamW: Adam with decoupled weight decay (default 0.004, as in Keras 3). */
export class AdamW extends Adam {
  static override className = "AdamW";
  constructor(args: AdamArgs = {}) {
    super({ ...args, weightDecay: args.weightDecay ?? 0.004 });
  }
}

/** Adamax: Adam with the infinity norm in place of the second moment. */
export class Adamax extends Optimizer {
  static override className = "Adamax";
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(args: AdamArgs = {}) {
    super(args, 0.001);
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
  }
  protected slotNames(): string[] {
    return ["m", "u"];
  }
  protected updateStep(g: tf.Tensor, variable: tf.Variable, lr: tf.Tensor, slots: Slots, t: tf.Tensor): void {
    const { m, u } = slots as { m: tf.Variable; u: tf.Variable };
    const mNew = m.assignAdd(tf.mul(tf.sub(g, m.read()), 1 - this.beta1));
    const uNew = u.assign(tf.maximum(tf.mul(u.read(), this.beta2), tf.abs(g)));
    const step = tf.div(lr, tf.sub(1, tf.pow(this.beta1, t)));
    variable.assignSub(tf.div(tf.mul(mNew, step), tf.add(uNew, this.epsilon)));
  }
  override getConfig(): ConfigDict {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/** Nadam: Adam with Nesterov momentum (Keras 3's momentum-schedule formulation). */
export class Nadam extends Optimizer {
  static override className = "Nadam";
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly #uProduct: tf.Variable;
  #step: { uT: tf.Tensor; uT1: tf.Tensor; productT: tf.Tensor; productT1: tf.Tensor } | undefined;
  constructor(args: AdamArgs = {}) {
    super(args, 0.001);
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
    this.#uProduct = this.addOptimizerVariable("u_product", 1);
  }
  protected slotNames(): string[] {
    return ["m", "v"];
  }
  protected override beforeUpdates(t: tf.Tensor): void {
    const uT = tf.mul(this.beta1, tf.sub(1, tf.mul(0.5, tf.pow(0.96, tf.mul(t, 0.004)))));
    const uT1 = tf.mul(this.beta1, tf.sub(1, tf.mul(0.5, tf.pow(0.96, tf.mul(tf.add(t, 1), 0.004)))));
    const productT = this.#uProduct.assign(tf.mul(this.#uProduct.read(), uT));
    this.#step = { uT, uT1, productT, productT1: tf.mul(productT, uT1) };
  }
  protected updateStep(g: tf.Tensor, variable: tf.Variable, lr: tf.Tensor, slots: Slots, t: tf.Tensor): void {
    const { m, v } = slots as { m: tf.Variable; v: tf.Variable };
    const { uT, uT1, productT, productT1 } = this.#step!;
    const mNew = m.assignAdd(tf.mul(tf.sub(g, m.read()), 1 - this.beta1));
    const vNew = v.assignAdd(tf.mul(tf.sub(tf.square(g), v.read()), 1 - this.beta2));
    const mHat = tf.add(tf.div(tf.mul(uT1, mNew), tf.sub(1, productT1)), tf.div(tf.mul(tf.sub(1, uT), g), tf.sub(1, productT)));
    const vHat = tf.div(vNew, tf.sub(1, tf.pow(this.beta2, t)));
    variable.assignSub(tf.div(tf.mul(mHat, lr), tf.add(tf.sqrt(vHat), this.epsilon)));
  }
  override getConfig(): ConfigDict {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

for (const cls of [Adam, AdamW, Adamax, Nadam]) classes.register(cls as never, cls.className);
