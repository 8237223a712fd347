/**
 * The `Loss` base class and reductions. A loss's `call(yTrue, yPred)` returns one value per
 * sample; `apply(yTrue, yPred, sampleWeight)` weights and reduces them (Keras's reductions:
 * `"sumOverBatchSize"` by default, `"sum"`, `"none"`).
 *
 * ```ts
 * const mse = keras.losses.meanSquaredError({ reduction: "sum" });
 * mse.apply(tf.tensor([[1], [2]]), tf.tensor([[1.5], [2]])); // 0.25
 * ```
 */
import * as tf from "@kiln/core";
import type { ConfigDict } from "../engine/serialization.js";
import { ConfigError, TargetError } from "../errors.js";

/** How per-sample losses become the reported value. */
export type Reduction = "sumOverBatchSize" | "sum" | "none" | "mean";

/** A loss written as a function: per-sample (or already reduced) values from labels and predictions. */
export type LossFunction = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** Options every loss accepts. */
export interface LossArgs {
  reduction?: Reduction;
  name?: string;
}

/** Weights per-sample losses and reduces them. */
export function reduceWeightedLoss(values: tf.Tensor, sampleWeight: tf.Tensor | undefined, reduction: Reduction): tf.Tensor {
  let weighted = values;
  if (sampleWeight !== undefined) {
    let w = tf.cast(sampleWeight, "float32");
    while (w.rank > values.rank && w.shape[w.rank - 1] === 1) w = tf.squeeze(w, -1);
    while (w.rank < values.rank) w = tf.expandDims(w, -1);
    weighted = tf.mul(values, w);
  }
  if (reduction === "none") return weighted;
  if (reduction === "sum") return tf.sum(weighted);
  return tf.mean(weighted);
}

/** Base class of losses: subclasses implement `call`. */
export abstract class Loss {
  static className: string;
  readonly reduction: Reduction;
  readonly name: string;

  constructor(args: LossArgs = {}, defaultName = "loss") {
    const reduction = args.reduction ?? "sumOverBatchSize";
    if (!["sumOverBatchSize", "sum", "none", "mean"].includes(reduction)) {
      throw new ConfigError(`Loss: unknown reduction '${reduction}'; use sumOverBatchSize, sum or none`);
    }
    this.reduction = reduction;
    this.name = args.name ?? defaultName;
  }

  /** Per-sample loss values. */
  abstract call(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor;

  /** The weighted, reduced loss. */
  apply(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): tf.Tensor {
    return reduceWeightedLoss(this.call(yTrue, yPred), sampleWeight, this.reduction);
  }

  getConfig(): ConfigDict {
    return { reduction: this.reduction, name: this.name };
  }

  getClassName(): string {
    return (this.constructor as typeof Loss).className;
  }
}

/** A loss defined by a function (built-in or custom), with its options kept for `getConfig`. */
export class LossFunctionWrapper extends Loss {
  static override className = "LossFunctionWrapper";
  readonly fn: LossFunction;
  readonly options: ConfigDict;
  readonly registeredName: string | undefined;
  /** For built-in losses: how label shapes must relate to prediction shapes. */
  readonly labelRule: LabelRule | undefined;

  constructor(fn: LossFunction, args: LossArgs & { className?: string; options?: ConfigDict; labelRule?: LabelRule } = {}) {
    super(args, args.name ?? (fn.name || "loss"));
    this.fn = fn;
    this.options = args.options ?? {};
    this.registeredName = args.className;
    this.labelRule = args.labelRule;
  }

  /**
   * Checks label and prediction shapes without running the loss (the data-level check
   * `fit` makes before each traced step, whose relaxed signature cannot catch a mismatch).
   */
  checkShapes(yTrue: readonly (number | null)[], yPred: readonly (number | null)[]): void {
    const loss = this.registeredName === undefined ? this.name : this.registeredName.charAt(0).toLowerCase() + this.registeredName.slice(1);
    if (this.labelRule === "same") checkSameShape(loss, { shape: yTrue }, { shape: yPred });
    else if (this.labelRule === "sparse") checkSparseShapes(loss, yTrue, yPred);
  }

  call(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    return this.fn(yTrue, yPred);
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig(), ...this.options };
  }

  override getClassName(): string {
    return this.registeredName ?? super.getClassName();
  }
}

/** How a built-in loss relates label and prediction shapes (checked on the data before a traced step runs). */
export type LabelRule = "same" | "sparse";

/** Checks that labels and predictions have the same shape where both are known (dense losses). */
export function checkSameShape(
  loss: string,
  yTrue: { shape: readonly (number | null)[] },
  yPred: { shape: readonly (number | null)[] },
): void {
  const a = yTrue.shape;
  const b = yPred.shape;
  const mismatch = a.length !== b.length || a.some((d, i) => d !== null && b[i] !== null && d !== b[i]);
  if (mismatch) {
    throw new TargetError(
      `${loss}: labels have shape [${a.join(",")}] but predictions have shape [${b.join(",")}]; they must match` +
        (b.length === a.length + 1 ? " (for integer class labels use sparseCategoricalCrossentropy)" : ""),
    );
  }
}

/** Checks integer-label shapes: `yPred.shape` without its last axis, optionally with a trailing 1. */
export function checkSparseShapes(loss: string, yTrue: readonly (number | null)[], yPred: readonly (number | null)[]): void {
  const rank = yTrue.length === yPred.length && yTrue[yTrue.length - 1] === 1 ? yTrue.length - 1 : yTrue.length;
  const compatible = rank === yPred.length - 1 && yTrue.slice(0, rank).every((d, i) => d === null || yPred[i] === null || d === yPred[i]);
  if (!compatible) {
    throw new TargetError(
      `${loss}: labels must be integer class ids of shape [batch] (or [batch, 1]) for predictions of shape [${yPred.join(",")}], ` +
        `received labels of shape [${yTrue.join(",")}]` +
        (yTrue.length === yPred.length ? " (for one-hot labels use categoricalCrossentropy)" : ""),
    );
  }
}
