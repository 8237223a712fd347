/**
 * `Embedding`: integer ids to dense vectors (`[batch, ...] -> [batch, ..., outputDim]`).
 *
 * ```ts
 * keras.layers.embedding({ inputDim: 1000, outputDim: 16 });
 * ```
 */
import * as tf from "@kiln/core";
import { type Constraint, getConstraint } from "../constraints.js";
import { Layer, type LayerArgs } from "../engine/layer.js";
import type { MaskArg } from "../engine/masking.js";
import { classes, type ConfigDict, type SerializedObject } from "../engine/serialization.js";
import { ConfigError } from "../errors.js";
import { getInitializer, type Initializer, type InitializerIdentifier, RandomUniform } from "../initializers.js";
import { getRegularizer, type Regularizer } from "../regularizers.js";
import type { Shape } from "../utils/shape.js";
import { serializeOptional } from "./config_helpers.js";

/** Options of `embedding` (tfjs-layers' names). */
export interface EmbeddingArgs extends LayerArgs {
  inputDim: number;
  outputDim: number;
  embeddingsInitializer?: Initializer | InitializerIdentifier | SerializedObject;
  embeddingsRegularizer?: Regularizer | SerializedObject | string;
  embeddingsConstraint?: Constraint | SerializedObject | string;
  maskZero?: boolean;
  inputLength?: number | number[];
}

/** A lookup table of `inputDim` vectors of size `outputDim`. */
export class Embedding extends Layer {
  static override className = "Embedding";
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: Initializer;
  readonly embeddingsRegularizer: Regularizer | undefined;
  readonly embeddingsConstraint: Constraint | undefined;
  readonly maskZero: boolean;
  readonly inputLength: number | number[] | undefined;
  embeddings: tf.Variable | undefined;

  constructor(args: EmbeddingArgs) {
    const withShape =
      args.inputShape === undefined && args.batchInputShape === undefined && args.inputLength !== undefined
        ? { ...args, inputShape: typeof args.inputLength === "number" ? [args.inputLength] : args.inputLength }
        : args;
    super(withShape);
    if (!Number.isInteger(args.inputDim) || args.inputDim <= 0 || !Number.isInteger(args.outputDim) || args.outputDim <= 0) {
      throw new ConfigError(`Embedding '${this.name}': 'inputDim' and 'outputDim' must be positive integers`);
    }
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
    this.embeddingsInitializer = getInitializer(args.embeddingsInitializer, new RandomUniform());
    this.embeddingsRegularizer = getRegularizer(args.embeddingsRegularizer);
    this.embeddingsConstraint = getConstraint(args.embeddingsConstraint);
    this.maskZero = args.maskZero ?? false;
    this.inputLength = args.inputLength;
  }

  override build(): void {
    this.embeddings = this.addWeight(
      "embeddings",
      [this.inputDim, this.outputDim],
      "float32",
      this.embeddingsInitializer,
      this.embeddingsRegularizer,
      true,
      this.embeddingsConstraint,
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const ids = inputs as tf.Tensor;
    return tf.gather(this.embeddings!, ids.dtype === "int32" ? ids : tf.cast(ids, "int32"));
  }

  /** With `maskZero`, id 0 is padding: the mask is `ids !== 0`. */
  override computeMask(inputs: tf.Tensor | tf.Tensor[]): MaskArg {
    return this.maskZero ? tf.notEqual(inputs as tf.Tensor, 0) : undefined;
  }

  override computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape, this.outputDim];
  }

  override getConfig(): ConfigDict {
    return {
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      embeddingsInitializer: serializeOptional(this.embeddingsInitializer),
      embeddingsRegularizer: serializeOptional(this.embeddingsRegularizer),
      activityRegularizer: serializeOptional(this.activityRegularizer),
      embeddingsConstraint: serializeOptional(this.embeddingsConstraint),
      maskZero: this.maskZero,
      inputLength: this.inputLength ?? null,
      ...super.getConfig(),
    };
  }
}
classes.register(Embedding as never, "Embedding");
