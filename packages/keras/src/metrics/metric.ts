/**
 * Stateful metrics (Keras 3's `Metric`): state lives in non-trainable variables created
 * when the metric is constructed, `updateState` accumulates with `assignAdd` (so it runs
 * inside traced training steps), `result` reads the state and `resetState` zeroes it.
 *
 * ```ts
 * const m = keras.metrics.mean();
 * m.updateState(tf.tensor([1, 2, 3])); m.result(); // 2
 * m.resetState();
 * ```
 */
import * as tf from "@kiln/core";
import type { ConfigDict } from "../engine/serialization.js";
import { createVariable } from "../utils/variables.js";

/** Base class of metrics: subclasses add state with `addState` and implement `updateState`/`result`. */
export abstract class Metric {
  static className: string;
  readonly name: string;
  readonly #state: { variable: tf.Variable; initial: () => tf.Tensor }[] = [];

  constructor(name: string) {
    this.name = name;
  }

  /** Creates a state variable (eagerly, so it exists before any traced step). */
  protected addState(name: string, shape: number[] = [], initial: number = 0, dtype: tf.DType = "float32"): tf.Variable {
    const make = () => tf.fill(shape, initial, dtype);
    const variable = createVariable(make, { name: `${this.name}/${name}`, trainable: false, dtype });
    this.#state.push({ variable, initial: make });
    return variable;
  }

  /** Accumulates one batch of labels and predictions (or values, for `Mean`). */
  abstract updateState(yTrue: tf.Tensor, yPred?: tf.Tensor, sampleWeight?: tf.Tensor): void;

  /** The metric's value from the accumulated state (a scalar tensor). */
  abstract result(): tf.Tensor;

  /** Resets the state to its initial values. */
  resetState(): void {
    for (const { variable, initial } of this.#state) {
      const value = initial();
      variable.assign(value).dispose();
      value.dispose();
    }
  }

  /** The state variables. */
  get variables(): tf.Variable[] {
    return this.#state.map((s) => s.variable);
  }

  getConfig(): ConfigDict {
    return { name: this.name };
  }

  getClassName(): string {
    return (this.constructor as typeof Metric).className;
  }

  /** Frees the state variables. */
  dispose(): void {
    for (const { variable } of this.#state) variable.dispose();
  }
}

/** Broadcasts sample weights to `values` (dropping trailing 1-sized axes first). */
export function weightsLike(values: tf.Tensor, sampleWeight: tf.Tensor | undefined): tf.Tensor {
  if (sampleWeight === undefined) return tf.onesLike(values);
  let w = tf.cast(sampleWeight, "float32");
  while (w.rank > values.rank && w.shape[w.rank - 1] === 1) w = tf.squeeze(w, -1);
  while (w.rank < values.rank) w = tf.expandDims(w, -1);
  return tf.mul(tf.onesLike(values), w);
}

/** The (weighted) mean of values seen so far. */
export class Mean extends Metric {
  static override className = "Mean";
  readonly total: tf.Variable;
  readonly count: tf.Variable;

  constructor(args: { name?: string } = {}) {
    super(args.name ?? "mean");
    this.total = this.addState("total");
    this.count = this.addState("count");
  }

  /** Adds `values` (any shape) with optional weights. */
  updateState(values: tf.Tensor, _unused?: tf.Tensor, sampleWeight?: tf.Tensor): void {
    tf.tidy(() => {
      const v = tf.cast(values, "float32");
      const w = weightsLike(v, sampleWeight);
      this.total.assignAdd(tf.sum(tf.mul(v, w)));
      this.count.assignAdd(tf.sum(w));
    });
  }

  /** Adds a batch of values (`updateState` with values first, Keras's `Mean.update_state(values, sample_weight)`). */
  updateValues(values: tf.Tensor, sampleWeight?: tf.Tensor | number): void {
    tf.tidy(() => {
      const v = tf.cast(values, "float32");
      if (typeof sampleWeight === "number" || (sampleWeight instanceof tf.Tensor && sampleWeight.rank === 0 && v.rank === 0)) {
        this.total.assignAdd(tf.mul(v, sampleWeight));
        this.count.assignAdd(tf.cast(sampleWeight, "float32"));
        return;
      }
      this.updateState(v, undefined, sampleWeight);
    });
  }

  result(): tf.Tensor {
    return tf.div(this.total.read(), tf.maximum(this.count.read(), 1e-30));
  }
}

/** A metric computed per sample by a function and averaged (accuracies, MAE, custom metric functions). */
export class MeanMetricWrapper extends Mean {
  static override className = "MeanMetricWrapper";
  readonly fn: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

  constructor(fn: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor, name: string) {
    super({ name });
    this.fn = fn;
  }

  override updateState(yTrue: tf.Tensor, yPred?: tf.Tensor, sampleWeight?: tf.Tensor): void {
    if (yPred === undefined) throw new TypeError(`Metric '${this.name}': updateState(yTrue, yPred, sampleWeight?) needs predictions`);
    tf.tidy(() => super.updateState(this.fn(yTrue, yPred), undefined, sampleWeight));
  }
}
