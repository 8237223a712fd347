/**
 * The backprop ops of convolutions and pools (what `tf.grad` of a CNN traces, and
 * `conv2dTranspose`, which is `Conv2DBackpropInput`). Input gradients are ONNX
 * `ConvTranspose`; filter gradients are a `Conv` of the input with `dy` with batch and channel
 * axes swapped (strides and dilations trade places); max-pool gradients scatter into the
 * positions ONNX's `MaxPool` reports as `Indices`; average-pool gradients spread `dy / count`
 * with a `ConvTranspose` of ones. Height and width must be known (Kiln requires it of these
 * ops too).
 *
 * ```ts
 * // tf.conv2dTranspose(x, f, [1, 8, 8, 3], 2, "same")  ->  ConvTranspose(strides=[2, 2], pads, output_padding)
 * ```
 */
import type { GraphBuilder } from "../export/graph_builder.js";
import type { AttrSpec } from "../proto/build.js";
import { convWeights, depthwiseWeights, staticChannels } from "./convolution.js";
import { unsqueeze } from "./helpers.js";
import type { NodeContext, OpMapping } from "./mapping.js";
import { imageDims, staticPads, toNCHW, toNHWC, type WindowAttrs, type WindowGeometry, windowGeometry } from "./window.js";

interface BackpropAttrs extends WindowAttrs {
  readonly inputSizes?: readonly (number | null)[];
  readonly filterSizes?: readonly (number | null)[];
  readonly origInputShape?: readonly (number | null)[];
  readonly ksize?: readonly number[];
}

/** A known spatial size, or fails naming the op. */
function known(n: NodeContext, value: number | null | undefined, what: string): number {
  return typeof value === "number" ? value : n.fail(`${what} must be known to export this op`);
}

/** The forward op's output size along one axis. */
function forwardSize(attrs: WindowAttrs, size: number, kernel: number, stride: number, dilation: number, before: number, after: number): number {
  if (attrs.padding === "SAME") return Math.ceil(size / stride);
  return Math.floor((size + before + after - ((kernel - 1) * dilation + 1)) / stride) + 1;
}

/** `ConvTranspose` attributes that give back an input of size `[h, w]` from the forward geometry. */
function transposeAttrs(g: WindowGeometry, pads: [number, number, number, number], size: [number, number], kernel: [number, number], attrs: WindowAttrs): Record<string, AttrSpec> {
  const [top, left, bottom, right] = pads;
  const outputPadding = [0, 1].map((k) => {
    const before = k === 0 ? top : left;
    const after = k === 0 ? bottom : right;
    const out = forwardSize(attrs, size[k]!, kernel[k]!, g.strides[k]!, g.dilations[k]!, before, after);
    return size[k]! - ((out - 1) * g.strides[k]! + (kernel[k]! - 1) * g.dilations[k]! + 1 - before - after);
  });
  return { strides: { ints: g.strides }, dilations: { ints: g.dilations }, pads: { ints: pads }, output_padding: { ints: outputPadding } };
}

function backpropInput(n: NodeContext, depthwise: boolean): string {
  const { b } = n;
  const attrs = n.attrs<BackpropAttrs>();
  const sizes = attrs.inputSizes!;
  const [, h, w, c] = imageDims(sizes);
  const size: [number, number] = [known(n, h, "the input height"), known(n, w, "the input width")];
  const filter = n.input(0).shape;
  const kernel: [number, number] = [known(n, filter[0], "the filter height"), known(n, filter[1], "the filter width")];
  const g = windowGeometry(attrs, size, kernel);
  const weights = depthwise ? depthwiseWeights(n, n.inputs[0]!) : convWeights(n, n.inputs[0]!);
  const group: Record<string, AttrSpec> = depthwise ? { group: { int: staticChannels(n, c ?? filter[2] ?? null) } } : {};
  const dy = toNCHW(b, n.inputs[1]!, sizes.length);
  const dx = b.node1("ConvTranspose", [dy, weights], { ...transposeAttrs(g, staticPads(n, g), size, kernel, attrs), ...group });
  return toNHWC(b, dx, sizes.length);
}

/** Slices axes 2 and 3 of an NCHW value to `[kh, kw]`. */
function cropKernel(b: GraphBuilder, x: string, kernel: [number, number]): string {
  return b.node1("Slice", [x, b.int64s([0, 0]), b.int64s(kernel), b.int64s([2, 3])]);
}

function backpropFilter(n: NodeContext, depthwise: boolean): string {
  const { b } = n;
  const attrs = n.attrs<BackpropAttrs>();
  const rank = n.input(0).shape.length;
  const [, h, w, c] = imageDims(n.input(0).shape);
  const size: [number, number] = [known(n, h, "the input height"), known(n, w, "the input width")];
  const sizes = attrs.filterSizes!;
  const kernel: [number, number] = [known(n, sizes[0], "the filter height"), known(n, sizes[1], "the filter width")];
  const g = windowGeometry(attrs, size, kernel);
  const batched = (v: string) => (rank === 3 ? unsqueeze(b, v, [0]) : v);
  // Channels become the batch and the batch becomes the channels: the filter gradient is a
  // convolution of x with dy, with the forward strides as dilations and vice versa.
  const channelsFirst = (v: string) => b.node1("Transpose", [batched(v)], { perm: { ints: [3, 0, 1, 2] } });
  const x = channelsFirst(n.inputs[0]!);
  const dy = channelsFirst(n.inputs[1]!);
  const swap = { strides: { ints: g.dilations }, dilations: { ints: g.strides }, pads: { ints: staticPads(n, g) } };
  if (!depthwise) {
    const grad = cropKernel(b, b.node1("Conv", [x, dy], swap), kernel);
    return b.node1("Transpose", [grad], { perm: { ints: [2, 3, 0, 1] } });
  }
  // Depthwise: one group per input channel, whose batch images are that group's channels.
  const channels = staticChannels(n, c);
  const grouped = b.node1("Reshape", [x, b.int64s([1, -1, 0, 0])]);
  const grad = cropKernel(b, b.node1("Conv", [grouped, dy], { ...swap, group: { int: channels } }), kernel);
  const split = b.node1("Reshape", [grad, b.int64s([channels, -1, kernel[0], kernel[1]])]);
  return b.node1("Transpose", [split], { perm: { ints: [2, 3, 0, 1] } });
}

/** ONNX MaxPool of `x` (NHWC) with its flat NCHW argmax indices. */
function maxPoolIndices(n: NodeContext, x: string): { y: string; indices: string; xNCHW: string } {
  const { b } = n;
  const attrs = n.attrs<BackpropAttrs & { ksize: number[] }>();
  const shape = n.input(0).shape;
  const [, h, w] = imageDims(shape);
  const kernel = [attrs.ksize[1]!, attrs.ksize[2]!];
  const g = windowGeometry(attrs, [h, w], kernel);
  const xNCHW = toNCHW(b, x, shape.length);
  const pads: Record<string, AttrSpec> = g.pads === undefined ? { auto_pad: { string: "SAME_UPPER" } } : { pads: { ints: g.pads } };
  const [y, indices] = b.node("MaxPool", [xNCHW], { kernel_shape: { ints: kernel }, strides: { ints: g.strides }, ...pads }, 2);
  return { y: y!, indices: indices!, xNCHW };
}

const flat = (b: GraphBuilder, v: string) => b.node1("Reshape", [v, b.int64s([-1])]);

function maxPoolGrad(n: NodeContext): string {
  const { b } = n;
  const rank = n.input(0).shape.length;
  const { indices, xNCHW } = maxPoolIndices(n, n.inputs[0]!);
  const dy = flat(b, toNCHW(b, n.inputs[2]!, rank));
  const zeros = b.node1("ConstantOfShape", [b.node1("Reshape", [b.node1("Size", [xNCHW]), b.int64s([1])])]);
  const scattered = b.node1("ScatterElements", [zeros, flat(b, indices), dy], { axis: { int: 0 }, reduction: { string: "add" } });
  return toNHWC(b, b.node1("Reshape", [scattered, b.node1("Shape", [xNCHW])]), rank);
}

function maxPoolGradGrad(n: NodeContext): string {
  const { b } = n;
  const rank = n.input(0).shape.length;
  const { y, indices } = maxPoolIndices(n, n.inputs[0]!);
  const grad = flat(b, toNCHW(b, n.inputs[2]!, rank));
  const picked = b.node1("GatherElements", [grad, flat(b, indices)], { axis: { int: 0 } });
  return toNHWC(b, b.node1("Reshape", [picked, b.node1("Shape", [y])]), rank);
}

function avgPoolGrad(n: NodeContext): string {
  const { b } = n;
  const attrs = n.attrs<BackpropAttrs & { ksize: number[] }>();
  const shape = attrs.origInputShape!;
  const [, h, w, c] = imageDims(shape);
  const size: [number, number] = [known(n, h, "the input height"), known(n, w, "the input width")];
  const kernel: [number, number] = [attrs.ksize[1]!, attrs.ksize[2]!];
  const g = windowGeometry(attrs, size, kernel);
  const pads = staticPads(n, g);
  const channels = staticChannels(n, c ?? n.input(0).shape[n.input(0).shape.length - 1] ?? null);
  // Each window's count of in-bounds elements (AvgPool divides by it), known from the geometry.
  const counts = [0, 1].map((k) => {
    const before = pads[k]!;
    const out = forwardSize(attrs, size[k]!, kernel[k]!, g.strides[k]!, 1, before, pads[k + 2]!);
    return Array.from({ length: out }, (_, i) => {
      const start = i * g.strides[k]! - before;
      return Math.min(start + kernel[k]!, size[k]!) - Math.max(start, 0);
    });
  }) as [number[], number[]];
  const table = Float32Array.from(counts[0].flatMap((r) => counts[1].map((col) => r * col)));
  const count = b.constant("float32", [1, 1, counts[0].length, counts[1].length], table, "avg_pool_counts");
  const dy = b.node1("Div", [toNCHW(b, n.inputs[0]!, shape.length), count]);
  const ones = b.constant("float32", [channels, 1, kernel[0], kernel[1]], new Float32Array(channels * kernel[0] * kernel[1]).fill(1), "avg_pool_ones");
  const dx = b.node1("ConvTranspose", [dy, ones], { ...transposeAttrs({ ...g, dilations: [1, 1] }, pads, size, kernel, attrs), group: { int: channels } });
  return toNHWC(b, dx, shape.length);
}

export const convolutionBackpropMappings: readonly OpMapping[] = [
  { op: "Conv2DBackpropInput", onnx: "Transpose + ConvTranspose + Transpose", convert: (n) => [backpropInput(n, false)] },
  { op: "Conv2DBackpropFilter", onnx: "Transpose + Conv (batch and channels swapped) + Slice + Transpose", convert: (n) => [backpropFilter(n, false)] },
  { op: "DepthwiseConv2dNativeBackpropInput", onnx: "Transpose + ConvTranspose(group) + Transpose", convert: (n) => [backpropInput(n, true)] },
  { op: "DepthwiseConv2dNativeBackpropFilter", onnx: "Transpose + Reshape + Conv(group) + Slice + Reshape + Transpose", convert: (n) => [backpropFilter(n, true)] },
  { op: "MaxPoolGrad", onnx: "MaxPool(Indices) + ScatterElements(reduction=add)", notes: "ties: the first maximum in the window gets the gradient", convert: (n) => [maxPoolGrad(n)] },
  { op: "MaxPoolGradGrad", onnx: "MaxPool(Indices) + GatherElements", convert: (n) => [maxPoolGradGrad(n)] },
  { op: "AvgPoolGrad", onnx: "Div(dy, counts) + ConvTranspose(ones, group)", convert: (n) => [avgPoolGrad(n)] },
];

