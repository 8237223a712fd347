import { ArgumentError, formatShape, ShapeError } from "../base/errors.js";
import type { Shape } from "../base/shape.js";
import { defineOp, type OpDef, type ValueInfo } from "../ir/op.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { toTensor } from "./convert.js";
import {
  avgPoolGradGradient,
  conv2DBackpropFilterGradient,
  conv2DBackpropInputGradient,
  depthwiseBackpropFilterGradient,
  depthwiseBackpropInputGradient,
  maxPoolGradGradGradient,
  maxPoolGradGradient,
} from "./convolution_grads.js";
import { checkInputDType, checkSameDType, FLOAT } from "./define_elementwise.js";
import {
  type ConvAttrs,
  convAttrs,
  imageDims,
  inferConv,
  inferPool,
  type PaddingSpec,
  type PoolAttrs,
  poolAttrs,
  show,
} from "./window_attrs.js";

// The backprop ops of the windowed ops, as TensorFlow has them: Conv2DBackpropInput and
// Conv2DBackpropFilter (and their depthwise twins), MaxPoolGrad, MaxPoolGradGrad and
// AvgPoolGrad. The gradient rules of conv2d, depthwiseConv2d, maxPool and avgPool bind
// them, and each has a gradient of its own, so second derivatives work too. TF passes the
// shape of the tensor being differentiated (`input_sizes`, `filter_sizes`,
// `orig_input_shape`) as a tensor; here it is an attr, because every output shape must be
// inferable before a kernel runs. Its batch and channel dims may be `null` (a traced
// gradient of an input with an unknown batch): they are taken from `dy` and the filter.
// Height and width must be known: they cannot be recovered from `dy`, since strides make
// several input sizes give the same output size.

/** `Conv2DBackpropInput` / `DepthwiseConv2dNativeBackpropInput` attrs: the forward attrs plus x's shape. */
export interface ConvBackpropInputAttrs extends ConvAttrs {
  /** The forward input's shape, `[batch, height, width, channels]` or unbatched `[height, width, channels]`. */
  readonly inputSizes: readonly (number | null)[];
}

/** `Conv2DBackpropFilter` / `DepthwiseConv2dNativeBackpropFilter` attrs: the forward attrs plus the filter's shape. */
export interface ConvBackpropFilterAttrs extends ConvAttrs {
  readonly filterSizes: readonly (number | null)[];
}

/** `AvgPoolGrad` attrs: the forward attrs plus the pooled input's shape. */
export interface AvgPoolGradAttrs extends PoolAttrs {
  readonly origInputShape: readonly (number | null)[];
}

const isSize = (d: unknown): boolean => d === null || (Number.isInteger(d) && (d as number) >= 0);

/**
 * Validates a shape attr whose rank is one of `ranks`: its height and width (the first two
 * dims of a filter, the middle two of a rank-4 image) must be known; batch and channels may
 * be `null`.
 */
function checkSizes(api: string, name: string, sizes: unknown, ranks: readonly number[], layout: string): (number | null)[] {
  if (!Array.isArray(sizes) || !ranks.includes(sizes.length) || !sizes.every(isSize)) {
    throw new ArgumentError(`${api}: '${name}' must be a shape ${layout} of non-negative integers, received ${show(sizes)}`);
  }
  const spatial = sizes.length === 4 && name !== "filterSizes" ? [1, 2] : [0, 1];
  if (spatial.some((i) => sizes[i] === null)) {
    throw new ShapeError(
      `${api}: '${name}' ${formatShape(sizes)} must give the height and width (only batch and channels may be unknown); when tracing, use an inputSignature whose height and width are known`,
    );
  }
  return sizes as (number | null)[];
}

/** True when every dim known on both sides agrees. */
function compatible(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === null || b[i] === null || d === b[i]);
}

/** The dims known on either side (they are `compatible`). */
function merge(a: Shape, b: Shape): (number | null)[] {
  return a.map((d, i) => d ?? b[i]!);
}

/** Rejects an input whose shape disagrees with the one the other inputs and attrs imply. */
function expectShape(api: string, name: string, got: ValueInfo, expected: Shape, why: string): void {
  if (!compatible(got.shape, expected)) {
    throw new ShapeError(`${api}: '${name}' has shape ${formatShape(got.shape)}, but ${why} ${formatShape(expected)}`);
  }
}

function inferBackpropInput(api: string, depthwise: boolean, filter: ValueInfo, dy: ValueInfo, attrs: ConvBackpropInputAttrs): ValueInfo[] {
  checkInputDType(api, "dy", dy, FLOAT, 'convert with tf.cast(dy, "float32")');
  checkSameDType(api, filter, dy, ["filter", "dy"]);
  const sizes = checkSizes(api, "inputSizes", attrs.inputSizes, [3, 4], "[batch, height, width, channels] or [height, width, channels]");
  if (dy.shape.length !== sizes.length) {
    throw new ShapeError(`${api}: 'dy' must have the rank of inputSizes ${formatShape(sizes)}, received shape ${formatShape(dy.shape)}`);
  }
  const batched = sizes.length === 4;
  const channels: number | null = sizes[sizes.length - 1] ?? filter.shape[2] ?? null;
  const shape: (number | null)[] = batched ? [sizes[0] ?? dy.shape[0]!, sizes[1]!, sizes[2]!, channels] : [sizes[0]!, sizes[1]!, channels];
  const x = { shape, dtype: dy.dtype };
  const [expected] = inferConv(api, depthwise, x, filter, attrs);
  expectShape(
    api,
    "dy",
    dy,
    expected!.shape,
    `convolving an input of shape ${formatShape(shape)} with a filter of shape ${formatShape(filter.shape)} gives`,
  );
  return [x];
}

function inferBackpropFilter(api: string, depthwise: boolean, x: ValueInfo, dy: ValueInfo, attrs: ConvBackpropFilterAttrs): ValueInfo[] {
  checkInputDType(api, "x", x, FLOAT, 'convert with tf.cast(x, "float32")');
  checkSameDType(api, x, dy, ["x", "dy"]);
  const layout = depthwise
    ? "[filterHeight, filterWidth, inChannels, channelMultiplier]"
    : "[filterHeight, filterWidth, inChannels, outChannels]";
  const sizes = checkSizes(api, "filterSizes", attrs.filterSizes, [4], layout);
  const inChannels = imageDims(x, api)[3];
  const dyChannels = dy.shape.length === x.shape.length ? dy.shape[dy.shape.length - 1]! : null;
  let last: number | null = sizes[3] ?? null;
  if (last === null) {
    // An unknown multiplier is dy's channels over x's, when that divides.
    last = depthwise ? (dyChannels !== null && inChannels ? dyChannels / inChannels : null) : dyChannels;
    if (last !== null && !Number.isInteger(last)) {
      throw new ShapeError(
        `${api}: 'dy' has ${dyChannels} channels, not a multiple of x's ${inChannels} (x shape ${formatShape(x.shape)})`,
      );
    }
  }
  const filter = { shape: [sizes[0]!, sizes[1]!, sizes[2] ?? inChannels, last], dtype: x.dtype };
  const [expected] = inferConv(api, depthwise, x, filter, attrs);
  expectShape(
    api,
    "dy",
    dy,
    expected!.shape,
    `convolving x of shape ${formatShape(x.shape)} with a filter of shape ${formatShape(filter.shape)} gives`,
  );
  return [filter];
}

/** MaxPoolGrad and MaxPoolGradGrad: `y` must be maxPool(x); returns the pooled shape. */
function inferMaxPoolPair(api: string, x: ValueInfo, y: ValueInfo, attrs: PoolAttrs): Shape {
  const [expected] = inferPool(api, x, attrs, FLOAT);
  checkSameDType(api, x, y, ["x", "y"]);
  expectShape(api, "y", y, expected!.shape, `max pooling x of shape ${formatShape(x.shape)} gives`);
  return merge(expected!.shape, y.shape);
}

/** `Conv2DBackpropInput`: the gradient of Conv2D with respect to its input (a transposed convolution). */
export const Conv2DBackpropInput: OpDef<ConvBackpropInputAttrs> = defineOp<ConvBackpropInputAttrs>({
  name: "Conv2DBackpropInput",
  api: "conv2DBackpropInput",
  family: "contraction",
  inputs: ["filter", "dy"],
  infer: ([filter, dy], attrs) => inferBackpropInput("conv2DBackpropInput", false, filter!, dy!, attrs),
  grad: (args) => conv2DBackpropInputGradient(args),
});

/** `Conv2DBackpropFilter`: the gradient of Conv2D with respect to its filter. */
export const Conv2DBackpropFilter: OpDef<ConvBackpropFilterAttrs> = defineOp<ConvBackpropFilterAttrs>({
  name: "Conv2DBackpropFilter",
  api: "conv2DBackpropFilter",
  family: "contraction",
  inputs: ["x", "dy"],
  infer: ([x, dy], attrs) => inferBackpropFilter("conv2DBackpropFilter", false, x!, dy!, attrs),
  grad: (args) => conv2DBackpropFilterGradient(args),
});

/** `DepthwiseConv2dNativeBackpropInput`: the gradient of DepthwiseConv2dNative with respect to its input. */
export const DepthwiseConv2dNativeBackpropInput: OpDef<ConvBackpropInputAttrs> = defineOp<ConvBackpropInputAttrs>({
  name: "DepthwiseConv2dNativeBackpropInput",
  api: "depthwiseConv2dNativeBackpropInput",
  family: "contraction",
  inputs: ["filter", "dy"],
  infer: ([filter, dy], attrs) => inferBackpropInput("depthwiseConv2dNativeBackpropInput", true, filter!, dy!, attrs),
  grad: (args) => depthwiseBackpropInputGradient(args),
});

/** `DepthwiseConv2dNativeBackpropFilter`: the gradient of DepthwiseConv2dNative with respect to its filter. */
export const DepthwiseConv2dNativeBackpropFilter: OpDef<ConvBackpropFilterAttrs> = defineOp<ConvBackpropFilterAttrs>({
  name: "DepthwiseConv2dNativeBackpropFilter",
  api: "depthwiseConv2dNativeBackpropFilter",
  family: "contraction",
  inputs: ["x", "dy"],
  infer: ([x, dy], attrs) => inferBackpropFilter("depthwiseConv2dNativeBackpropFilter", true, x!, dy!, attrs),
  grad: (args) => depthwiseBackpropFilterGradient(args),
});

/** `MaxPoolGrad`: routes each window's gradient to the window's (first) maximum in `x`. */
export const MaxPoolGrad: OpDef<PoolAttrs> = defineOp<PoolAttrs>({
  name: "MaxPoolGrad",
  api: "maxPoolGrad",
  family: "contraction",
  inputs: ["x", "y", "dy"],
  infer: ([x, y, dy], attrs) => {
    const pooled = inferMaxPoolPair("maxPoolGrad", x!, y!, attrs);
    checkSameDType("maxPoolGrad", x!, dy!, ["x", "dy"]);
    expectShape("maxPoolGrad", "dy", dy!, pooled, `max pooling x of shape ${formatShape(x!.shape)} gives`);
    return [x!];
  },
  grad: (args) => maxPoolGradGradient(args),
});

/** `MaxPoolGradGrad`: picks, for each window, the element of `grad` (shaped like `x`) at the window's maximum. */
export const MaxPoolGradGrad: OpDef<PoolAttrs> = defineOp<PoolAttrs>({
  name: "MaxPoolGradGrad",
  api: "maxPoolGradGrad",
  family: "contraction",
  inputs: ["x", "y", "grad"],
  infer: ([x, y, grad], attrs) => {
    const pooled = inferMaxPoolPair("maxPoolGradGrad", x!, y!, attrs);
    checkSameDType("maxPoolGradGrad", x!, grad!, ["x", "grad"]);
    expectShape("maxPoolGradGrad", "grad", grad!, x!.shape, "it must have the shape of x,");
    return [{ shape: pooled, dtype: x!.dtype }];
  },
  grad: (args) => maxPoolGradGradGradient(args),
});

/** `AvgPoolGrad`: spreads each window's gradient evenly over the window's in-bounds elements. */
export const AvgPoolGrad: OpDef<AvgPoolGradAttrs> = defineOp<AvgPoolGradAttrs>({
  name: "AvgPoolGrad",
  api: "avgPoolGrad",
  family: "contraction",
  inputs: ["dy"],
  infer: ([dy], attrs) => {
    const api = "avgPoolGrad";
    checkInputDType(api, "dy", dy!, FLOAT, 'convert with tf.cast(dy, "float32")');
    const sizes = checkSizes(
      api,
      "origInputShape",
      attrs.origInputShape,
      [3, 4],
      "[batch, height, width, channels] or [height, width, channels]",
    );
    if (dy!.shape.length !== sizes.length) {
      throw new ShapeError(
        `${api}: 'dy' must have the rank of origInputShape ${formatShape(sizes)}, received shape ${formatShape(dy!.shape)}`,
      );
    }
    const x = {
      shape: merge(sizes, dy!.shape.length === 4 ? [dy!.shape[0]!, null, null, dy!.shape[3]!] : [null, null, dy!.shape[2]!]),
      dtype: dy!.dtype,
    };
    const [expected] = inferPool(api, x, attrs, FLOAT);
    expectShape(api, "dy", dy!, expected!.shape, `average pooling an input of shape ${formatShape(x.shape)} gives`);
    return [x];
  },
  grad: (args) => avgPoolGradGradient(args),
});

/** A shape argument as a plain array attr (validated by `infer`). */
function sizesAttr(value: unknown): (number | null)[] {
  return Array.isArray(value) ? [...value] : (value as (number | null)[]);
}

type Pair = number | readonly [number, number];

/**
 * The gradient of `conv2d` with respect to its input `x`, given the filter and the
 * gradient `dy` of the convolution's output. `xShape` is x's shape (rank 4, or rank 3
 * unbatched); the other arguments are the convolution's.
 *
 * ```ts
 * const dy = tf.ones([1, 4, 4, 8]);
 * tf.conv2DBackpropInput([1, 4, 4, 3], dy, tf.ones([3, 3, 3, 8]), 1, "same"); // shape [1, 4, 4, 3]
 * ```
 */
export function conv2DBackpropInput(
  xShape: readonly number[],
  dy: TensorLike,
  filter: TensorLike,
  strides: Pair,
  pad: PaddingSpec,
  dataFormat: "NHWC" | "NCHW" = "NHWC",
  dilations: Pair = 1,
  dimRoundingMode?: "floor" | "round" | "ceil",
): Tensor {
  const api = "conv2DBackpropInput";
  const attrs = { ...convAttrs(api, strides, pad, dataFormat, dilations, dimRoundingMode), inputSizes: sizesAttr(xShape) };
  const filterT = toTensor(filter, api, "filter", "float32");
  return bind1(Conv2DBackpropInput, [filterT, toTensor(dy, api, "dy", "float32", filterT)], attrs);
}

/**
 * Transposed 2-D convolution (sometimes called deconvolution), as in tfjs: the gradient of
 * `conv2d` with respect to its input, used as a learnable upsampling. `x` is
 * `[batch, height, width, inDepth]`, `filter` is `[filterHeight, filterWidth, outDepth,
 * inDepth]`, and `outputShape` the shape of the result (the input of the convolution that
 * this transposes). Errors name the raw op, `conv2DBackpropInput`, whose `dy` is `x`.
 *
 * ```ts
 * tf.conv2dTranspose(tf.ones([1, 2, 2, 4]), tf.ones([3, 3, 1, 4]), [1, 4, 4, 1], 2, "same"); // shape [1, 4, 4, 1]
 * ```
 */
export function conv2dTranspose(
  x: TensorLike,
  filter: TensorLike,
  outputShape: readonly number[],
  strides: Pair,
  pad: PaddingSpec,
  dimRoundingMode?: "floor" | "round" | "ceil",
): Tensor {
  const api = "conv2dTranspose";
  const attrs = { ...convAttrs(api, strides, pad, "NHWC", 1, dimRoundingMode), inputSizes: sizesAttr(outputShape) };
  const filterT = toTensor(filter, api, "filter", "float32");
  return bind1(Conv2DBackpropInput, [filterT, toTensor(x, api, "x", "float32", filterT)], attrs);
}

/**
 * The gradient of `conv2d` with respect to its filter, given the convolution's input `x`
 * and the gradient `dy` of its output. `filterShape` is `[filterHeight, filterWidth,
 * inChannels, outChannels]`.
 *
 * ```ts
 * tf.conv2DBackpropFilter(tf.ones([1, 4, 4, 3]), tf.ones([1, 4, 4, 8]), [3, 3, 3, 8], 1, "same"); // shape [3, 3, 3, 8]
 * ```
 */
export function conv2DBackpropFilter(
  x: TensorLike,
  dy: TensorLike,
  filterShape: readonly number[],
  strides: Pair,
  pad: PaddingSpec,
  dataFormat: "NHWC" | "NCHW" = "NHWC",
  dilations: Pair = 1,
  dimRoundingMode?: "floor" | "round" | "ceil",
): Tensor {
  const api = "conv2DBackpropFilter";
  const attrs = { ...convAttrs(api, strides, pad, dataFormat, dilations, dimRoundingMode), filterSizes: sizesAttr(filterShape) };
  const xT = toTensor(x, api, "x", "float32");
  return bind1(Conv2DBackpropFilter, [xT, toTensor(dy, api, "dy", "float32", xT)], attrs);
}

/**
 * The gradient of `depthwiseConv2d` with respect to its input; arguments as in
 * `conv2DBackpropInput`, with a `[filterHeight, filterWidth, inChannels, channelMultiplier]` filter.
 *
 * ```ts
 * tf.depthwiseConv2dNativeBackpropInput([1, 4, 4, 3], tf.ones([1, 2, 2, 6]), tf.ones([3, 3, 3, 2]), 1, "valid"); // shape [1, 4, 4, 3]
 * ```
 */
export function depthwiseConv2dNativeBackpropInput(
  xShape: readonly number[],
  dy: TensorLike,
  filter: TensorLike,
  strides: Pair,
  pad: PaddingSpec,
  dataFormat: "NHWC" | "NCHW" = "NHWC",
  dilations: Pair = 1,
  dimRoundingMode?: "floor" | "round" | "ceil",
): Tensor {
  const api = "depthwiseConv2dNativeBackpropInput";
  const attrs = { ...convAttrs(api, strides, pad, dataFormat, dilations, dimRoundingMode), inputSizes: sizesAttr(xShape) };
  const filterT = toTensor(filter, api, "filter", "float32");
  return bind1(DepthwiseConv2dNativeBackpropInput, [filterT, toTensor(dy, api, "dy", "float32", filterT)], attrs);
}

/**
 * The gradient of `depthwiseConv2d` with respect to its filter; arguments as in
 * `conv2DBackpropFilter`, with `filterShape` `[filterHeight, filterWidth, inChannels, channelMultiplier]`.
 *
 * ```ts
 * tf.depthwiseConv2dNativeBackpropFilter(tf.ones([1, 4, 4, 3]), tf.ones([1, 2, 2, 6]), [3, 3, 3, 2], 1, "valid"); // shape [3, 3, 3, 2]
 * ```
 */
export function depthwiseConv2dNativeBackpropFilter(
  x: TensorLike,
  dy: TensorLike,
  filterShape: readonly number[],
  strides: Pair,
  pad: PaddingSpec,
  dataFormat: "NHWC" | "NCHW" = "NHWC",
  dilations: Pair = 1,
  dimRoundingMode?: "floor" | "round" | "ceil",
): Tensor {
  const api = "depthwiseConv2dNativeBackpropFilter";
  const attrs = { ...convAttrs(api, strides, pad, dataFormat, dilations, dimRoundingMode), filterSizes: sizesAttr(filterShape) };
  const xT = toTensor(x, api, "x", "float32");
  return bind1(DepthwiseConv2dNativeBackpropFilter, [xT, toTensor(dy, api, "dy", "float32", xT)], attrs);
}

/**
 * The gradient of `maxPool`: each window's `dy` goes to the position of the window's
 * maximum in `input` (the first one on ties, as in TF); `output` is `maxPool(input)`.
 *
 * ```ts
 * const x = tf.tensor([1, 4, 3, 2], [1, 2, 2, 1]);
 * tf.maxPoolGrad(tf.ones([1, 1, 1, 1]), x, tf.maxPool(x, 2, 1, "valid"), 2, 1, "valid"); // [[[[0], [1]], [[0], [0]]]]
 * ```
 */
export function maxPoolGrad(
  dy: TensorLike,
  input: TensorLike,
  output: TensorLike,
  filterSize: Pair,
  strides: Pair,
  pad: PaddingSpec,
  dimRoundingMode?: "floor" | "round" | "ceil",
): Tensor {
  const api = "maxPoolGrad";
  const attrs = poolAttrs(api, filterSize, strides, pad, dimRoundingMode);
  const inputT = toTensor(input, api, "input", "float32");
  const outputT = toTensor(output, api, "output", "float32", inputT);
  return bind1(MaxPoolGrad, [inputT, outputT, toTensor(dy, api, "dy", "float32", [inputT, outputT])], attrs);
}

/**
 * The gradient of `maxPoolGrad` with respect to its `dy`: for each window, the element of
 * `grad` (shaped like `input`) at the window's maximum; `output` is `maxPool(input)`.
 *
 * ```ts
 * const x = tf.tensor([1, 4, 3, 2], [1, 2, 2, 1]);
 * tf.maxPoolGradGrad(tf.tensor([5, 6, 7, 8], [1, 2, 2, 1]), x, tf.maxPool(x, 2, 1, "valid"), 2, 1, "valid"); // [[[[6]]]]
 * ```
 */
export function maxPoolGradGrad(
  grad: TensorLike,
  input: TensorLike,
  output: TensorLike,
  filterSize: Pair,
  strides: Pair,
  pad: PaddingSpec,
  dimRoundingMode?: "floor" | "round" | "ceil",
): Tensor {
  const api = "maxPoolGradGrad";
  const attrs = poolAttrs(api, filterSize, strides, pad, dimRoundingMode);
  const inputT = toTensor(input, api, "input", "float32");
  const outputT = toTensor(output, api, "output", "float32", inputT);
  return bind1(MaxPoolGradGrad, [inputT, outputT, toTensor(grad, api, "grad", "float32", [inputT, outputT])], attrs);
}

/**
 * The gradient of `avgPool`: each window's `dy` is spread evenly over the window's
 * in-bounds elements of the input. `input` is the pooled tensor or just its shape.
 *
 * ```ts
 * tf.avgPoolGrad(tf.ones([1, 1, 1, 1]), [1, 2, 2, 1], 2, 1, "valid"); // [[[[0.25], [0.25]], [[0.25], [0.25]]]]
 * ```
 */
export function avgPoolGrad(
  dy: TensorLike,
  input: Tensor | readonly number[],
  filterSize: Pair,
  strides: Pair,
  pad: PaddingSpec,
  dimRoundingMode?: "floor" | "round" | "ceil",
): Tensor {
  const api = "avgPoolGrad";
  const origInputShape = Array.isArray(input) ? sizesAttr(input) : [...(input as Tensor).shape];
  const attrs = { ...poolAttrs(api, filterSize, strides, pad, dimRoundingMode), origInputShape };
  return bind1(AvgPoolGrad, [toTensor(dy, api, "dy", "float32")], attrs);
}
