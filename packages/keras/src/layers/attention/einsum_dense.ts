/**
 * `EinsumDense` (Keras 3): a dense layer whose product is an einsum equation between the
 * input and a kernel, with the output shape (without the batch axis) given, and a bias over
 * `biasAxes`. The projections of `multiHeadAttention` are EinsumDense layers:
 * `"abc,cde->abde"` maps `[batch, time, dim]` to `[batch, time, heads, keyDim]`.
 *
 * ```ts
 * keras.layers.einsumDense({ equation: "abc,cde->abde", outputShape: [null, 4, 16], biasAxes: "de" });
 * keras.layers.einsumDense({ equation: "ab,bc->ac", outputShape: 64 }); // a Dense layer
 * ```
 */
import * as tf from "@kiln/core";
import { type Activation, type ActivationIdentifier, getActivation, serializeActivation } from "../../activations.js";
import { type Constraint, getConstraint } from "../../constraints.js";
import { Layer, type LayerArgs } from "../../engine/layer.js";
import { classes, type ConfigDict, type SerializedObject } from "../../engine/serialization.js";
import { ConfigError, InputShapeError } from "../../errors.js";
import { GlorotUniform, getInitializer, type Initializer, type InitializerIdentifier, Zeros } from "../../initializers.js";
import { getRegularizer, type Regularizer } from "../../regularizers.js";
import { formatKerasShape, type Shape } from "../../utils/shape.js";
import { serializeOptional } from "../config_helpers.js";

/** Options of `einsumDense`. */
export interface EinsumDenseArgs extends LayerArgs {
  /** `input,kernel->output` with one letter per axis, e.g. `"abc,cde->abde"`. */
  equation: string;
  /** The output's shape without the batch axis (`null` for a size taken from the input). */
  outputShape: number | (number | null)[];
  activation?: ActivationIdentifier | Activation;
  /** Output letters the bias spans (none: no bias). */
  biasAxes?: string | null;
  kernelInitializer?: Initializer | InitializerIdentifier | SerializedObject;
  biasInitializer?: Initializer | InitializerIdentifier | SerializedObject;
  kernelRegularizer?: Regularizer | SerializedObject | string;
  biasRegularizer?: Regularizer | SerializedObject | string;
  kernelConstraint?: Constraint | SerializedObject | string;
  biasConstraint?: Constraint | SerializedObject | string;
}

/** The kernel's, bias's and full output's shapes for an input shape (Keras's `_analyze_split_string`). */
export function analyzeEinsum(layer: string, equation: string, biasAxes: string | null, inputShape: Shape, outputShape: (number | null)[]) {
  const match = /^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$/.exec(equation.replace(/\s+/g, ""));
  if (match === null)
    throw new ConfigError(`${layer}: equation must look like "ab,bc->ac" (letters only, no ellipsis), received "${equation}"`);
  const [, inputSpec, weightSpec, outputSpec] = match as unknown as [string, string, string, string];
  if (inputSpec.length !== inputShape.length) {
    throw new InputShapeError(
      `${layer}: equation "${equation}" expects inputs of rank ${inputSpec.length}, received shape ${formatKerasShape(inputShape)}`,
    );
  }
  if (outputShape.length + 1 !== outputSpec.length) {
    throw new ConfigError(
      `${layer}: outputShape ${JSON.stringify(outputShape)} (without the batch axis) must have ${outputSpec.length - 1} entries for "${equation}"`,
    );
  }
  const fullOutput: Shape = [inputShape[0] ?? null, ...outputShape];
  for (const [i, c] of [...outputSpec].entries()) {
    const inInput = inputSpec.indexOf(c);
    if (inInput >= 0) {
      const d = inputShape[inInput] ?? null;
      if (fullOutput[i] !== null && d !== null && fullOutput[i] !== d) {
        throw new InputShapeError(`${layer}: output axis '${c}' has size ${fullOutput[i]} but the input's has ${d}`);
      }
      fullOutput[i] = fullOutput[i] ?? d;
    } else if (!weightSpec.includes(c)) {
      throw new ConfigError(`${layer}: output letter '${c}' of "${equation}" is in neither the input nor the kernel`);
    }
  }
  const kernelShape = [...weightSpec].map((c) => {
    const inInput = inputSpec.indexOf(c);
    const size = inInput >= 0 ? inputShape[inInput] : fullOutput[outputSpec.indexOf(c)];
    if (typeof size !== "number")
      throw new InputShapeError(`${layer}: the kernel's axis '${c}' needs a known size (from the input or outputShape)`);
    return size;
  });
  let biasShape: number[] | undefined;
  if (biasAxes !== null && biasAxes.length > 0) {
    for (const c of biasAxes)
      if (!outputSpec.includes(c)) throw new ConfigError(`${layer}: bias axis '${c}' is not an output letter of "${equation}"`);
    const first = Math.min(...[...biasAxes].map((c) => outputSpec.indexOf(c)));
    biasShape = [...outputSpec.slice(first)].map((c) => {
      if (!biasAxes.includes(c)) return 1;
      const size = fullOutput[outputSpec.indexOf(c)];
      if (typeof size !== "number") throw new InputShapeError(`${layer}: the bias axis '${c}' needs a known size`);
      return size;
    });
  }
  return { kernelShape, biasShape, fullOutput };
}

/** A dense layer defined by an einsum equation. */
export class EinsumDense extends Layer {
  static override className = "EinsumDense";
  readonly equation: string;
  readonly partialOutputShape: (number | null)[];
  readonly biasAxes: string | null;
  readonly activation: Activation;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | undefined;
  readonly biasRegularizer: Regularizer | undefined;
  readonly kernelConstraint: Constraint | undefined;
  readonly biasConstraint: Constraint | undefined;
  kernel: tf.Variable | undefined;
  bias: tf.Variable | undefined;

  constructor(args: EinsumDenseArgs) {
    super(args);
    if (typeof args.equation !== "string") throw new ConfigError(`EinsumDense '${this.name}': option 'equation' is required`);
    this.equation = args.equation;
    this.partialOutputShape = typeof args.outputShape === "number" ? [args.outputShape] : [...(args.outputShape ?? [])];
    this.biasAxes = args.biasAxes ?? null;
    this.activation = getActivation(args.activation);
    this.kernelInitializer = getInitializer(args.kernelInitializer, new GlorotUniform());
    this.biasInitializer = getInitializer(args.biasInitializer, new Zeros());
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer);
    this.biasRegularizer = getRegularizer(args.biasRegularizer);
    this.kernelConstraint = getConstraint(args.kernelConstraint);
    this.biasConstraint = getConstraint(args.biasConstraint);
    this.supportsMasking = true;
  }

  private analyze(inputShape: Shape) {
    return analyzeEinsum(`EinsumDense '${this.name}'`, this.equation, this.biasAxes, inputShape, this.partialOutputShape);
  }

  override build(inputShape: Shape): void {
    const { kernelShape, biasShape } = this.analyze(inputShape);
    this.kernel = this.addWeight(
      "kernel",
      kernelShape,
      undefined,
      this.kernelInitializer,
      this.kernelRegularizer,
      true,
      this.kernelConstraint,
    );
    if (biasShape !== undefined)
      this.bias = this.addWeight("bias", biasShape, undefined, this.biasInitializer, this.biasRegularizer, true, this.biasConstraint);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    let y = tf.einsum(this.equation, inputs as tf.Tensor, this.kernel!.read());
    if (this.bias !== undefined) y = tf.add(y, this.bias);
    return this.activation.apply(y);
  }

  override computeOutputShape(inputShape: Shape): Shape {
    const full = this.analyze(inputShape).fullOutput;
    return [inputShape[0] ?? null, ...full.slice(1)];
  }

  override getConfig(): ConfigDict {
    return {
      equation: this.equation,
      outputShape: this.partialOutputShape,
      activation: serializeActivation(this.activation),
      biasAxes: this.biasAxes,
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
classes.register(EinsumDense as never, EinsumDense.className);
