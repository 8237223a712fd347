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

import { elemData, type GraphBuilder } from "../export/graph_builder.js";
import type { AttrSpec } from "../proto/build.js";
import type { ElemType } from "../proto/dtype.js";
import { cast } from "./helpers.js";
import type { NodeContext, OpMapping } from "./mapping.js";
import {
  emptyResult,
  imageDims,
  toNCHW,
  toNHWC,
  type WindowAttrs,
  type WindowGeometry,
  windowAttributes,
  windowGeometry,
} from "./window.js";

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
  const empty = emptyResult(n);
  if (empty !== undefined) return empty;
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

/** Each window's count of in-bounds elements along one axis (the divisor of an average). */
function windowCounts(size: number, kernel: number, stride: number, before: number, after: number): number[] {
  const out = Math.floor((size + before + after - kernel) / stride) + 1;
  return Array.from({ length: Math.max(out, 0) }, (_, i) => {
    const start = i * stride - before;
    return Math.max(Math.min(start + kernel, size) - Math.max(start, 0), 0);
  });
}

/**
 * A pool whose padding reaches a whole window (explicit pads of at least the window size, which
 * onnxruntime rejects): the image is padded first (-Infinity, or int32's minimum, for a max:
 * padding never wins; -0 for an average, whose sums are then divided by each window's in-bounds
 * count, known from the geometry), and pooled without padding. A window entirely in the padding
 * gives what Kiln gives: -Infinity (int32: -2^31) or NaN. The average pads with -0, not 0:
 * onnxruntime's PadFusion folds a Pad of zeros into the next pool's `pads`, which brings the
 * rejected padding back; -0 adds nothing to a sum and is not folded.
 */
function paddedPool(
  n: NodeContext,
  b: GraphBuilder,
  onnx: "MaxPool" | "AveragePool",
  x: string,
  kernel: number[],
  g: WindowGeometry,
  work: ElemType,
  size: [number | null, number | null],
): string {
  const [top, left, bottom, right] = g.pads!;
  const value = onnx === "AveragePool" ? -0 : n.input(0).dtype === "int32" ? -2147483648 : Number.NEGATIVE_INFINITY;
  const padded = b.node1("Pad", [x, b.int64s([0, 0, top, left, 0, 0, bottom, right]), b.scalar(work, value)], {
    mode: { string: "constant" },
  });
  const pooled = b.node1(onnx, [padded], { kernel_shape: { ints: kernel }, strides: { ints: g.strides } });
  if (onnx === "MaxPool") return pooled;
  const [h, w] = size;
  if (h === null || w === null) n.fail("average pooling with padding of a whole window needs a known image height and width");
  const rows = windowCounts(h, kernel[0]!, g.strides[0], top, bottom);
  const cols = windowCounts(w, kernel[1]!, g.strides[1], left, right);
  const counts = b.constant(
    work,
    [1, 1, rows.length, cols.length],
    elemData(
      work,
      rows.flatMap((r) => cols.map((c) => r * c)),
    ),
    "pool_counts",
  );
  const sums = b.node1("Mul", [pooled, b.scalar(work, kernel[0]! * kernel[1]!)]);
  return b.node1("Div", [sums, counts]);
}

/** Each element's class for `maxPoolEdges`: 2 for NaN, 0 for -Infinity, 1 otherwise. */
function windowClasses(b: GraphBuilder, x: string): string {
  const f = (v: number) => b.scalar("float32", v);
  const negativeInfinity = b.node1("IsInf", [x], { detect_positive: { int: 0 } });
  return b.node1("Where", [b.node1("IsNaN", [x]), f(2), b.node1("Where", [negativeInfinity, f(0), f(1)])]);
}

/**
 * Kiln's max-pool edges from the pooled classes: a window holding a NaN gives NaN (onnxruntime
 * skips NaN), and one of only -Infinity (or only padding) gives -Infinity (onnxruntime starts
 * from the lowest finite float32 and returns it).
 */
function maxPoolEdges(b: GraphBuilder, y: string, classes: string): string {
  const f = (v: number) => b.scalar("float32", v);
  const floor = b.node1("Where", [b.node1("Less", [classes, f(0.5)]), f(Number.NEGATIVE_INFINITY), y]);
  return b.node1("Where", [b.node1("Greater", [classes, f(1.5)]), f(Number.NaN), floor]);
}

/**
 * `maxPoolEdges` only where it can matter: an `If` on whether the input's sum is NaN or
 * infinite (so whenever it holds a NaN or an infinity; one pass: `IsNaN(s - s)` of
 * `s = ReduceSum(x)`) runs the classes' pool and the fix-up, or passes the plain result
 * through. Ordinary inputs pay one reduction, not a second pool. (Padding that covers a whole
 * window needs the fix-up whatever the values: no guard then.)
 */
function guardedEdges(b: GraphBuilder, x: string, y: string, run: (input: string, into: GraphBuilder) => string): string {
  const sum = b.node1("ReduceSum", [x], { keepdims: { int: 0 } });
  const special = b.node1("IsNaN", [b.node1("Sub", [sum, sum])]);
  const fixed = b.subgraph("max_pool_special_values");
  fixed.addOutput(fixed.ownOutput(maxPoolEdges(fixed, y, run(windowClasses(fixed, x), fixed)), new Set()), "float32", undefined);
  const plain = b.subgraph("max_pool_ordinary_values");
  plain.addOutput(plain.ownOutput(y, new Set()), "float32", undefined);
  return b.node1("If", [special], { then_branch: { graph: fixed.toGraph() }, else_branch: { graph: plain.toGraph() } });
}

function pool(n: NodeContext, onnx: "MaxPool" | "AveragePool"): string {
  const empty = emptyResult(n);
  if (empty !== undefined) return empty;
  const { b } = n;
  const shape = n.input(0).shape;
  const [, h, w] = imageDims(shape);
  const attrs = n.attrs<WindowAttrs & { ksize: number[] }>();
  const kernel = [attrs.ksize[1]!, attrs.ksize[2]!];
  const g = windowGeometry(attrs, [h, w], kernel);
  const dtype = n.input(0).dtype;
  const work: ElemType = dtype === "int32" ? "float64" : dtype;
  const x = toNCHW(b, cast(b, n.inputs[0]!, dtype, work), shape.length);
  const whole = g.pads?.some((p, i) => p >= kernel[i % 2]!) === true;
  const extra: Record<string, AttrSpec> = onnx === "AveragePool" ? { count_include_pad: { int: 0 } } : {};
  const run = (input: string, into = b) =>
    whole
      ? paddedPool(n, into, onnx, input, kernel, g, work, [h, w])
      : into.node1(onnx, [input], { kernel_shape: { ints: kernel }, ...windowAttributes(g, false), ...extra });
  let y: string;
  if (onnx === "AveragePool") {
    // Averaged at 2^-e scale (2^e >= the window's size: exact for normal values), so that window
    // sums of huge values do not overflow float32 where Kiln's average does not.
    const scale = 2 ** Math.ceil(Math.log2(kernel[0]! * kernel[1]!));
    y = b.node1("Mul", [run(b.node1("Mul", [x, b.scalar(work, 1 / scale)])), b.scalar(work, scale)]);
  } else y = run(x);
  if (onnx === "MaxPool" && dtype === "float32" && n.options.specialValues !== "runtime") y = whole ? maxPoolEdges(b, y, run(windowClasses(b, x))) : guardedEdges(b, x, y, run);
  return cast(b, toNHWC(b, y, shape.length), work, dtype);
}

export const convolutionMappings: readonly OpMapping[] = [
  { op: "Conv2D", onnx: "Transpose + Conv + Transpose", convert: (n) => [convolution(n, false)] },
  { op: "DepthwiseConv2dNative", onnx: "Transpose + Conv(group=channels) + Transpose", convert: (n) => [convolution(n, true)] },
  {
    op: "MaxPool",
    onnx: "Transpose + MaxPool + Transpose (int32 via float64; float32: NaN and -Infinity windows from a MaxPool of value classes, in an If run when the input holds NaN or infinities; Pad first when padding covers a window)",
    notes: "NaN wins and windows of -Infinity or padding give -Infinity, as in Kiln",
    convert: (n) => [pool(n, "MaxPool")],
  },
  {
    op: "AvgPool",
    onnx: "Transpose + AveragePool(count_include_pad=0) at a 2^-e scale + Transpose (Pad, sums and counts when padding covers a window)",
    convert: (n) => [pool(n, "AveragePool")],
  },
];
