/**
 * Regularization layers active only in training (inference returns the input): additive
 * `GaussianNoise` (`stddev`), multiplicative `GaussianDropout` (mean 1, variance
 * `rate / (1 - rate)`), `AlphaDropout` (keeps the mean and variance of SELU activations:
 * dropped units take SELU's negative saturation value, as in Keras), and
 * `SpatialDropout1D`/`SpatialDropout2D` (drop whole channels: one decision per sample and
 * channel). Fresh noise on every training step, traced or eager. With a `seed`, noise comes
 * from a `SeedGenerator` (Keras 3): reproducible, and the same in eager and traced training.
 *
 * ```ts
 * keras.layers.gaussianNoise({ stddev: 0.1 });
 * keras.layers.spatialDropout2d({ rate: 0.2 });
 * ```
 */
import * as tf from "@kiln/core";
import { type CallOptions, Layer, type LayerArgs } from "../engine/layer.js";
import { classes, type ConfigDict } from "../engine/serialization.js";
import { ConfigError } from "../errors.js";
import { normalNoise, type SeedGenerator, seedGeneratorFor, uniformNoise } from "../random/seed_generator.js";
import { dimOf, shapeArg } from "../utils/dynamic.js";
import type { Shape } from "../utils/shape.js";

/** A layer that adds noise in training: shape and mask pass through. */
abstract class NoiseLayer extends Layer {
  /** The `seed` option (null: unseeded draws). */
  readonly seed: number | null;
  /** The generator of seeded noise (undefined without a `seed`). */
  readonly seedGenerator: SeedGenerator | undefined;
  constructor(args: LayerArgs & { seed?: number | null }) {
    super(args);
    this.supportsMasking = true;
    this.seed = args.seed ?? null;
    this.seedGenerator = seedGeneratorFor(this.seed, this.name);
  }
  protected abstract noisy(x: tf.Tensor): tf.Tensor;
  override call(inputs: tf.Tensor | tf.Tensor[], options: CallOptions = {}): tf.Tensor {
    const x = inputs as tf.Tensor;
    return options.training === true ? this.noisy(x) : x;
  }
  override computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }
  override getConfig(): ConfigDict {
    // tfjs-layers' GaussianNoise, GaussianDropout and AlphaDropout have no seed: only a given one is saved.
    return { ...(this.seed === null ? {} : { seed: this.seed }), ...super.getConfig() };
  }
  override dispose(): void {
    super.dispose();
    this.seedGenerator?.dispose();
  }
}

function rateOf(rate: number | undefined, layer: string): number {
  if (typeof rate !== "number" || !(rate >= 0 && rate < 1))
    throw new ConfigError(`${layer}: 'rate' must be in [0, 1), received ${String(rate)}`);
  return rate;
}

/** The shape of `x` as an argument for random ops (numbers when known). */
function shapeOf(x: tf.Tensor, override?: Record<number, number>): number[] | tf.Tensor {
  return shapeArg(x.shape.map((_, i) => override?.[i] ?? dimOf(x, i)));
}

/** Adds zero-mean Gaussian noise of `stddev`. */
export class GaussianNoise extends NoiseLayer {
  static override className = "GaussianNoise";
  readonly stddev: number;
  constructor(args: LayerArgs & { stddev: number; seed?: number | null }) {
    super(args);
    if (typeof args.stddev !== "number" || !(args.stddev >= 0))
      throw new ConfigError(`GaussianNoise '${this.name}': 'stddev' must be a number >= 0, received ${String(args.stddev)}`);
    this.stddev = args.stddev;
  }
  protected noisy(x: tf.Tensor): tf.Tensor {
    return tf.add(x, normalNoise(shapeOf(x), 0, this.stddev, this.seedGenerator));
  }
  override getConfig(): ConfigDict {
    return { stddev: this.stddev, ...super.getConfig() };
  }
}

/** Multiplies by Gaussian noise of mean 1 and standard deviation `sqrt(rate / (1 - rate))`. */
export class GaussianDropout extends NoiseLayer {
  static override className = "GaussianDropout";
  readonly rate: number;
  constructor(args: LayerArgs & { rate: number; seed?: number | null }) {
    super(args);
    this.rate = rateOf(args.rate, `GaussianDropout '${this.name}'`);
  }
  protected noisy(x: tf.Tensor): tf.Tensor {
    if (this.rate === 0) return x;
    return tf.mul(x, normalNoise(shapeOf(x), 1, Math.sqrt(this.rate / (1 - this.rate)), this.seedGenerator));
  }
  override getConfig(): ConfigDict {
    return { rate: this.rate, ...super.getConfig() };
  }
}

/** Dropout for self-normalizing (SELU) networks. */
export class AlphaDropout extends NoiseLayer {
  static override className = "AlphaDropout";
  readonly rate: number;
  readonly noiseShape: Shape | null;
  constructor(args: LayerArgs & { rate: number; noiseShape?: Shape | null; seed?: number | null }) {
    super(args);
    this.rate = rateOf(args.rate, `AlphaDropout '${this.name}'`);
    this.noiseShape = args.noiseShape ?? null;
  }
  protected noisy(x: tf.Tensor): tf.Tensor {
    if (this.rate === 0) return x;
    const alphaP = -1.6732632423543772 * 1.0507009873554805;
    const shape = this.noiseShape === null ? shapeOf(x) : shapeArg(this.noiseShape.map((d, i) => d ?? dimOf(x, i)));
    const kept = tf.cast(tf.greaterEqual(uniformNoise(shape, this.seedGenerator), this.rate), "float32");
    const a = ((1 - this.rate) * (1 + this.rate * alphaP ** 2)) ** -0.5;
    const b = -a * alphaP * this.rate;
    return tf.add(tf.mul(tf.add(tf.mul(x, kept), tf.mul(tf.sub(1, kept), alphaP)), a), b);
  }
  override getConfig(): ConfigDict {
    return { rate: this.rate, noiseShape: this.noiseShape, ...super.getConfig() };
  }
}

/** Drops whole channels (the last axis) of each sample. */
abstract class SpatialDropout extends NoiseLayer {
  readonly rate: number;
  constructor(args: LayerArgs & { rate: number; seed?: number | null }, rank: number) {
    super(args);
    this.rate = rateOf(args.rate, `${this.getClassName()} '${this.name}'`);
    this.inputSpec = [{ ndim: rank }];
  }
  protected noisy(x: tf.Tensor): tf.Tensor {
    if (this.rate === 0) return x;
    const ones = Object.fromEntries(x.shape.slice(1, -1).map((_, i) => [i + 1, 1]));
    const keep = tf.cast(tf.greaterEqual(uniformNoise(shapeOf(x, ones), this.seedGenerator), this.rate), "float32");
    return tf.mul(x, tf.mul(keep, 1 / (1 - this.rate)));
  }
  override getConfig(): ConfigDict {
    return { rate: this.rate, seed: this.seed, ...super.getConfig() };
  }
}

/** Drops whole feature channels of `[batch, steps, channels]` sequences. */
export class SpatialDropout1D extends SpatialDropout {
  static override className = "SpatialDropout1D";
  constructor(args: LayerArgs & { rate: number; seed?: number | null }) {
    super(args, 3);
  }
}

/** Drops whole feature maps of `[batch, height, width, channels]` images. */
export class SpatialDropout2D extends SpatialDropout {
  static override className = "SpatialDropout2D";
  constructor(args: LayerArgs & { rate: number; seed?: number | null; dataFormat?: "channelsLast" }) {
    super(args, 4);
    if ((args.dataFormat ?? "channelsLast") !== "channelsLast")
      throw new ConfigError(`SpatialDropout2D '${this.name}': only dataFormat "channelsLast" is supported`);
  }
}

for (const cls of [GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D, SpatialDropout2D])
  classes.register(cls as never, cls.className);
