/**
 * `MultiHeadAttention` with Keras 3's semantics: `query`, `value` and `key` (default:
 * value) are projected by `EinsumDense` layers to `numHeads` heads of `keyDim` (`valueDim`)
 * units, the scaled dot products of queries and keys are softmaxed over the key positions
 * (masked by the attention mask, the inputs' Keras masks and, with `useCausalMask`,
 * causality), dropped out in training, used to weigh the values, and the heads are projected
 * back to the query's size (or `outputShape`). Attention is over the sequence axis of
 * `[batch, time, features]` inputs. Weights are `query/kernel`, `query/bias`, `key/...`,
 * `value/...`, `attention_output/...` under the layer's name, as Keras and tfjs name them.
 *
 * ```ts
 * const mha = keras.layers.multiHeadAttention({ numHeads: 2, keyDim: 32 });
 * const y = mha.apply([x, x], { useCausalMask: true });           // self-attention
 * const [out, scores] = mha.apply([q, v], { returnAttentionScores: true }); // scores [batch, heads, Tq, Tv]
 * ```
 */
import * as tf from "@kiln/core";
import { type Constraint, getConstraint } from "../../constraints.js";
import { type CallOptions, Layer, type LayerArgs, type LayerInput, toList } from "../../engine/layer.js";
import type { MaskArg } from "../../engine/masking.js";
import { classes, type ConfigDict, type SerializedObject } from "../../engine/serialization.js";
import { ConfigError, InputShapeError } from "../../errors.js";
import { GlorotUniform, getInitializer, type Initializer, type InitializerIdentifier, Zeros } from "../../initializers.js";
import { getRegularizer, type Regularizer } from "../../regularizers.js";
import { applyDropout } from "../../utils/dynamic.js";
import { formatKerasShape, type Shape } from "../../utils/shape.js";
import { serializeOptional } from "../config_helpers.js";
import { EinsumDense } from "./einsum_dense.js";
import { andMasks, causalMask, maskedSoftmax } from "./masks.js";

type InitArg = Initializer | InitializerIdentifier | SerializedObject;

/** Options of `multiHeadAttention` (Keras 3's names, camelCase). */
export interface MultiHeadAttentionArgs extends LayerArgs {
  numHeads: number;
  keyDim: number;
  /** Units per head for values (default `keyDim`). */
  valueDim?: number | null;
  /** Fraction of attention weights dropped in training. */
  dropout?: number;
  useBias?: boolean;
  /** The output's last dimension(s) (default: the query's features). */
  outputShape?: number | number[] | null;
  /** Only the default (attention over the sequence axis) is supported. */
  attentionAxes?: number[] | null;
  kernelInitializer?: InitArg;
  biasInitializer?: InitArg;
  kernelRegularizer?: Regularizer | SerializedObject | string;
  biasRegularizer?: Regularizer | SerializedObject | string;
  kernelConstraint?: Constraint | SerializedObject | string;
  biasConstraint?: Constraint | SerializedObject | string;
  seed?: number | null;
}

/** Call options of `multiHeadAttention`. */
export interface MultiHeadAttentionCallOptions extends CallOptions {
  /** `value` and `key`, when the query is given alone (tfjs's form). */
  value?: tf.Tensor | LayerInput;
  key?: tf.Tensor | LayerInput;
  /** `[batch, Tq, Tv]` booleans: which key positions each query position may attend to. */
  attentionMask?: tf.Tensor;
  useCausalMask?: boolean;
  returnAttentionScores?: boolean;
}

/** Multi-head scaled dot-product attention. */
export class MultiHeadAttention extends Layer {
  static override className = "MultiHeadAttention";
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  readonly useBias: boolean;
  readonly outputShapeOption: number[] | null;
  readonly seed: number | null;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | undefined;
  readonly biasRegularizer: Regularizer | undefined;
  readonly kernelConstraint: Constraint | undefined;
  readonly biasConstraint: Constraint | undefined;
  queryDense: EinsumDense | undefined = undefined;
  keyDense: EinsumDense | undefined = undefined;
  valueDense: EinsumDense | undefined = undefined;
  outputDense: EinsumDense | undefined = undefined;

  constructor(args: MultiHeadAttentionArgs) {
    super(args);
    const what = `MultiHeadAttention '${this.name}'`;
    for (const key of ["numHeads", "keyDim"] as const) {
      if (!Number.isInteger(args[key]) || args[key] <= 0)
        throw new ConfigError(`${what}: '${key}' must be a positive integer, received ${args[key]}`);
    }
    this.numHeads = args.numHeads;
    this.keyDim = args.keyDim;
    this.valueDim = args.valueDim ?? args.keyDim;
    this.dropout = args.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new ConfigError(`${what}: 'dropout' must be in [0, 1), received ${args.dropout}`);
    this.useBias = args.useBias ?? true;
    this.outputShapeOption =
      args.outputShape === undefined || args.outputShape === null
        ? null
        : typeof args.outputShape === "number"
          ? [args.outputShape]
          : [...args.outputShape];
    if (
      args.attentionAxes !== undefined &&
      args.attentionAxes !== null &&
      !(args.attentionAxes.length === 1 && (args.attentionAxes[0] === 1 || args.attentionAxes[0] === -2))
    ) {
      throw new ConfigError(
        `${what}: only attention over the sequence axis is supported (attentionAxes null or [1]), received ${JSON.stringify(args.attentionAxes)}`,
      );
    }
    this.seed = args.seed ?? null;
    this.kernelInitializer = getInitializer(args.kernelInitializer, new GlorotUniform());
    this.biasInitializer = getInitializer(args.biasInitializer, new Zeros());
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer);
    this.biasRegularizer = getRegularizer(args.biasRegularizer);
    this.kernelConstraint = getConstraint(args.kernelConstraint);
    this.biasConstraint = getConstraint(args.biasConstraint);
    this.supportsMasking = true;
  }

  /** Applies the layer to `[query, value]` or `[query, value, key]`, or to `query` with `{ value, key }` (tfjs's form). */
  override apply(inputs: LayerInput, options: MultiHeadAttentionCallOptions = {}): any {
    const { value, key, ...rest } = options;
    if (value === undefined) return super.apply(inputs, rest);
    if (Array.isArray(inputs))
      throw new ConfigError(`MultiHeadAttention '${this.name}': give value either in the input list or as an option, not both`);
    return super.apply([inputs, value, ...(key === undefined ? [] : [key])] as LayerInput, rest);
  }

  private shapes(inputShape: Shape | Shape[]): [Shape, Shape, Shape] {
    if (!Array.isArray(inputShape[0]) || inputShape.length < 2 || inputShape.length > 3) {
      throw new InputShapeError(
        `MultiHeadAttention '${this.name}' must be called on [query, value] or [query, value, key] (or query with { value })`,
      );
    }
    const [query, value, key = value] = inputShape as Shape[];
    for (const [name, s] of [
      ["query", query],
      ["value", value],
      ["key", key],
    ] as const) {
      if (s!.length !== 3)
        throw new InputShapeError(
          `MultiHeadAttention '${this.name}': ${name} must have rank 3 [batch, time, features], received ${formatKerasShape(s!)}`,
        );
      if (typeof s!.at(-1) !== "number")
        throw new InputShapeError(
          `MultiHeadAttention '${this.name}': the features of ${name} must be known, received ${formatKerasShape(s!)}`,
        );
    }
    if (value![1] !== null && key![1] !== null && value![1] !== key![1]) {
      throw new InputShapeError(
        `MultiHeadAttention '${this.name}': value and key must have the same length, received ${formatKerasShape(value!)} and ${formatKerasShape(key!)}`,
      );
    }
    return [query!, value!, key!];
  }

  private projection(name: string, equation: string, outputShape: (number | null)[], biasAxes: string): EinsumDense {
    const layer = new EinsumDense({
      name,
      equation,
      outputShape,
      biasAxes: this.useBias ? biasAxes : null,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
      ...(this.kernelRegularizer === undefined ? {} : { kernelRegularizer: this.kernelRegularizer }),
      ...(this.biasRegularizer === undefined ? {} : { biasRegularizer: this.biasRegularizer }),
      ...(this.kernelConstraint === undefined ? {} : { kernelConstraint: this.kernelConstraint }),
      ...(this.biasConstraint === undefined ? {} : { biasConstraint: this.biasConstraint }),
    });
    layer.weightPrefix = `${this.weightPrefix ?? this.name}/${name}`;
    return layer;
  }

  override build(inputShape: Shape | Shape[]): void {
    const [query, value, key] = this.shapes(inputShape);
    const build = (layer: EinsumDense, shape: Shape) => {
      tf.initScope(() => layer.build(shape));
      layer.built = true;
      return layer;
    };
    this.queryDense = build(this.projection("query", "abc,cde->abde", [null, this.numHeads, this.keyDim], "de"), query);
    this.keyDense = build(this.projection("key", "abc,cde->abde", [null, this.numHeads, this.keyDim], "de"), key);
    this.valueDense = build(this.projection("value", "abc,cde->abde", [null, this.numHeads, this.valueDim], "de"), value);
    const outputDims = this.outputShapeOption ?? [query.at(-1) as number];
    const letters = "efgh".slice(0, outputDims.length);
    this.outputDense = build(this.projection("attention_output", `abcd,cd${letters}->ab${letters}`, [null, ...outputDims], letters), [
      query[0]!,
      query[1]!,
      this.numHeads,
      this.valueDim,
    ]);
    this.built = true;
  }

  /** The mask of allowed (query, key) pairs: the explicit mask, the inputs' masks and causality. */
  private attentionMask(
    query: tf.Tensor,
    value: tf.Tensor,
    masks: (tf.Tensor | undefined)[],
    options: MultiHeadAttentionCallOptions,
  ): tf.Tensor | undefined {
    const [queryMask, valueMask, keyMask] = masks;
    return andMasks(
      options.attentionMask,
      queryMask === undefined ? undefined : tf.expandDims(queryMask, 2),
      valueMask === undefined ? undefined : tf.expandDims(valueMask, 1),
      keyMask === undefined ? undefined : tf.expandDims(keyMask, 1),
      options.useCausalMask === true ? causalMask(query, value) : undefined,
    );
  }

  override call(inputs: tf.Tensor | tf.Tensor[], options: MultiHeadAttentionCallOptions = {}): tf.Tensor | tf.Tensor[] {
    const list = toList(inputs);
    this.shapes(list.map((t) => [...t.shape]) as Shape[]);
    const [query, value, key = value] = list as [tf.Tensor, tf.Tensor, tf.Tensor?];
    const masks = Array.isArray(options.mask) ? options.mask : [options.mask];
    const mask = this.attentionMask(query, value, masks, options);
    const q = tf.mul(this.queryDense!.apply(query) as tf.Tensor, 1 / Math.sqrt(this.keyDim));
    const k = this.keyDense!.apply(key!) as tf.Tensor;
    const v = this.valueDense!.apply(value) as tf.Tensor;
    // [batch, heads, Tq, Tk]
    const scores = maskedSoftmax(tf.einsum("aecd,abcd->acbe", k, q), mask === undefined ? undefined : tf.expandDims(mask, 1));
    const attended = options.training === true ? applyDropout(scores, this.dropout) : scores;
    const heads = tf.einsum("acbe,aecd->abcd", attended, v);
    const output = this.outputDense!.apply(heads) as tf.Tensor;
    return options.returnAttentionScores === true ? [output, scores] : output;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [query] = this.shapes(inputShape);
    return [...query.slice(0, -1), ...(this.outputShapeOption ?? [query.at(-1)!])];
  }

  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: MaskArg): MaskArg {
    return Array.isArray(mask) ? mask[0] : mask;
  }

  override getConfig(): ConfigDict {
    return {
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.dropout,
      useBias: this.useBias,
      outputShape: this.outputShapeOption,
      attentionAxes: null,
      seed: this.seed,
      kernelInitializer: serializeOptional(this.kernelInitializer),
      biasInitializer: serializeOptional(this.biasInitializer),
      kernelRegularizer: serializeOptional(this.kernelRegularizer),
      biasRegularizer: serializeOptional(this.biasRegularizer),
      activityRegularizer: serializeOptional(this.activityRegularizer),
      kernelConstraint: serializeOptional(this.kernelConstraint),
      biasConstraint: serializeOptional(this.biasConstraint),
      ...super.getConfig(),
    };
  }
}
classes.register(MultiHeadAttention as never, MultiHeadAttention.className);
