/**
 * Classic optimizers with Keras 3's update rules: SGD (with momentum and Nesterov), RMSprop,
 * Adagrad, Adadelta and Lion.
 *
 * ```ts
 * keras.optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true });
 * ```
 */
import * as tf from "@kiln/core";
import { classes, type ConfigDict } from "../engine/serialization.js";
import { ConfigError } from "../errors.js";
import { Optimizer, type OptimizerArgs, type Slots } from "./optimizer.js";

/** Stochastic gradient descent, optionally with (Nesterov) momentum. */
export class SGD extends Optimizer {
  static override className = "SGD";
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(args: OptimizerArgs & { momentum?: number; nesterov?: boolean } = {}) {
    super(args, 0.01);
    this.momentum = args.momentum ?? 0;
    this.nesterov = args.nesterov ?? false;
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new ConfigError(`sgd: 'momentum' must be in [0, 1], received ${this.momentum}`);
  }
  protected slotNames(): string[] {
    return this.momentum > 0 ? ["momentum"] : [];
  }
  protected updateStep(g: tf.Tensor, variable: tf.Variable, lr: tf.Tensor, slots: Slots): void {
    const step = tf.mul(g, lr);
    if (this.momentum === 0) {
      variable.assignSub(step);
      return;
    }
    const m = slots.momentum!.assign(tf.sub(tf.mul(slots.momentum!.read(), this.momentum), step));
    variable.assignAdd(this.nesterov ? tf.sub(tf.mul(m, this.momentum), step) : m);
  }
  override getConfig(): ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}

/** RMSprop: divides by a moving average of squared gradients (optionally centered, with momentum). */
export class RMSprop extends Optimizer {
  static override className = "RMSprop";
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  constructor(args: OptimizerArgs & { rho?: number; decay?: number; momentum?: number; epsilon?: number; centered?: boolean } = {}) {
    super(args, 0.001);
    this.rho = args.rho ?? args.decay ?? 0.9;
    this.momentum = args.momentum ?? 0;
    this.epsilon = args.epsilon ?? 1e-7;
    this.centered = args.centered ?? false;
  }
  protected slotNames(): string[] {
    return ["velocity", ...(this.momentum > 0 ? ["momentum"] : []), ...(this.centered ? ["average_gradient"] : [])];
  }
  protected updateStep(g: tf.Tensor, variable: tf.Variable, lr: tf.Tensor, slots: Slots): void {
    const velocity = slots.velocity!.assign(tf.add(tf.mul(slots.velocity!.read(), this.rho), tf.mul(tf.square(g), 1 - this.rho)));
    let denominator = velocity;
    if (this.centered) {
      const avg = slots.average_gradient!.assign(tf.add(tf.mul(slots.average_gradient!.read(), this.rho), tf.mul(g, 1 - this.rho)));
      denominator = tf.sub(velocity, tf.square(avg));
    }
    const increment = tf.div(tf.mul(g, lr), tf.sqrt(tf.add(denominator, this.epsilon)));
    if (this.momentum > 0) variable.assignSub(slots.momentum!.assign(tf.add(tf.mul(slots.momentum!.read(), this.momentum), increment)));
    else variable.assignSub(increment);
  }
  override getConfig(): ConfigDict {
    return { ...super.getConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}

/** Adagrad: divides by the root of the sum of squared gradients. */
export class Adagrad extends Optimizer {
  static override className = "Adagrad";
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  constructor(args: OptimizerArgs & { initialAccumulatorValue?: number; epsilon?: number } = {}) {
    super(args, 0.001);
    this.initialAccumulatorValue = args.initialAccumulatorValue ?? 0.1;
    this.epsilon = args.epsilon ?? 1e-7;
  }
  protected slotNames(): string[] {
    return ["accumulator"];
  }
  protected override initialSlot(_slot: string, variable: tf.Variable): tf.Tensor {
    return tf.fill(variable.shape as number[], this.initialAccumulatorValue);
  }
  protected updateStep(g: tf.Tensor, variable: tf.Variable, lr: tf.Tensor, slots: Slots): void {
    const acc = slots.accumulator!.assignAdd(tf.square(g));
    variable.assignSub(tf.div(tf.mul(g, lr), tf.sqrt(tf.add(acc, this.epsilon))));
  }
  override getConfig(): ConfigDict {
    return { ...super.getConfig(), initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}

/** Adadelta: step sizes from moving averages of squared gradients and squared updates. */
export class Adadelta extends Optimizer {
  static override className = "Adadelta";
  readonly rho: number;
  readonly epsilon: number;
  constructor(args: OptimizerArgs & { rho?: number; epsilon?: number } = {}) {
    super(args, 0.001);
    this.rho = args.rho ?? 0.95;
    this.epsilon = args.epsilon ?? 1e-7;
  }
  protected slotNames(): string[] {
    return ["accumulated_grad", "accumulated_delta_var"];
  }
  protected updateStep(g: tf.Tensor, variable: tf.Variable, lr: tf.Tensor, slots: Slots): void {
    const accGrad = slots.accumulated_grad!.assign(
      tf.add(tf.mul(slots.accumulated_grad!.read(), this.rho), tf.mul(tf.square(g), 1 - this.rho)),
    );
    const accDelta = slots.accumulated_delta_var!;
    const delta = tf.mul(tf.div(tf.sqrt(tf.add(accDelta.read(), this.epsilon)), tf.sqrt(tf.add(accGrad, this.epsilon))), g);
    accDelta.assign(tf.add(tf.mul(accDelta.read(), this.rho), tf.mul(tf.square(delta), 1 - this.rho)));
    variable.assignSub(tf.mul(delta, lr));
  }
  override getConfig(): ConfigDict {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}

/** Lion: the sign of an interpolated momentum (Chen et al. 2023). */
export class Lion extends Optimizer {
  static override className = "Lion";
  readonly beta1: number;
  readonly beta2: number;
  constructor(args: OptimizerArgs & { beta1?: number; beta2?: number } = {}) {
    super(args, 0.001);
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.99;
  }
  protected slotNames(): string[] {
    return ["momentum"];
  }
  protected updateStep(g: tf.Tensor, variable: tf.Variable, lr: tf.Tensor, slots: Slots): void {
    const m = slots.momentum!;
    const direction = tf.sign(tf.add(tf.mul(m.read(), this.beta1), tf.mul(g, 1 - this.beta1)));
    m.assign(tf.add(tf.mul(m.read(), this.beta2), tf.mul(g, 1 - this.beta2)));
    variable.assignSub(tf.mul(direction, lr));
  }
  override getConfig(): ConfigDict {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2 };
  }
}

for (const cls of [SGD, RMSprop, Adagrad, Adadelta, Lion]) classes.register(cls as never, cls.className);
