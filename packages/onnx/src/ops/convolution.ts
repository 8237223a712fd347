/**
 * Convolutions and pools over NHWC images. ONNX's are NCHW, so each becomes Transpose, the
 * ONNX op, Transpose back (onnxruntime folds the filter's transpose into the initializer and
 * cancels adjacent transposes between layers). Depthwise convolution is a grouped `Conv`
 * with one group per input channel. int32 max pools run in float64, which holds every int32.
 *
 * ```ts
 * // tf.conv2d(x, f, 1, "same")  ->  Transpose(Conv(Transpose(x), Transpose(f), pads), [0, 2, 3, 1])
 * ```
 */
import type { AttrSpec } from "../proto/build.js";
import { cast } from "./helpers.js";
import type { NodeContext, OpMapping } from "./mapping.js";
import { imageDims, toNCHW, toNHWC, type WindowAttrs, windowAttributes, windowGeometry } from "./window.js";

/** TF filter `[kh, kw, in, out]` -> ONNX weights `[out, in, kh, kw]`. */
export function convWeights(n: NodeContext, filter: string): string {
  return n.b.node1("Transpose", [filter], { perm: { ints: [3, 2, 0, 1] } });
}

/** TF depthwise filter `[kh, kw, c, m]` -> grouped ONNX weights `[c * m, 1, kh, kw]`. */
export function depthwiseWeights(n: NodeContext, filter: string): string {
  const flat = n.b.node1("Reshape", [filter, n.b.int64s([0, 0, 1, -1])]);
  return n.b.node1("Transpose", [flat], { perm: { ints: [3, 2, 0, 1] } });
}

/** The number of input channels, which ONNX's `group` attribute needs as a number. */
export function staticChannels(n: NodeContext, channels: number | null): number {
  return channels ?? n.fail("a depthwise convolution needs a known number of input channels (ONNX's group attribute is a number)");
}

function convolution(n: NodeContext, depthwise: boolean): string {
  const { b } = n;
  const shape = n.input(0).shape;
  const [, h, w, c] = imageDims(shape);
  const [kh, kw] = n.input(1).shape;
  const g = windowGeometry(n.attrs<WindowAttrs>(), [h, w], [kh!, kw!]);
  const weights = depthwise ? depthwiseWeights(n, n.inputs[1]!) : convWeights(n, n.inputs[1]!);
  const group: Record<string, AttrSpec> = depthwise ? { group: { int: staticChannels(n, c) } } : {};
  const y = b.node1("Conv", [toNCHW(b, n.inputs[0]!, shape.length), weights], { ...windowAttributes(g, true), ...group });
  return toNHWC(b, y, shape.length);
}

function pool(n: NodeContext, onnx: "MaxPool" | "AveragePool"): string {
  const { b } = n;
  const shape = n.input(0).shape;
  const [, h, w] = imageDims(shape);
  const attrs = n.attrs<WindowAttrs & { ksize: number[] }>();
  const kernel = [attrs.ksize[1]!, attrs.ksize[2]!];
  const g = windowGeometry(attrs, [h, w], kernel);
  const dtype = n.input(0).dtype;
  const work = dtype === "int32" ? "float64" : dtype;
  const x = toNCHW(b, cast(b, n.inputs[0]!, dtype, work), shape.length);
  const extra: Record<string, AttrSpec> = onnx === "AveragePool" ? { count_include_pad: { int: 0 } } : {};
  const y = b.node1(onnx, [x], { kernel_shape: { ints: kernel }, ...windowAttributes(g, false), ...extra });
  return cast(b, toNHWC(b, y, shape.length), work, dtype);
}

export const convolutionMappings: readonly OpMapping[] = [
  { op: "Conv2D", onnx: "Transpose + Conv + Transpose", convert: (n) => [convolution(n, false)] },
  { op: "DepthwiseConv2dNative", onnx: "Transpose + Conv(group=channels) + Transpose", convert: (n) => [convolution(n, true)] },
  { op: "MaxPool", onnx: "Transpose + MaxPool + Transpose (int32 via float64)", convert: (n) => [pool(n, "MaxPool")] },
  { op: "AvgPool", onnx: "Transpose + AveragePool(count_include_pad=0) + Transpose", convert: (n) => [pool(n, "AveragePool")] },
];
