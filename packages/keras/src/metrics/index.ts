/**
 * Metrics by name. Function forms with tensors return per-sample values (tfjs-layers'
 * `tf.metrics.binaryAccuracy(yTrue, yPred)`); with options (or nothing) they return a
 * stateful `Metric` (Keras 3). `compile({ metrics })` accepts names, metrics and functions.
 *
 * ```ts
 * model.compile({ optimizer: "adam", loss: "binaryCrossentropy", metrics: ["accuracy", keras.metrics.auc()] });
 * const acc = keras.metrics.sparseCategoricalAccuracy(); acc.updateState(labels, probs); acc.result();
 * ```
 */
import * as tf from "@kiln/core";
import { classes, type ConfigDict, type SerializedObject, toCamelCase } from "../engine/serialization.js";
import { ConfigError } from "../errors.js";
import * as losses from "../losses/functions.js";
import { AUC, Precision, Recall } from "./confusion.js";
import * as f from "./functions.js";
import { Mean, MeanMetricWrapper, Metric } from "./metric.js";

export { Metric, Mean, MeanMetricWrapper } from "./metric.js";
export { AUC, Precision, Recall } from "./confusion.js";

type Fn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
type Overloaded<O> = {
  (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor;
  (options?: O): Metric;
};

function defineMetric<O extends { name?: string }>(className: string, defaultName: string, make: (o: O) => Fn) {
  const MetricClass = class extends MeanMetricWrapper {
    static override className = className;
    readonly options: O;
    constructor(options: O = {} as O) {
      super(make(options), options.name ?? defaultName);
      this.options = options;
    }
    override getConfig(): ConfigDict {
      return { ...(this.options as ConfigDict), name: this.name };
    }
  };
  classes.register(MetricClass as never, className);
  const fn = ((first?: tf.Tensor | O, second?: tf.Tensor) =>
    first instanceof tf.Tensor ? make({} as O)(first, second!) : new MetricClass(first ?? ({} as O))) as Overloaded<O>;
  return { MetricClass, fn };
}

type Named = { name?: string };
const ACC = defineMetric<Named>("Accuracy", "accuracy", () => f.accuracy);
const BIN = defineMetric<Named & { threshold?: number }>(
  "BinaryAccuracy",
  "binary_accuracy",
  (o) => (t, p) => f.binaryAccuracy(t, p, o.threshold ?? 0.5),
);
const CAT = defineMetric<Named>("CategoricalAccuracy", "categorical_accuracy", () => f.categoricalAccuracy);
const SPARSE = defineMetric<Named>("SparseCategoricalAccuracy", "sparse_categorical_accuracy", () => f.sparseCategoricalAccuracy);
const TOPK = defineMetric<Named & { k?: number }>(
  "TopKCategoricalAccuracy",
  "top_k_categorical_accuracy",
  (o) => (t, p) => f.topKCategoricalAccuracy(t, p, o.k ?? 5),
);
const SPARSE_TOPK = defineMetric<Named & { k?: number }>(
  "SparseTopKCategoricalAccuracy",
  "sparse_top_k_categorical_accuracy",
  (o) => (t, p) => f.sparseTopKCategoricalAccuracy(t, p, o.k ?? 5),
);
const MAE = defineMetric<Named>("MeanAbsoluteError", "mean_absolute_error", () => losses.mae);
const MSE = defineMetric<Named>("MeanSquaredError", "mean_squared_error", () => losses.mse);
const MAPE = defineMetric<Named>("MeanAbsolutePercentageError", "mean_absolute_percentage_error", () => losses.mape);

/** The root of the mean squared error over everything seen. */
export class RootMeanSquaredError extends MeanMetricWrapper {
  static override className = "RootMeanSquaredError";
  constructor(args: { name?: string } = {}) {
    super(losses.mse, args.name ?? "root_mean_squared_error");
  }
  override result(): tf.Tensor {
    return tf.sqrt(super.result());
  }
}

for (const cls of [Mean, RootMeanSquaredError, Precision, Recall, AUC]) classes.register(cls as never, cls.className);

/** A metric class built from a per-sample function (constructed with its options). */
export type MetricClass<O> = { new (options?: O): MeanMetricWrapper; readonly className: string };

export const Accuracy: MetricClass<Named> = ACC.MetricClass;
export const BinaryAccuracy: MetricClass<Named & { threshold?: number }> = BIN.MetricClass;
export const CategoricalAccuracy: MetricClass<Named> = CAT.MetricClass;
export const SparseCategoricalAccuracy: MetricClass<Named> = SPARSE.MetricClass;
export const TopKCategoricalAccuracy: MetricClass<Named & { k?: number }> = TOPK.MetricClass;
export const SparseTopKCategoricalAccuracy: MetricClass<Named & { k?: number }> = SPARSE_TOPK.MetricClass;
export const MeanAbsoluteError: MetricClass<Named> = MAE.MetricClass;
export const MeanSquaredError: MetricClass<Named> = MSE.MetricClass;
export const MeanAbsolutePercentageError: MetricClass<Named> = MAPE.MetricClass;

/** Accuracy, resolved from shapes (binary, sparse or categorical) like Keras's `"accuracy"`. */
export const accuracy = ACC.fn;
/** Binary accuracy with `threshold`. */
export const binaryAccuracy = BIN.fn;
/** Categorical accuracy (one-hot labels). */
export const categoricalAccuracy = CAT.fn;
/** Sparse categorical accuracy (integer labels). */
export const sparseCategoricalAccuracy = SPARSE.fn;
/** Top-k categorical accuracy. */
export const topKCategoricalAccuracy = TOPK.fn;
/** Sparse top-k categorical accuracy. */
export const sparseTopKCategoricalAccuracy = SPARSE_TOPK.fn;
/** Mean absolute error. */
export const meanAbsoluteError = MAE.fn;
/** Mean squared error. */
export const meanSquaredError = MSE.fn;
/** Mean absolute percentage error. */
export const meanAbsolutePercentageError = MAPE.fn;
export const mae = meanAbsoluteError;
export const mse = meanSquaredError;
export const mape = meanAbsolutePercentageError;
/**
 * A stateful mean of values.
 *
 * ```ts
 * const m = keras.metrics.mean(); m.updateState(tf.tensor([1, 3])); m.result(); // 2
 * ```
 */
export const mean = (args?: { name?: string }) => new Mean(args);
/**
 * Root mean squared error.
 *
 * ```ts
 * keras.metrics.rootMeanSquaredError()
 * ```
 */
export const rootMeanSquaredError = (args?: { name?: string }) => new RootMeanSquaredError(args);
/**
 * Precision at a threshold.
 *
 * ```ts
 * keras.metrics.precision({ thresholds: 0.5 })
 * ```
 */
export const precision = (args?: ConstructorParameters<typeof Precision>[0]) => new Precision(args);
/**
 * Recall at a threshold.
 *
 * ```ts
 * keras.metrics.recall()
 * ```
 */
export const recall = (args?: ConstructorParameters<typeof Recall>[0]) => new Recall(args);
/**
 * Area under the ROC or PR curve.
 *
 * ```ts
 * keras.metrics.auc({ curve: "PR" })
 * ```
 */
export const auc = (args?: ConstructorParameters<typeof AUC>[0]) => new AUC(args);

const BY_NAME: Record<string, (name: string) => Metric> = {
  accuracy: (name) => accuracy({ name }),
  acc: (name) => accuracy({ name }),
  binaryAccuracy: (name) => binaryAccuracy({ name }),
  categoricalAccuracy: (name) => categoricalAccuracy({ name }),
  sparseCategoricalAccuracy: (name) => sparseCategoricalAccuracy({ name }),
  topKCategoricalAccuracy: (name) => topKCategoricalAccuracy({ name }),
  sparseTopKCategoricalAccuracy: (name) => sparseTopKCategoricalAccuracy({ name }),
  mae: (name) => meanAbsoluteError({ name }),
  meanAbsoluteError: (name) => meanAbsoluteError({ name }),
  mse: (name) => meanSquaredError({ name }),
  meanSquaredError: (name) => meanSquaredError({ name }),
  mape: (name) => meanAbsolutePercentageError({ name }),
  meanAbsolutePercentageError: (name) => meanAbsolutePercentageError({ name }),
  rmse: (name) => rootMeanSquaredError({ name }),
  rootMeanSquaredError: (name) => rootMeanSquaredError({ name }),
  precision: (name) => precision({ name }),
  recall: (name) => recall({ name }),
  auc: (name) => auc({ name }),
};

/**
 * Resolves a metric: a name (logged under that name: `"accuracy"`, `"mae"`, `"auc"`...), a
 * `Metric` (returned as is), a function `(yTrue, yPred) => values` (averaged, logged under
 * the function's name) or a serialized `{ className, config }`.
 *
 * ```ts
 * keras.metrics.get("accuracy").name; // "accuracy"
 * ```
 */
export function get(identifier: string | Metric | Fn | SerializedObject): Metric {
  if (identifier instanceof Metric) return identifier;
  if (typeof identifier === "function") return new MeanMetricWrapper(identifier, identifier.name || "custom_metric");
  if (typeof identifier === "string") {
    const make = BY_NAME[identifier] ?? BY_NAME[toCamelCase(identifier)];
    if (make === undefined) throw new ConfigError(`Unknown metric '${identifier}'; valid names are ${Object.keys(BY_NAME).join(", ")}`);
    return make(identifier);
  }
  return classes.deserialize<Metric>(identifier, "metric");
}
