import { defineOp, type OpDef } from "../ir/op.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { toTensor } from "./convert.js";
import { conv2dTranspose } from "./convolution_backprop.js";
import { avgPoolGradient, conv2dGradient, depthwiseConv2dGradient, maxPoolGradient } from "./convolution_grads.js";
import { FLOAT, NUMERIC } from "./define_elementwise.js";
import { type ConvAttrs, convAttrs, inferConv, inferPool, type PaddingSpec, type PoolAttrs, poolAttrs } from "./window_attrs.js";

export * from "./convolution_backprop.js";
export type { ConvAttrs, ExplicitPadding, PaddingSpec, PoolAttrs, WindowAttrs } from "./window_attrs.js";

// Windowed ops over NHWC images: Conv2D, DepthwiseConv2dNative, MaxPool, AvgPool. Attrs
// are TensorFlow's, in TF's layout (`strides: [1, sh, sw, 1]`, `padding: "SAME"`,
// `explicitPaddings: [0, 0, top, bottom, left, right, 0, 0]`), so a graph maps one-to-one
// onto a GraphDef. Unlike TF's raw ops, an unbatched rank-3 `[h, w, c]` input is accepted
// (as in tfjs) and gives a rank-3 output; an exporter inserts the reshapes TF needs.
// Gradients: convolution_grads.ts, through the backprop ops of convolution_backprop.ts.

/** `Conv2D`: 2-D convolution (cross-correlation, as in TF) of NHWC images with a filter bank. */
export const Conv2D: OpDef<ConvAttrs> = defineOp<ConvAttrs>({
  name: "Conv2D",
  api: "conv2d",
  family: "contraction",
  inputs: ["x", "filter"],
  infer: ([x, filter], attrs) => inferConv("conv2d", false, x!, filter!, attrs),
  grad: (args) => conv2dGradient(args),
});

/** `DepthwiseConv2dNative`: each input channel convolved with its own `channelMultiplier` filters. */
export const DepthwiseConv2dNative: OpDef<ConvAttrs> = defineOp<ConvAttrs>({
  name: "DepthwiseConv2dNative",
  api: "depthwiseConv2d",
  family: "contraction",
  inputs: ["x", "filter"],
  infer: ([x, filter], attrs) => inferConv("depthwiseConv2d", true, x!, filter!, attrs),
  grad: (args) => depthwiseConv2dGradient(args),
});

/** `MaxPool`: the maximum of each window (padding never wins). */
export const MaxPool: OpDef<PoolAttrs> = defineOp<PoolAttrs>({
  name: "MaxPool",
  api: "maxPool",
  family: "contraction",
  inputs: ["x"],
  infer: ([x], attrs) => inferPool("maxPool", x!, attrs, NUMERIC),
  grad: (args) => maxPoolGradient(args),
});

/** `AvgPool`: the mean of each window over its in-bounds elements only (as TF does). */
export const AvgPool: OpDef<PoolAttrs> = defineOp<PoolAttrs>({
  name: "AvgPool",
  api: "avgPool",
  family: "contraction",
  inputs: ["x"],
  infer: ([x], attrs) => inferPool("avgPool", x!, attrs, FLOAT),
  grad: (args) => avgPoolGradient(args),
});

/**
 * 2-D convolution of `x` (`[batch, height, width, inChannels]`, or unbatched
 * `[height, width, inChannels]`) with `filter` (`[filterHeight, filterWidth, inChannels,
 * outChannels]`). `pad` is `"same"` (output size `ceil(in / stride)`, padded like TF),
 * `"valid"`, a size for every side, or `[[0, 0], [top, bottom], [left, right], [0, 0]]`.
 *
 * ```ts
 * const x = tf.ones([1, 5, 5, 1]);
 * tf.conv2d(x, tf.ones([3, 3, 1, 8]), 1, "same"); // shape [1, 5, 5, 8]
 * ```
 */
export function conv2d(
  x: TensorLike,
  filter: TensorLike,
  strides: number | readonly [number, number],
  pad: PaddingSpec,
  dataFormat: "NHWC" | "NCHW" = "NHWC",
  dilations: number | readonly [number, number] = 1,
  dimRoundingMode?: "floor" | "round" | "ceil",
): Tensor {
  const attrs = convAttrs("conv2d", strides, pad, dataFormat, dilations, dimRoundingMode);
  const input = toTensor(x, "conv2d", "x", "float32");
  return bind1(Conv2D, [input, toTensor(filter, "conv2d", "filter", "float32", input)], attrs);
}

/**
 * Depthwise 2-D convolution: input channel `c` is convolved with `filter[:, :, c, q]` for
 * each `q < channelMultiplier`, giving output channel `c * channelMultiplier + q`. Filter
 * shape `[filterHeight, filterWidth, inChannels, channelMultiplier]`; `pad` as in `conv2d`.
 *
 * ```ts
 * tf.depthwiseConv2d(tf.ones([1, 4, 4, 3]), tf.ones([3, 3, 3, 2]), 1, "valid"); // shape [1, 2, 2, 6]
 * ```
 */
export function depthwiseConv2d(
  x: TensorLike,
  filter: TensorLike,
  strides: number | readonly [number, number],
  pad: PaddingSpec,
  dataFormat: "NHWC" | "NCHW" = "NHWC",
  dilations: number | readonly [number, number] = 1,
  dimRoundingMode?: "floor" | "round" | "ceil",
): Tensor {
  const attrs = convAttrs("depthwiseConv2d", strides, pad, dataFormat, dilations, dimRoundingMode);
  const input = toTensor(x, "depthwiseConv2d", "x", "float32");
  return bind1(DepthwiseConv2dNative, [input, toTensor(filter, "depthwiseConv2d", "filter", "float32", input)], attrs);
}

/**
 * Max pooling over `filterSize` windows of an NHWC image (float32 or int32). Padded
 * positions never win; a NaN in a window makes that output NaN.
 *
 * ```ts
 * tf.maxPool(tf.tensor([1, 2, 3, 4], [1, 2, 2, 1]), 2, 1, "valid"); // [[[[4]]]]
 * ```
 */
export function maxPool(
  x: TensorLike,
  filterSize: number | readonly [number, number],
  strides: number | readonly [number, number],
  pad: PaddingSpec,
  dimRoundingMode?: "floor" | "round" | "ceil",
): Tensor {
  const attrs = poolAttrs("maxPool", filterSize, strides, pad, dimRoundingMode);
  return bind1(MaxPool, [toTensor(x, "maxPool", "x")], attrs);
}

/**
 * Average pooling over `filterSize` windows of a float32 NHWC image. Like TF, each mean is
 * over the window's in-bounds elements, so padding does not pull edge values toward 0.
 *
 * ```ts
 * tf.avgPool(tf.tensor([1, 2, 3, 4], [1, 2, 2, 1]), 2, 1, "same"); // [[[[2.5], [3]], [[3.5], [4]]]]
 * ```
 */
export function avgPool(
  x: TensorLike,
  filterSize: number | readonly [number, number],
  strides: number | readonly [number, number],
  pad: PaddingSpec,
  dimRoundingMode?: "floor" | "round" | "ceil",
): Tensor {
  const attrs = poolAttrs("avgPool", filterSize, strides, pad, dimRoundingMode);
  return bind1(AvgPool, [toTensor(x, "avgPool", "x", "float32")], attrs);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    conv2d(
      filter: TensorLike,
      strides: number | readonly [number, number],
      pad: PaddingSpec,
      dataFormat?: "NHWC" | "NCHW",
      dilations?: number | readonly [number, number],
    ): Tensor;
    depthwiseConv2d(
      filter: TensorLike,
      strides: number | readonly [number, number],
      pad: PaddingSpec,
      dataFormat?: "NHWC" | "NCHW",
      dilations?: number | readonly [number, number],
    ): Tensor;
    conv2dTranspose(
      filter: TensorLike,
      outputShape: readonly number[],
      strides: number | readonly [number, number],
      pad: PaddingSpec,
      dimRoundingMode?: "floor" | "round" | "ceil",
    ): Tensor;
    maxPool(filterSize: number | readonly [number, number], strides: number | readonly [number, number], pad: PaddingSpec): Tensor;
    avgPool(filterSize: number | readonly [number, number], strides: number | readonly [number, number], pad: PaddingSpec): Tensor;
  }
}

/** Chainable methods this file adds to Tensor. */
export const convolutionMethods = {
  conv2d(
    this: Tensor,
    filter: TensorLike,
    strides: number | readonly [number, number],
    pad: PaddingSpec,
    dataFormat?: "NHWC" | "NCHW",
    dilations?: number | readonly [number, number],
  ): Tensor {
    return conv2d(this, filter, strides, pad, dataFormat, dilations);
  },
  depthwiseConv2d(
    this: Tensor,
    filter: TensorLike,
    strides: number | readonly [number, number],
    pad: PaddingSpec,
    dataFormat?: "NHWC" | "NCHW",
    dilations?: number | readonly [number, number],
  ): Tensor {
    return depthwiseConv2d(this, filter, strides, pad, dataFormat, dilations);
  },
  conv2dTranspose(
    this: Tensor,
    filter: TensorLike,
    outputShape: readonly number[],
    strides: number | readonly [number, number],
    pad: PaddingSpec,
    dimRoundingMode?: "floor" | "round" | "ceil",
  ): Tensor {
    return conv2dTranspose(this, filter, outputShape, strides, pad, dimRoundingMode);
  },
  maxPool(
    this: Tensor,
    filterSize: number | readonly [number, number],
    strides: number | readonly [number, number],
    pad: PaddingSpec,
  ): Tensor {
    return maxPool(this, filterSize, strides, pad);
  },
  avgPool(
    this: Tensor,
    filterSize: number | readonly [number, number],
    strides: number | readonly [number, number],
    pad: PaddingSpec,
  ): Tensor {
    return avgPool(this, filterSize, strides, pad);
  },
};
