/**
 * Losses by name, as classes and as overloaded functions: with tensors a function returns
 * per-sample values (`keras.losses.meanSquaredError(yTrue, yPred)`, tfjs-layers' form); with
 * an options object (or nothing) it returns a `Loss` for `compile` (Keras 3's form).
 *
 * ```ts
 * model.compile({ optimizer: "adam", loss: keras.losses.sparseCategoricalCrossentropy({ fromLogits: true }) });
 * model.compile({ optimizer: "adam", loss: "meanSquaredError" });
 * ```
 */
import * as tf from "@kiln/core";
import { classes, type ConfigDict, type SerializedObject, toCamelCase } from "../engine/serialization.js";
import { ConfigError } from "../errors.js";
import * as f from "./functions.js";
import { Loss, type LossArgs, type LossFunction, LossFunctionWrapper } from "./loss.js";

export { Loss, LossFunctionWrapper, reduceWeightedLoss, type Reduction, type LossArgs, type LossFunction } from "./loss.js";
export { EPSILON } from "./functions.js";

type Overloaded<O> = {
  (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor;
  (options?: O): LossFunctionWrapper;
};

/** Builds a loss class and its overloaded function from a per-sample function with options. */
function defineLoss<O extends object>(
  className: string,
  defaultName: string,
  make: (options: O) => LossFunction,
  labelRule: "same" | "sparse" = "same",
) {
  const LossClass = class extends LossFunctionWrapper {
    static override className = className;
    constructor(options: O & LossArgs = {} as O & LossArgs) {
      const { reduction, name, ...rest } = options;
      super(make(options), {
        name: name ?? defaultName,
        ...(reduction === undefined ? {} : { reduction }),
        className,
        options: rest as ConfigDict,
        labelRule,
      });
    }
    static fromConfig(config: ConfigDict): LossFunctionWrapper {
      return new LossClass(config as unknown as O & LossArgs);
    }
  };
  classes.register(LossClass as never, className);
  const fn = ((first?: tf.Tensor | (O & LossArgs), second?: tf.Tensor) => {
    if (first instanceof tf.Tensor) {
      if (!(second instanceof tf.Tensor)) throw new ConfigError(`${defaultName}(yTrue, yPred): yPred must be a tensor`);
      return make({} as O)(first, second);
    }
    return new LossClass(first ?? ({} as O & LossArgs));
  }) as Overloaded<O & LossArgs>;
  return { LossClass, fn };
}

type NoOptions = Record<never, never>;
const none =
  <T>(fn: LossFunction) =>
  (_: T) =>
    fn;

const MSE = defineLoss<NoOptions>("MeanSquaredError", "mean_squared_error", none(f.mse));
const MAE = defineLoss<NoOptions>("MeanAbsoluteError", "mean_absolute_error", none(f.mae));
const MAPE = defineLoss<NoOptions>("MeanAbsolutePercentageError", "mean_absolute_percentage_error", none(f.mape));
const MSLE = defineLoss<NoOptions>("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", none(f.msle));
const HUBER = defineLoss<{ delta?: number }>("Huber", "huber_loss", (o) => (t, p) => f.huber(t, p, o.delta ?? 1));
const LOG_COSH = defineLoss<NoOptions>("LogCosh", "log_cosh", none(f.logCosh));
const BCE = defineLoss<{ fromLogits?: boolean; labelSmoothing?: number }>(
  "BinaryCrossentropy",
  "binary_crossentropy",
  (o) => (t, p) => f.binaryCrossentropy(t, p, o.fromLogits ?? false, o.labelSmoothing ?? 0),
);
const CCE = defineLoss<{ fromLogits?: boolean; labelSmoothing?: number }>(
  "CategoricalCrossentropy",
  "categorical_crossentropy",
  (o) => (t, p) => f.categoricalCrossentropy(t, p, o.fromLogits ?? false, o.labelSmoothing ?? 0),
);
const SCCE = defineLoss<{ fromLogits?: boolean }>(
  "SparseCategoricalCrossentropy",
  "sparse_categorical_crossentropy",
  (o) => (t, p) => f.sparseCategoricalCrossentropy(t, p, o.fromLogits ?? false),
  "sparse",
);
const KLD = defineLoss<NoOptions>("KLDivergence", "kl_divergence", none(f.kld));
const POISSON = defineLoss<NoOptions>("Poisson", "poisson", none(f.poisson));
const COSINE = defineLoss<{ axis?: number }>(
  "CosineSimilarity",
  "cosine_similarity",
  (o) => (t, p) => f.cosineSimilarity(t, p, o.axis ?? -1),
);
const HINGE = defineLoss<NoOptions>("Hinge", "hinge", none(f.hinge));
const SQ_HINGE = defineLoss<NoOptions>("SquaredHinge", "squared_hinge", none(f.squaredHinge));
const CAT_HINGE = defineLoss<NoOptions>("CategoricalHinge", "categorical_hinge", none(f.categoricalHinge));

export const MeanSquaredError = MSE.LossClass;
export const MeanAbsoluteError = MAE.LossClass;
export const MeanAbsolutePercentageError = MAPE.LossClass;
export const MeanSquaredLogarithmicError = MSLE.LossClass;
export const Huber = HUBER.LossClass;
export const LogCosh = LOG_COSH.LossClass;
export const BinaryCrossentropy = BCE.LossClass;
export const CategoricalCrossentropy = CCE.LossClass;
export const SparseCategoricalCrossentropy = SCCE.LossClass;
export const KLDivergence = KLD.LossClass;
export const Poisson = POISSON.LossClass;
export const CosineSimilarity = COSINE.LossClass;
export const Hinge = HINGE.LossClass;
export const SquaredHinge = SQ_HINGE.LossClass;
export const CategoricalHinge = CAT_HINGE.LossClass;

/** Mean squared error (also `mse`). */
export const meanSquaredError = MSE.fn;
/** Mean absolute error (also `mae`). */
export const meanAbsoluteError = MAE.fn;
/** Mean absolute percentage error (also `mape`). */
export const meanAbsolutePercentageError = MAPE.fn;
/** Mean squared logarithmic error (also `msle`). */
export const meanSquaredLogarithmicError = MSLE.fn;
/** Huber loss with `delta`. */
export const huber = HUBER.fn;
/** Log-cosh loss. */
export const logCosh = LOG_COSH.fn;
/** Binary cross-entropy with `fromLogits` and `labelSmoothing`. */
export const binaryCrossentropy = BCE.fn;
/** Categorical cross-entropy with `fromLogits` and `labelSmoothing`. */
export const categoricalCrossentropy = CCE.fn;
/** Sparse categorical cross-entropy with `fromLogits`. */
export const sparseCategoricalCrossentropy = SCCE.fn;
/** Kullback-Leibler divergence (also `kld`, `kullbackLeiblerDivergence`). */
export const klDivergence = KLD.fn;
/** Poisson loss. */
export const poisson = POISSON.fn;
/** Cosine similarity loss (negative similarity) along `axis`. */
export const cosineSimilarity = COSINE.fn;
/** Hinge loss. */
export const hinge = HINGE.fn;
/** Squared hinge loss. */
export const squaredHinge = SQ_HINGE.fn;
/** Categorical hinge loss. */
export const categoricalHinge = CAT_HINGE.fn;
export const mse = meanSquaredError;
export const mae = meanAbsoluteError;
export const mape = meanAbsolutePercentageError;
export const msle = meanSquaredLogarithmicError;
export const kld = klDivergence;
export const kullbackLeiblerDivergence = klDivergence;

const BY_NAME: Record<string, () => Loss> = {
  meanSquaredError: () => meanSquaredError(),
  mse: () => meanSquaredError(),
  meanAbsoluteError: () => meanAbsoluteError(),
  mae: () => meanAbsoluteError(),
  meanAbsolutePercentageError: () => meanAbsolutePercentageError(),
  mape: () => meanAbsolutePercentageError(),
  meanSquaredLogarithmicError: () => meanSquaredLogarithmicError(),
  msle: () => meanSquaredLogarithmicError(),
  huber: () => huber(),
  huberLoss: () => huber(),
  logCosh: () => logCosh(),
  logcosh: () => logCosh(),
  binaryCrossentropy: () => binaryCrossentropy(),
  categoricalCrossentropy: () => categoricalCrossentropy(),
  sparseCategoricalCrossentropy: () => sparseCategoricalCrossentropy(),
  kld: () => klDivergence(),
  klDivergence: () => klDivergence(),
  kullbackLeiblerDivergence: () => klDivergence(),
  poisson: () => poisson(),
  cosineSimilarity: () => cosineSimilarity(),
  cosineProximity: () => cosineSimilarity(),
  hinge: () => hinge(),
  squaredHinge: () => squaredHinge(),
  categoricalHinge: () => categoricalHinge(),
};

/** Names `compile` accepts for losses (camelCase or snake_case). */
export const lossNames = Object.keys(BY_NAME);

/**
 * Resolves a loss: a name (`"categoricalCrossentropy"` or `"categorical_crossentropy"`), a
 * `Loss`, a plain function `(yTrue, yPred) => values` (wrapped, traced with the step), or a
 * serialized `{ className, config }`.
 *
 * ```ts
 * keras.losses.get("mse").apply(yTrue, yPred);
 * ```
 */
export function get(identifier: string | Loss | LossFunction | SerializedObject): Loss {
  if (identifier instanceof Loss) return identifier;
  if (typeof identifier === "function") return new LossFunctionWrapper(identifier, { name: identifier.name || "custom_loss" });
  if (typeof identifier === "string") {
    const make = BY_NAME[identifier] ?? BY_NAME[toCamelCase(identifier)];
    if (make === undefined) throw new ConfigError(`Unknown loss '${identifier}'; valid names are ${lossNames.join(", ")}`);
    return make();
  }
  return classes.deserialize<Loss>(identifier, "loss");
}
