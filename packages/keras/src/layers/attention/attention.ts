/**
 * `Attention` (dot-product, Luong style) and `AdditiveAttention` (Bahdanau style), with
 * Keras 3's semantics: called on `[query, value]` or `[query, value, key]` (key defaults
 * to value), scores from query and key, a softmax over the value positions (masked by the
 * value's mask and, with `useCausalMask`, by causality), dropout on the weights in
 * training, the weighted sum of values, zeroed where the query is masked. The output keeps
 * the query's mask; `returnAttentionScores` also returns the weights.
 *
 * ```ts
 * const context = keras.layers.attention().apply([query, value]);
 * const [out, scores] = keras.layers.additiveAttention().apply([q, v], { returnAttentionScores: true });
 * ```
 */
import * as tf from "@kiln/core";
import { type CallOptions, Layer, type LayerArgs } from "../../engine/layer.js";
import type { MaskArg } from "../../engine/masking.js";
import { classes, type ConfigDict } from "../../engine/serialization.js";
import { ConfigError, InputShapeError } from "../../errors.js";
import { GlorotUniform, Ones } from "../../initializers.js";
import { applyDropout } from "../../utils/dynamic.js";
import { formatKerasShape, type Shape } from "../../utils/shape.js";
import { andMasks, causalMask, maskedSoftmax } from "./masks.js";

/** Call options of the attention layers. */
export interface AttentionCallOptions extends CallOptions {
  returnAttentionScores?: boolean;
  useCausalMask?: boolean;
}

/** Options shared by `attention` and `additiveAttention`. */
export interface BaseAttentionArgs extends LayerArgs {
  /** Learn a scale for the scores. */
  useScale?: boolean;
  /** Fraction of attention weights dropped in training. */
  dropout?: number;
  seed?: number | null;
}

/** The shared machinery: inputs, masks, softmax, dropout, weighted sum. */
abstract class BaseDenseAttention extends Layer {
  readonly useScale: boolean;
  readonly dropout: number;
  readonly seed: number | null;

  constructor(args: BaseAttentionArgs, defaultScale: boolean) {
    super(args);
    this.useScale = args.useScale ?? defaultScale;
    this.dropout = args.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1))
      throw new ConfigError(`${this.getClassName()} '${this.name}': 'dropout' must be in [0, 1), received ${args.dropout}`);
    this.seed = args.seed ?? null;
    this.supportsMasking = true;
  }

  /** `[batch, Tq, Tv]` scores of queries against keys. */
  protected abstract scores(query: tf.Tensor, key: tf.Tensor): tf.Tensor;

  protected unpack(inputs: tf.Tensor[] | Shape[]): void {
    if (!Array.isArray(inputs) || inputs.length < 2 || inputs.length > 3) {
      throw new InputShapeError(
        `${this.getClassName()} '${this.name}' must be called on [query, value] or [query, value, key], received ${Array.isArray(inputs) ? inputs.length : 1} input(s)`,
      );
    }
  }

  override call(inputs: tf.Tensor | tf.Tensor[], options: AttentionCallOptions = {}): tf.Tensor | tf.Tensor[] {
    this.unpack(inputs as tf.Tensor[]);
    const [query, value, key = value] = inputs as tf.Tensor[];
    const masks = Array.isArray(options.mask) ? options.mask : [options.mask];
    const [queryMask, valueMask] = masks;
    const scores = this.scores(query!, key!);
    const mask = andMasks(
      valueMask === undefined ? undefined : tf.expandDims(valueMask, -2),
      options.useCausalMask === true ? causalMask(query!, value!) : undefined,
    );
    const weights = maskedSoftmax(scores, mask);
    const attended = options.training === true ? applyDropout(weights, this.dropout) : weights;
    let result = tf.matMul(attended, value!);
    if (queryMask !== undefined) result = tf.mul(result, tf.cast(tf.expandDims(queryMask, -1), result.dtype));
    return options.returnAttentionScores === true ? [result, weights] : result;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    this.unpack(inputShape as Shape[]);
    const [query, value] = inputShape as Shape[];
    return [...query!.slice(0, -1), value!.at(-1)!];
  }

  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: MaskArg): MaskArg {
    return Array.isArray(mask) ? mask[0] : undefined;
  }

  override getConfig(): ConfigDict {
    return { useScale: this.useScale, dropout: this.dropout, seed: this.seed, ...super.getConfig() };
  }
}

/** Dot-product attention: `scores = query · keyᵀ` (times a learned scalar `scale` with `useScale`). */
export class Attention extends BaseDenseAttention {
  static override className = "Attention";
  /** `dot` (`query · keyᵀ`) or `concat` (`sum(tanh(query + key))`, times a learned weight). */
  readonly scoreMode: "dot" | "concat";
  scale: tf.Variable | undefined;
  concatScoreWeight: tf.Variable | undefined;

  constructor(args: BaseAttentionArgs & { scoreMode?: "dot" | "concat" } = {}) {
    super(args, false);
    this.scoreMode = args.scoreMode ?? "dot";
    if (this.scoreMode !== "dot" && this.scoreMode !== "concat")
      throw new ConfigError(`Attention '${this.name}': scoreMode must be "dot" or "concat", received ${JSON.stringify(args.scoreMode)}`);
  }

  override build(_inputShape: Shape | Shape[]): void {
    if (this.useScale) this.scale = this.addWeight("scale", [], "float32", new Ones());
    if (this.scoreMode === "concat") this.concatScoreWeight = this.addWeight("concat_score_weight", [], "float32", new Ones());
    this.built = true;
  }

  protected scores(query: tf.Tensor, key: tf.Tensor): tf.Tensor {
    if (this.scoreMode === "dot") {
      const scores = tf.matMul(query, key, false, true);
      return this.scale === undefined ? scores : tf.mul(scores, this.scale);
    }
    let sum = tf.add(tf.expandDims(query, -2), tf.expandDims(key, -3));
    if (this.scale !== undefined) sum = tf.mul(sum, this.scale);
    return tf.mul(tf.sum(tf.tanh(sum), -1), this.concatScoreWeight!);
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig(), scoreMode: this.scoreMode };
  }
}

/** Additive attention: `scores = sum(scale * tanh(query + key))` over features, `scale` learned per feature. */
export class AdditiveAttention extends BaseDenseAttention {
  static override className = "AdditiveAttention";
  scale: tf.Variable | undefined;

  constructor(args: BaseAttentionArgs = {}) {
    super(args, true);
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = (inputShape as Shape[])[0]?.at(-1);
    if (this.useScale) {
      if (typeof dim !== "number")
        throw new InputShapeError(
          `AdditiveAttention '${this.name}': the query's last dimension must be known, received ${formatKerasShape((inputShape as Shape[])[0] ?? [])}`,
        );
      this.scale = this.addWeight("scale", [dim], "float32", new GlorotUniform());
    }
    this.built = true;
  }

  protected scores(query: tf.Tensor, key: tf.Tensor): tf.Tensor {
    const t = tf.tanh(tf.add(tf.expandDims(query, -2), tf.expandDims(key, -3)));
    return tf.sum(this.scale === undefined ? t : tf.mul(t, this.scale), -1);
  }
}

for (const cls of [Attention, AdditiveAttention]) classes.register(cls as never, cls.className);
