/**
 * Preprocessing layers: `Rescaling` (`x * scale + offset`, e.g. pixels to [0, 1]) and
 * `Normalization` (`(x - mean) / sqrt(variance)` per feature along `axis`, with the
 * statistics given or learned from data by `adapt`, Keras 3's layer; `invert` maps back).
 * The statistics are non-trainable weights, so they are saved with the model.
 *
 * ```ts
 * const norm = keras.layers.normalization({ axis: -1 });
 * norm.adapt(trainingFeatures);              // mean and variance of every feature
 * keras.layers.rescaling({ scale: 1 / 255 });
 * ```
 */
import * as tf from "@kiln/core";
import { Layer, type LayerArgs } from "../engine/layer.js";
import { classes, type ConfigDict } from "../engine/serialization.js";
import { ConfigError, InputShapeError } from "../errors.js";
import { Initializer, Ones, Zeros } from "../initializers.js";
import { formatKerasShape, positiveAxis, type Shape } from "../utils/shape.js";

/** `x * scale + offset`. */
export class Rescaling extends Layer {
  static override className = "Rescaling";
  readonly scale: number;
  readonly offset: number;
  constructor(args: LayerArgs & { scale: number; offset?: number }) {
    super(args);
    if (typeof args.scale !== "number" || !Number.isFinite(args.scale))
      throw new ConfigError(`Rescaling '${this.name}': 'scale' must be a finite number, received ${String(args.scale)}`);
    this.scale = args.scale;
    this.offset = args.offset ?? 0;
    this.supportsMasking = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    const y = tf.mul(x.dtype === "float32" ? x : tf.cast(x, "float32"), this.scale);
    return this.offset === 0 ? y : tf.add(y, this.offset);
  }
  override computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }
  override getConfig(): ConfigDict {
    return { scale: this.scale, offset: this.offset, ...super.getConfig() };
  }
}

/** Options of `normalization` (Keras 3). */
export interface NormalizationArgs extends LayerArgs {
  /** The feature axis (or axes) with their own statistics; `null` for one mean and variance over everything. */
  axis?: number | number[] | null;
  /** Fixed statistics instead of `adapt` (a number, or one value per feature). */
  mean?: number | number[] | null;
  variance?: number | number[] | null;
  /** Undo the normalization instead: `x * sqrt(variance) + mean`. */
  invert?: boolean;
}

const EPSILON = 1e-7;

/** The initial value of given statistics: a number or one value per feature, in the statistics' shape. */
class GivenStatistics extends Initializer {
  static override className = "GivenStatistics";
  constructor(private readonly value: number | number[]) {
    super();
  }
  apply(shape: readonly number[]): tf.Tensor {
    return tf.tidy(() => tf.reshape(tf.broadcastTo(tf.tensor(this.value), [shape.reduce((a, b) => a * b, 1)]), shape));
  }
}

/** Per-feature standardization with statistics given or adapted to data. */
export class Normalization extends Layer {
  static override className = "Normalization";
  readonly axis: number[];
  readonly invert: boolean;
  readonly #givenMean: number | number[] | null;
  readonly #givenVariance: number | number[] | null;
  mean: tf.Variable | undefined;
  variance: tf.Variable | undefined;

  constructor(args: NormalizationArgs = {}) {
    super(args);
    this.axis = args.axis === null ? [] : Array.isArray(args.axis) ? [...args.axis] : [args.axis ?? -1];
    this.invert = args.invert ?? false;
    this.#givenMean = args.mean ?? null;
    this.#givenVariance = args.variance ?? null;
    if ((this.#givenMean === null) !== (this.#givenVariance === null))
      throw new ConfigError(`Normalization '${this.name}': give both 'mean' and 'variance', or neither (and call adapt)`);
    this.supportsMasking = true;
  }

  /** The kept axes of an input of rank `rank`, and the statistics' shape (kept axes' sizes, 1 elsewhere, no batch axis). */
  private layout(inputShape: readonly (number | null)[]): { kept: number[]; reduced: number[]; statShape: number[] } {
    const rank = inputShape.length;
    const kept = this.axis.map((a) => positiveAxis(a, rank));
    if (kept.some((a) => a <= 0 || a >= rank))
      throw new InputShapeError(
        `Normalization '${this.name}': axis ${JSON.stringify(this.axis)} is invalid for inputs of shape ${formatKerasShape(inputShape)} (the batch axis cannot be kept)`,
      );
    const statShape = inputShape.slice(1).map((d, i) => {
      if (!kept.includes(i + 1)) return 1;
      if (d === null)
        throw new InputShapeError(
          `Normalization '${this.name}': axis ${i + 1} must have a known size, received ${formatKerasShape(inputShape)}`,
        );
      return d;
    });
    return { kept, reduced: Array.from({ length: rank }, (_, i) => i).filter((i) => !kept.includes(i)), statShape };
  }

  override build(inputShape: Shape): void {
    const { statShape } = this.layout(inputShape);
    const given = (value: number | number[] | null, fallback: Initializer) => (value === null ? fallback : new GivenStatistics(value));
    this.mean = this.addWeight("mean", statShape, "float32", given(this.#givenMean, new Zeros()), undefined, false);
    this.variance = this.addWeight("variance", statShape, "float32", given(this.#givenVariance, new Ones()), undefined, false);
    this.built = true;
  }

  /**
   * Sets the mean and variance from data: one tensor, or a list of batches (combined as if
   * concatenated). The layer is built from the data's shape if needed.
   *
   * ```ts
   * norm.adapt(tf.tensor([[1, 10], [3, 30]])); // mean [2, 20], variance [1, 100]
   * ```
   */
  adapt(data: tf.Tensor | tf.Tensor[]): void {
    const batches = Array.isArray(data) ? data : [data];
    if (batches.length === 0) throw new ConfigError(`Normalization '${this.name}': adapt needs data, received an empty list`);
    if (this.#givenMean !== null) throw new ConfigError(`Normalization '${this.name}' was given its mean and variance, so it cannot adapt`);
    const shape = [null, ...batches[0]!.shape.slice(1)] as Shape;
    const { reduced, statShape } = this.layout(shape);
    if (!this.built) this.maybeBuild(shape);
    tf.tidy(() => {
      // Running totals of count, sum and sum of squares: batches combine exactly.
      let count = 0;
      let total = tf.zeros(statShape);
      let squares = tf.zeros(statShape);
      for (const batch of batches) {
        if (batch.rank !== shape.length)
          throw new InputShapeError(
            `Normalization '${this.name}': adapt batches must all have rank ${shape.length}, received ${formatKerasShape(batch.shape)}`,
          );
        const x = tf.cast(batch, "float32");
        count += reduced.reduce((n, a) => n * (batch.shape[a] as number), 1);
        total = tf.add(total, tf.reshape(tf.sum(x, reduced), statShape));
        squares = tf.add(squares, tf.reshape(tf.sum(tf.square(x), reduced), statShape));
      }
      const mean = tf.div(total, count);
      this.mean!.assign(mean);
      this.variance!.assign(tf.maximum(tf.sub(tf.div(squares, count), tf.square(mean)), 0));
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = tf.cast(inputs as tf.Tensor, "float32");
    const std = tf.maximum(tf.sqrt(this.variance!), EPSILON);
    if (this.invert) return tf.add(tf.mul(x, std), this.mean!);
    return tf.div(tf.sub(x, this.mean!), std);
  }

  override computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override getConfig(): ConfigDict {
    return {
      axis: this.axis.length === 0 ? null : this.axis.length === 1 ? this.axis[0]! : this.axis,
      mean: this.#givenMean,
      variance: this.#givenVariance,
      invert: this.invert,
      ...super.getConfig(),
    };
  }
}

for (const cls of [Rescaling, Normalization]) classes.register(cls as never, cls.className);
