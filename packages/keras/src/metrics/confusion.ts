/**
 * Metrics built on confusion-matrix counts over thresholds: `Precision`, `Recall` and `AUC`
 * (ROC or PR curve, Keras's interpolation). Counts are variables updated with `assignAdd`,
 * so they accumulate inside traced steps.
 *
 * ```ts
 * model.compile({ optimizer: "adam", loss: "binaryCrossentropy", metrics: [keras.metrics.auc(), keras.metrics.precision()] });
 * ```
 */
import * as tf from "@kiln/core";
import type { ConfigDict } from "../engine/serialization.js";
import { ConfigError, TargetError } from "../errors.js";
import { Metric, weightsLike } from "./metric.js";

/** Per-threshold true/false positive/negative counts of flattened predictions. */
function confusionCounts(yTrue: tf.Tensor, yPred: tf.Tensor, thresholds: number[], sampleWeight?: tf.Tensor) {
  const a = yTrue.shape;
  const b = yPred.shape;
  if (a.length !== b.length || a.some((d, i) => d !== null && b[i] !== null && d !== b[i])) {
    throw new TargetError(
      `Precision/Recall/AUC: labels of shape [${a.join(",")}] and predictions of shape [${b.join(",")}] must have the same shape (one probability per label)`,
    );
  }
  const labels = tf.reshape(tf.cast(yTrue, "float32"), [1, -1]);
  const predictions = tf.reshape(yPred, [1, -1]);
  const weights = tf.reshape(weightsLike(tf.cast(yTrue, "float32"), sampleWeight), [1, -1]);
  const above = tf.cast(tf.greater(predictions, tf.reshape(tf.tensor(thresholds), [-1, 1])), "float32");
  const below = tf.sub(1, above);
  const negatives = tf.sub(1, labels);
  return {
    tp: tf.sum(tf.mul(tf.mul(above, labels), weights), 1),
    fp: tf.sum(tf.mul(tf.mul(above, negatives), weights), 1),
    tn: tf.sum(tf.mul(tf.mul(below, negatives), weights), 1),
    fn: tf.sum(tf.mul(tf.mul(below, labels), weights), 1),
  };
}

function divideNoNan(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const safe = tf.where(tf.equal(b, 0), 1, b);
  return tf.where(tf.equal(b, 0), 0, tf.div(a, safe));
}

/** Precision `tp / (tp + fp)` at `thresholds` (default 0.5; a list gives the first one's value). */
export class Precision extends Metric {
  static override className = "Precision";
  readonly thresholds: number[];
  readonly truePositives: tf.Variable;
  readonly falsePositives: tf.Variable;
  constructor(args: { thresholds?: number | number[]; name?: string } = {}) {
    super(args.name ?? "precision");
    this.thresholds = typeof args.thresholds === "number" ? [args.thresholds] : (args.thresholds ?? [0.5]);
    this.truePositives = this.addState("true_positives", [this.thresholds.length]);
    this.falsePositives = this.addState("false_positives", [this.thresholds.length]);
  }
  updateState(yTrue: tf.Tensor, yPred?: tf.Tensor, sampleWeight?: tf.Tensor): void {
    tf.tidy(() => {
      const { tp, fp } = confusionCounts(yTrue, yPred!, this.thresholds, sampleWeight);
      this.truePositives.assignAdd(tp);
      this.falsePositives.assignAdd(fp);
    });
  }
  result(): tf.Tensor {
    const tp = tf.slice(this.truePositives.read(), [0], [1]);
    return tf.reshape(divideNoNan(tp, tf.add(tp, tf.slice(this.falsePositives.read(), [0], [1]))), []);
  }
  override getConfig(): ConfigDict {
    return { name: this.name, thresholds: this.thresholds };
  }
}

/** Recall `tp / (tp + fn)` at `thresholds` (default 0.5). */
export class Recall extends Metric {
  static override className = "Recall";
  readonly thresholds: number[];
  readonly truePositives: tf.Variable;
  readonly falseNegatives: tf.Variable;
  constructor(args: { thresholds?: number | number[]; name?: string } = {}) {
    super(args.name ?? "recall");
    this.thresholds = typeof args.thresholds === "number" ? [args.thresholds] : (args.thresholds ?? [0.5]);
    this.truePositives = this.addState("true_positives", [this.thresholds.length]);
    this.falseNegatives = this.addState("false_negatives", [this.thresholds.length]);
  }
  updateState(yTrue: tf.Tensor, yPred?: tf.Tensor, sampleWeight?: tf.Tensor): void {
    tf.tidy(() => {
      const { tp, fn } = confusionCounts(yTrue, yPred!, this.thresholds, sampleWeight);
      this.truePositives.assignAdd(tp);
      this.falseNegatives.assignAdd(fn);
    });
  }
  result(): tf.Tensor {
    const tp = tf.slice(this.truePositives.read(), [0], [1]);
    return tf.reshape(divideNoNan(tp, tf.add(tp, tf.slice(this.falseNegatives.read(), [0], [1]))), []);
  }
  override getConfig(): ConfigDict {
    return { name: this.name, thresholds: this.thresholds };
  }
}

/** Area under the ROC or precision-recall curve, from counts at `numThresholds` thresholds. */
export class AUC extends Metric {
  static override className = "AUC";
  readonly numThresholds: number;
  readonly curve: "ROC" | "PR";
  readonly thresholds: number[];
  readonly counts: { tp: tf.Variable; fp: tf.Variable; tn: tf.Variable; fn: tf.Variable };
  constructor(args: { numThresholds?: number; curve?: "ROC" | "PR"; name?: string } = {}) {
    super(args.name ?? "auc");
    this.numThresholds = args.numThresholds ?? 200;
    this.curve = args.curve ?? "ROC";
    if (this.numThresholds < 2) throw new ConfigError(`auc: 'numThresholds' must be at least 2, received ${this.numThresholds}`);
    if (this.curve !== "ROC" && this.curve !== "PR") throw new ConfigError(`auc: 'curve' must be "ROC" or "PR", received ${this.curve}`);
    const inner = Array.from({ length: this.numThresholds - 2 }, (_, i) => (i + 1) / (this.numThresholds - 1));
    this.thresholds = [-1e-7, ...inner, 1 + 1e-7];
    const n = this.thresholds.length;
    this.counts = {
      tp: this.addState("true_positives", [n]),
      fp: this.addState("false_positives", [n]),
      tn: this.addState("true_negatives", [n]),
      fn: this.addState("false_negatives", [n]),
    };
  }
  updateState(yTrue: tf.Tensor, yPred?: tf.Tensor, sampleWeight?: tf.Tensor): void {
    tf.tidy(() => {
      const counts = confusionCounts(yTrue, yPred!, this.thresholds, sampleWeight);
      this.counts.tp.assignAdd(counts.tp);
      this.counts.fp.assignAdd(counts.fp);
      this.counts.tn.assignAdd(counts.tn);
      this.counts.fn.assignAdd(counts.fn);
    });
  }
  result(): tf.Tensor {
    const n = this.thresholds.length;
    const head = (t: tf.Tensor) => tf.slice(t, [0], [n - 1]);
    const tail = (t: tf.Tensor) => tf.slice(t, [1], [n - 1]);
    const tp = this.counts.tp.read();
    const fp = this.counts.fp.read();
    const fn = this.counts.fn.read();
    const tn = this.counts.tn.read();
    if (this.curve === "ROC") {
      const tpr = divideNoNan(tp, tf.add(tp, fn));
      const fpr = divideNoNan(fp, tf.add(fp, tn));
      return tf.sum(tf.mul(tf.sub(head(fpr), tail(fpr)), tf.div(tf.add(head(tpr), tail(tpr)), 2)));
    }
    // Precision-recall with Davis & Goadrich interpolation between thresholds, as Keras does.
    const dtp = tf.sub(head(tp), tail(tp));
    const p = tf.add(tp, fp);
    const dp = tf.sub(head(p), tail(p));
    const slope = divideNoNan(dtp, tf.maximum(dp, 0));
    const intercept = tf.sub(tail(tp), tf.mul(slope, tail(p)));
    const bothPositive = tf.logicalAnd(tf.greater(head(p), 0), tf.greater(tail(p), 0));
    const ratio = tf.where(bothPositive, divideNoNan(head(p), tf.maximum(tail(p), 0)), 1);
    const increments = divideNoNan(tf.mul(slope, tf.add(dtp, tf.mul(intercept, tf.log(ratio)))), tf.maximum(tf.add(tail(tp), tail(fn)), 0));
    return tf.sum(increments);
  }
  override getConfig(): ConfigDict {
    return { name: this.name, numThresholds: this.numThresholds, curve: this.curve };
  }
}
