/**
 * Transposed convolutions `Conv2DTranspose` and `Conv1DTranspose` (channels-last): the
 * gradient of a convolution with respect to its input, used to upsample. The kernel is
 * `[...kernelSize, filters, inChannels]` (Keras's layout); the output length per axis is
 * `input * stride + max(kernel - stride, 0)` with `valid` padding and `input * stride` with
 * `same`, plus `outputPadding`.
 *
 * ```ts
 * keras.layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: "same" }); // 14x14 -> 28x28
 * ```
 */
import * as tf from "@kiln/core";
import type { ConfigDict } from "../engine/serialization.js";
import { classes } from "../engine/serialization.js";
import { ConfigError, InputShapeError } from "../errors.js";
import { normalizeTuple, type Shape } from "../utils/shape.js";
import { Conv, type ConvArgs } from "./convolutional.js";

/** Options of the transposed convolutions. */
export interface ConvTransposeArgs extends ConvArgs {
  /** Extra rows/columns added to one side of the output (each less than the stride). */
  outputPadding?: number | number[] | null;
}

/** The output length of a transposed convolution along one axis (Keras's `deconv_output_length`). */
export function deconvOutputLength(
  length: number | null,
  kernel: number,
  padding: "valid" | "same" | "causal",
  stride: number,
  outputPadding: number | null,
): number | null {
  if (length === null) return null;
  if (outputPadding === null) return padding === "valid" ? length * stride + Math.max(kernel - stride, 0) : length * stride;
  const pad = padding === "same" ? Math.floor(kernel / 2) : 0;
  return (length - 1) * stride + kernel - 2 * pad + outputPadding;
}

/** Shared parts of the transposed convolutions. */
abstract class ConvTranspose extends Conv {
  readonly outputPadding: number[] | null;

  constructor(rank: number, args: ConvTransposeArgs) {
    super(rank, args);
    const what = `${this.getClassName()} '${this.name}'`;
    if (this.padding === "causal") throw new ConfigError(`${what}: padding must be "valid" or "same"`);
    if (this.dilationRate.some((d) => d !== 1)) throw new ConfigError(`${what}: dilationRate other than 1 is not supported`);
    this.outputPadding =
      args.outputPadding === undefined || args.outputPadding === null ? null : normalizeTuple(args.outputPadding, rank, "outputPadding");
    this.outputPadding?.forEach((p, i) => {
      if (p < 0 || p >= this.strides[i]!) throw new ConfigError(`${what}: outputPadding ${p} must be in [0, stride ${this.strides[i]})`);
    });
  }

  override build(inputShape: Shape): void {
    const channels = inputShape[inputShape.length - 1];
    if (typeof channels !== "number")
      throw new InputShapeError(`${this.getClassName()} '${this.name}': the channel dimension must be known`);
    this.kernel = this.addWeight(
      "kernel",
      [...this.kernelSize, this.filters, channels],
      undefined,
      this.kernelInitializer,
      this.kernelRegularizer,
      true,
      this.kernelConstraint,
    );
    if (this.useBias)
      this.bias = this.addWeight("bias", [this.filters], undefined, this.biasInitializer, this.biasRegularizer, true, this.biasConstraint);
    this.inputSpec = [{ ndim: this.rank + 2, axes: { [-1]: channels } }];
    this.built = true;
  }

  /** The spatial output sizes for input sizes. */
  protected outputSizes(spatial: readonly (number | null)[]): (number | null)[] {
    return spatial.map((d, i) =>
      deconvOutputLength(d, this.kernelSize[i]!, this.padding, this.strides[i]!, this.outputPadding?.[i] ?? null),
    );
  }

  /** The output sizes, which the op needs known. */
  protected knownOutputSizes(x: tf.Tensor): number[] {
    const sizes = this.outputSizes(x.shape.slice(1, -1));
    if (sizes.some((d) => d === null)) {
      throw new InputShapeError(
        `${this.getClassName()} '${this.name}': the spatial dimensions must be known, received an input of shape [${x.shape.join(", ")}]`,
      );
    }
    return sizes as number[];
  }

  override computeOutputShape(inputShape: Shape): Shape {
    return [inputShape[0]!, ...this.outputSizes(inputShape.slice(1, -1)), this.filters];
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig(), outputPadding: this.outputPadding };
  }
}

/** Transposed 2-D convolution over `[batch, height, width, channels]`. */
export class Conv2DTranspose extends ConvTranspose {
  static override className = "Conv2DTranspose";
  constructor(args: ConvTransposeArgs) {
    super(2, args);
  }
  protected convolve(x: tf.Tensor): tf.Tensor {
    const [h, w] = this.knownOutputSizes(x);
    return tf.conv2dTranspose(
      x,
      this.kernel!,
      [x.shape[0] as number, h!, w!, this.filters],
      this.strides as [number, number],
      this.padding === "same" ? "same" : "valid",
    );
  }
}

/** Transposed 1-D convolution over `[batch, steps, channels]`. */
export class Conv1DTranspose extends ConvTranspose {
  static override className = "Conv1DTranspose";
  constructor(args: ConvTransposeArgs) {
    super(1, args);
  }
  protected convolve(x: tf.Tensor): tf.Tensor {
    const [length] = this.knownOutputSizes(x);
    const image = tf.expandDims(x, 1);
    const y = tf.conv2dTranspose(
      image,
      tf.expandDims(this.kernel!, 0),
      [x.shape[0] as number, 1, length!, this.filters],
      [1, this.strides[0]!],
      this.padding === "same" ? "same" : "valid",
    );
    return tf.squeeze(y, [1]);
  }
}

for (const cls of [Conv2DTranspose, Conv1DTranspose]) classes.register(cls as never, cls.className);
