/**
 * The optimizer base class. An optimizer keeps a step counter, a learning-rate variable (or
 * a schedule) and per-variable slot variables, and applies gradients with tensor ops only,
 * so it works eagerly, inside any `tf.function`, and inside Keras's traced training steps.
 * Slots are created on first use (in a traced function: on its first trace, SPEC H1).
 *
 * ```ts
 * const opt = keras.optimizers.adam({ learningRate: 1e-3, clipnorm: 1 });
 * opt.minimize(() => tf.sum(tf.square(w)));           // eagerly
 * tf.function(() => opt.minimize(() => lossOf(w)))(); // or traced
 * ```
 */
import * as tf from "@kiln/core";
import type { ConfigDict, SerializedObject } from "../engine/serialization.js";
import { classes } from "../engine/serialization.js";
import { ConfigError } from "../errors.js";
import { createVariable } from "../utils/variables.js";
import { LearningRateSchedule } from "./schedules.js";

/** Options shared by every optimizer (Keras 3 names). */
export interface OptimizerArgs {
  learningRate?: number | LearningRateSchedule;
  /** Clip each gradient to this L2 norm. */
  clipnorm?: number;
  /** Clip each gradient element to `[-clipvalue, clipvalue]`. */
  clipvalue?: number;
  /** Clip all gradients together to this global L2 norm. */
  globalClipnorm?: number;
  /** Decoupled weight decay: `w -= w * weightDecay * lr` before each update. */
  weightDecay?: number;
  name?: string;
}

/** A `[gradient, variable]` pair, as `applyGradients` takes (tfjs also accepts `{ name: grad }` maps). */
export type GradientPair = readonly [tf.Tensor | null, tf.Variable];

/** Slot variables of one variable, by slot name. */
export type Slots = Record<string, tf.Variable>;

/** The optimizer base: subclasses define `slotNames`/`initialSlot` and `updateStep`. */
export abstract class Optimizer {
  static className: string;
  readonly name: string;
  readonly clipnorm: number | undefined;
  readonly clipvalue: number | undefined;
  readonly globalClipnorm: number | undefined;
  readonly weightDecay: number | undefined;
  readonly schedule: LearningRateSchedule | undefined;
  /** Number of updates applied (int32 scalar variable). */
  readonly iterations: tf.Variable;
  readonly #learningRate: tf.Variable;
  readonly #slots = new Map<tf.Variable, Slots>();
  readonly #extraVariables: tf.Variable[] = [];

  constructor(args: OptimizerArgs, defaultLearningRate: number) {
    const lr = args.learningRate ?? defaultLearningRate;
    const clips = [args.clipnorm, args.clipvalue, args.globalClipnorm].filter((c) => c !== undefined);
    if (clips.length > 1) throw new ConfigError("Optimizer: give at most one of clipnorm, clipvalue and globalClipnorm");
    for (const [key, value] of Object.entries({
      clipnorm: args.clipnorm,
      clipvalue: args.clipvalue,
      globalClipnorm: args.globalClipnorm,
    })) {
      if (value !== undefined && !(value > 0)) throw new ConfigError(`Optimizer: '${key}' must be positive, received ${value}`);
    }
    this.name = args.name ?? (this.constructor as typeof Optimizer).className.toLowerCase();
    this.clipnorm = args.clipnorm;
    this.clipvalue = args.clipvalue;
    this.globalClipnorm = args.globalClipnorm;
    this.weightDecay = args.weightDecay;
    this.schedule = lr instanceof LearningRateSchedule ? lr : undefined;
    if (typeof lr === "number" && !(lr >= 0))
      throw new ConfigError(`Optimizer: 'learningRate' must be a non-negative number, received ${lr}`);
    this.#learningRate = tf.initScope(
      () => new tf.Variable(typeof lr === "number" ? lr : 0, { name: `${this.name}/learning_rate`, trainable: false }),
    );
    this.iterations = tf.initScope(() => new tf.Variable(0, { name: `${this.name}/iteration`, dtype: "int32", trainable: false }));
  }

  /** Slot variable names, in the order they are saved (e.g. `["m", "v"]` for Adam). */
  protected abstract slotNames(): string[];

  /** The initial value of one slot for `variable`. */
  protected initialSlot(_slot: string, variable: tf.Variable): tf.Tensor {
    return tf.zeros(variable.shape as number[], variable.dtype);
  }

  /** Updates `variable` in place from `gradient` (already clipped), at learning rate `lr` and step `t` (1-based float). */
  protected abstract updateStep(gradient: tf.Tensor, variable: tf.Variable, lr: tf.Tensor, slots: Slots, t: tf.Tensor): void;

  /** Runs once per `applyGradients`, before the variable updates (Nadam updates a shared product here). */
  protected beforeUpdates(_t: tf.Tensor): void {}

  /** Makes an optimizer-wide variable (e.g. Nadam's momentum product), saved with the state. */
  protected addOptimizerVariable(name: string, initial: number): tf.Variable {
    const v = tf.initScope(() => new tf.Variable(initial, { name: `${this.name}/${name}`, trainable: false }));
    this.#extraVariables.push(v);
    return v;
  }

  /** The base learning rate (a number; with a schedule, the rate at the current step). */
  get learningRate(): number {
    if (this.schedule !== undefined) return this.schedule.valueAt(scalarOf(this.iterations));
    return scalarOf(this.#learningRate);
  }

  /** Sets the learning rate (takes effect on the next step without retracing). A schedule cannot be overwritten. */
  set learningRate(value: number) {
    if (this.schedule !== undefined)
      throw new ConfigError(`Optimizer '${this.name}' uses a learning-rate schedule; its rate cannot be set`);
    if (!(value >= 0)) throw new ConfigError(`Optimizer: learning rate must be a non-negative number, received ${value}`);
    this.#learningRate.assign(value).dispose();
  }

  /** The learning rate for the current step, as a tensor (traced steps read it on every call). */
  currentLearningRate(): tf.Tensor {
    if (this.schedule !== undefined) return this.schedule.apply(tf.cast(this.iterations.read(), "float32"));
    return this.#learningRate.read();
  }

  /** Creates slot variables for `variables` now (Keras's `optimizer.build`); later calls skip known ones. */
  build(variables: readonly tf.Variable[]): void {
    for (const v of variables) this.slotsOf(v);
  }

  /** The slots of `variable`, created on first use. */
  protected slotsOf(variable: tf.Variable): Slots {
    let slots = this.#slots.get(variable);
    if (slots === undefined) {
      slots = {};
      for (const slot of this.slotNames()) {
        const init = () => this.initialSlot(slot, variable);
        slots[slot] = createVariable(init, { name: `${variable.name}/${slot}`, trainable: false });
      }
      this.#slots.set(variable, slots);
    }
    return slots;
  }

  /**
   * Applies gradients to variables: clipping, weight decay, the update rule, the step
   * counter, then each variable's constraint. `null` gradients are skipped.
   *
   * ```ts
   * opt.applyGradients(grads.map((g, i) => [g, vars[i]]));
   * ```
   */
  applyGradients(pairs: readonly GradientPair[]): void {
    const live = pairs.filter((p): p is readonly [tf.Tensor, tf.Variable] => p[0] !== null && p[0] !== undefined);
    for (const [, v] of live) {
      if (!(v instanceof tf.Variable))
        throw new ConfigError(`Optimizer '${this.name}': applyGradients expects [gradient, tf.Variable] pairs`);
    }
    for (const [, v] of live) this.slotsOf(v);
    tf.tidy(() => {
      const clipped = this.clip(live.map(([g]) => g));
      const lr = this.currentLearningRate();
      const t = tf.add(tf.cast(this.iterations.read(), "float32"), 1);
      this.beforeUpdates(t);
      live.forEach(([, v], i) => {
        if (this.weightDecay !== undefined && this.weightDecay > 0) v.assignSub(tf.mul(v.read(), tf.mul(lr, this.weightDecay)));
        this.updateStep(clipped[i]!, v, lr, this.slotsOf(v), t);
      });
      this.iterations.assignAdd(tf.scalar(1, "int32"));
      for (const [, v] of live) if (v.constraint !== undefined) v.assign(v.constraint(v.read()));
    });
  }

  private clip(grads: tf.Tensor[]): tf.Tensor[] {
    if (this.clipvalue !== undefined) return grads.map((g) => tf.clipByValue(g, -this.clipvalue!, this.clipvalue!));
    if (this.clipnorm !== undefined) return grads.map((g) => clipByNorm(g, this.clipnorm!));
    if (this.globalClipnorm !== undefined) return clipByGlobalNorm(grads, this.globalClipnorm);
    return grads;
  }

  /**
   * Computes the gradient of `lossFn()` with respect to `varList` (default: every trainable
   * variable it reads) and applies it. Returns the loss when `returnCost` (tfjs's signature).
   *
   * ```ts
   * const loss = opt.minimize(() => tf.mean(tf.square(tf.sub(tf.mul(x, w), y))), true);
   * ```
   */
  minimize(lossFn: () => tf.Tensor, returnCost = false, varList?: tf.Variable[]): tf.Tensor | null {
    const tape = new tf.GradientTape();
    const loss = tape.record(lossFn);
    const vars = varList ?? tape.watchedVariables().filter((v) => v.trainable);
    const grads = tape.gradient(loss, vars);
    this.applyGradients(vars.map((v, i) => [grads[i] ?? null, v] as const));
    if (returnCost) return loss;
    if (!loss.isSymbolic) loss.dispose();
    return null;
  }

  /** Every state variable: the step counter, optimizer-wide variables, then each slot (for saving). */
  get variables(): tf.Variable[] {
    return [this.iterations, ...this.#extraVariables, ...[...this.#slots.values()].flatMap((s) => Object.values(s))];
  }

  /** Copies of the state (`variables` order) with their names, for saving. */
  getWeights(): { name: string; tensor: tf.Tensor }[] {
    // Reads are snapshots: later training steps do not change them.
    return this.variables.map((v) => ({ name: v.name, tensor: v.read() }));
  }

  /** Restores state saved by `getWeights` (matched by name; unknown names are an error). */
  setWeights(weights: readonly { name: string; tensor: tf.Tensor }[]): void {
    const byName = new Map(this.variables.map((v) => [v.name, v]));
    for (const { name, tensor } of weights) {
      const v = byName.get(name);
      if (v === undefined)
        throw new ConfigError(
          `Optimizer '${this.name}': saved state '${name}' matches no optimizer variable; build the optimizer (compile and train a step, or call build) first`,
        );
      v.assign(tensor).dispose();
    }
  }

  getConfig(): ConfigDict {
    const config: ConfigDict = {
      learningRate:
        this.schedule === undefined
          ? scalarOf(this.#learningRate)
          : { className: this.schedule.getClassName(), config: this.schedule.getConfig() },
    };
    if (this.clipnorm !== undefined) config.clipnorm = this.clipnorm;
    if (this.clipvalue !== undefined) config.clipvalue = this.clipvalue;
    if (this.globalClipnorm !== undefined) config.globalClipnorm = this.globalClipnorm;
    if (this.weightDecay !== undefined) config.weightDecay = this.weightDecay;
    return config;
  }

  getClassName(): string {
    return (this.constructor as typeof Optimizer).className;
  }

  static fromConfig(this: new (args: any) => Optimizer, config: ConfigDict): Optimizer {
    const lr = config.learningRate;
    const learningRate =
      typeof lr === "object" && lr !== null ? classes.deserialize<LearningRateSchedule>(lr as unknown as SerializedObject, "schedule") : lr;
    return new this({ ...config, learningRate });
  }

  /** Frees every state variable. */
  dispose(): void {
    for (const v of [...this.variables, this.#learningRate]) v.dispose();
    this.#slots.clear();
  }
}

/** Scales `g` so its L2 norm is at most `maxNorm`. */
export function clipByNorm(g: tf.Tensor, maxNorm: number): tf.Tensor {
  const norm = tf.sqrt(tf.sum(tf.square(g)));
  return tf.div(tf.mul(g, maxNorm), tf.maximum(norm, maxNorm));
}

/** Scales all gradients together so their joint L2 norm is at most `maxNorm` (TF's clip_by_global_norm). */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], maxNorm: number): tf.Tensor[] {
  if (grads.length === 0) return [];
  const total = tf.sqrt(grads.map((g) => tf.sum(tf.square(g))).reduce((a, b) => tf.add(a, b)));
  const scale = tf.div(maxNorm, tf.maximum(total, maxNorm));
  return grads.map((g) => tf.mul(g, scale));
}

/** A scalar variable's current value as a JS number. */
function scalarOf(variable: tf.Variable): number {
  return tf.tidy(() => variable.read().dataSync()[0]!);
}
