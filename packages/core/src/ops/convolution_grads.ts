/**
 * Gradient rules of the windowed ops (convolution.ts) and of their backprop ops
 * (convolution_backprop.ts), TensorFlow's rules: conv2d's input gradient is
 * Conv2DBackpropInput, its filter gradient Conv2DBackpropFilter, and so on. Each rule binds
 * the backprop op with the forward attrs plus the shape of the tensor it differentiates,
 * so the same rule runs eagerly or emits graph nodes while tracing. The backprop ops'
 * own rules (second derivatives) close the loop: the transpose of Conv2DBackpropInput is
 * Conv2D again, that of MaxPoolGrad is MaxPoolGradGrad, that of AvgPoolGrad is AvgPool.
 *
 * While tracing, the differentiated tensor's batch (and channels) may be unknown: the
 * backprop op takes them from `dy` at run time. Its height and width must be known.
 */

import { formatShape, ShapeError } from "../base/errors.js";
import type { GradArgs } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { AvgPool, Conv2D, DepthwiseConv2dNative } from "./convolution.js";
import {
  AvgPoolGrad,
  type AvgPoolGradAttrs,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  type ConvBackpropFilterAttrs,
  type ConvBackpropInputAttrs,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  MaxPoolGrad,
  MaxPoolGradGrad,
} from "./convolution_backprop.js";
import { where } from "./selection.js";
import type { ConvAttrs, PoolAttrs } from "./window_attrs.js";

type Grads = (Tensor | null)[];

/** Just the forward attrs, so a backprop op's extra shape attr does not leak into the ops it binds. */
function convOnly(attrs: ConvAttrs): ConvAttrs {
  const { strides, padding, explicitPaddings, dataFormat, dilations } = attrs;
  return { strides, padding, explicitPaddings, dataFormat, dilations };
}

function poolOnly(attrs: PoolAttrs): PoolAttrs {
  const { ksize, strides, padding, explicitPaddings, dataFormat } = attrs;
  return { ksize, strides, padding, explicitPaddings, dataFormat };
}

/**
 * The shape of `t` as a backprop op's shape attr. Its height and width (the first two dims
 * of a filter, the middle two of a rank-4 image) must be known; they are not while tracing
 * with an input signature that leaves them open, which no run-time fallback can fix.
 */
function sizesOf(t: Tensor, api: string, name: string, role: "image" | "filter"): (number | null)[] {
  const spatial = role === "filter" || t.rank === 3 ? [0, 1] : [1, 2];
  if (spatial.some((i) => t.shape[i] === null)) {
    const example = role === "image" ? (t.rank === 3 ? "[28, 28, 3]" : "[null, 28, 28, 3]") : "[3, 3, 3, 8]";
    throw new ShapeError(
      `gradient of ${api}: ${name} has shape ${formatShape(t.shape)}, but the gradient needs its height and width, which are unknown while tracing; trace with an inputSignature that fixes them (only the batch may stay null), e.g. new tf.TensorSpec(${example})`,
    );
  }
  return [...t.shape];
}

/** Conv2D and DepthwiseConv2dNative: `dx` and `dfilter` from the two backprop ops. */
function convolutionGrad(api: string, depthwise: boolean, { inputs, dys, attrs }: GradArgs<ConvAttrs, Tensor>): Grads {
  const [x, filter] = inputs as [Tensor, Tensor];
  const dy = dys[0];
  if (dy === null || dy === undefined) return [null, null];
  const conv = convOnly(attrs);
  const inputOp = depthwise ? DepthwiseConv2dNativeBackpropInput : Conv2DBackpropInput;
  const filterOp = depthwise ? DepthwiseConv2dNativeBackpropFilter : Conv2DBackpropFilter;
  const inputAttrs: ConvBackpropInputAttrs = { ...conv, inputSizes: sizesOf(x, api, "x", "image") };
  const filterAttrs: ConvBackpropFilterAttrs = { ...conv, filterSizes: sizesOf(filter, api, "filter", "filter") };
  return [bind1(inputOp, [filter, dy], inputAttrs), bind1(filterOp, [x, dy], filterAttrs)];
}

/** `Conv2D`: `dx = Conv2DBackpropInput(filter, dy)`, `dfilter = Conv2DBackpropFilter(x, dy)`. */
export function conv2dGradient(args: GradArgs<ConvAttrs, Tensor>): Grads {
  return convolutionGrad("conv2d", false, args);
}

/** `DepthwiseConv2dNative`: its two backprop ops, as for Conv2D. */
export function depthwiseConv2dGradient(args: GradArgs<ConvAttrs, Tensor>): Grads {
  return convolutionGrad("depthwiseConv2d", true, args);
}

/** `MaxPool`: `dy` routed to each window's maximum. int32 pools get no gradient, like every int op. */
export function maxPoolGradient({ inputs: [x], outputs: [y], dys: [dy], attrs }: GradArgs<PoolAttrs, Tensor>): Grads {
  if (dy === null || dy === undefined || x!.dtype !== "float32") return [null];
  return [bind1(MaxPoolGrad, [x!, y!, dy], poolOnly(attrs))];
}

/** `AvgPool`: `dy` spread evenly over each window's in-bounds elements. */
export function avgPoolGradient({ inputs: [x], dys: [dy], attrs }: GradArgs<PoolAttrs, Tensor>): Grads {
  if (dy === null || dy === undefined) return [null];
  const gradAttrs: AvgPoolGradAttrs = { ...poolOnly(attrs), origInputShape: sizesOf(x!, "avgPool", "x", "image") };
  return [bind1(AvgPoolGrad, [dy], gradAttrs)];
}

/**
 * `dx = BackpropInput(filter, dy)` is linear in each input: its gradient with respect to
 * `dy` is the forward convolution of the incoming gradient `g` (shaped like x), and with
 * respect to the filter it is BackpropFilter(g, dy).
 */
function backpropInputGrad(api: string, depthwise: boolean, { inputs, dys, attrs }: GradArgs<ConvBackpropInputAttrs, Tensor>): Grads {
  const [filter, dy] = inputs as [Tensor, Tensor];
  const g = dys[0];
  if (g === null || g === undefined) return [null, null];
  const conv = convOnly(attrs);
  const filterAttrs: ConvBackpropFilterAttrs = { ...conv, filterSizes: sizesOf(filter, api, "filter", "filter") };
  return [
    bind1(depthwise ? DepthwiseConv2dNativeBackpropFilter : Conv2DBackpropFilter, [g, dy], filterAttrs),
    bind1(depthwise ? DepthwiseConv2dNative : Conv2D, [g, filter], conv),
  ];
}

/**
 * `dfilter = BackpropFilter(x, dy)`: with `g` shaped like the filter, the gradient with
 * respect to x is BackpropInput(g, dy) and with respect to `dy` the convolution of x with g.
 */
function backpropFilterGrad(api: string, depthwise: boolean, { inputs, dys, attrs }: GradArgs<ConvBackpropFilterAttrs, Tensor>): Grads {
  const [x, dy] = inputs as [Tensor, Tensor];
  const g = dys[0];
  if (g === null || g === undefined) return [null, null];
  const conv = convOnly(attrs);
  const inputAttrs: ConvBackpropInputAttrs = { ...conv, inputSizes: sizesOf(x, api, "x", "image") };
  return [
    bind1(depthwise ? DepthwiseConv2dNativeBackpropInput : Conv2DBackpropInput, [g, dy], inputAttrs),
    bind1(depthwise ? DepthwiseConv2dNative : Conv2D, [x, g], conv),
  ];
}

/** `Conv2DBackpropInput` (and conv2dTranspose): see `backpropInputGrad`. */
export function conv2DBackpropInputGradient(args: GradArgs<ConvBackpropInputAttrs, Tensor>): Grads {
  return backpropInputGrad("conv2DBackpropInput", false, args);
}

/** `Conv2DBackpropFilter`: see `backpropFilterGrad`. */
export function conv2DBackpropFilterGradient(args: GradArgs<ConvBackpropFilterAttrs, Tensor>): Grads {
  return backpropFilterGrad("conv2DBackpropFilter", false, args);
}

/** `DepthwiseConv2dNativeBackpropInput`: see `backpropInputGrad`. */
export function depthwiseBackpropInputGradient(args: GradArgs<ConvBackpropInputAttrs, Tensor>): Grads {
  return backpropInputGrad("depthwiseConv2dNativeBackpropInput", true, args);
}

/** `DepthwiseConv2dNativeBackpropFilter`: see `backpropFilterGrad`. */
export function depthwiseBackpropFilterGradient(args: GradArgs<ConvBackpropFilterAttrs, Tensor>): Grads {
  return backpropFilterGrad("depthwiseConv2dNativeBackpropFilter", true, args);
}

/**
 * `MaxPoolGrad(x, y, dy)` is linear in `dy` (a fixed routing): its gradient is
 * MaxPoolGradGrad, which reads back what the routing sent. The argmax positions are
 * piecewise constant in `x`, so `x` and `y` get no gradient (zero almost everywhere).
 */
export function maxPoolGradGradient({ inputs: [x, y], dys: [g], attrs }: GradArgs<PoolAttrs, Tensor>): Grads {
  if (g === null || g === undefined) return [null, null, null];
  return [null, null, bind1(MaxPoolGradGrad, [x!, y!, g], poolOnly(attrs))];
}

/** `MaxPoolGradGrad` is the transpose of MaxPoolGrad's routing, so its gradient is MaxPoolGrad. */
export function maxPoolGradGradGradient({ inputs: [x, y], dys: [g], attrs }: GradArgs<PoolAttrs, Tensor>): Grads {
  if (g === null || g === undefined) return [null, null, null];
  return [null, null, bind1(MaxPoolGrad, [x!, y!, g], poolOnly(attrs))];
}

/**
 * For explicit padding at least as large as the window, the `[outHeight, outWidth, 1]`
 * booleans that are false where a window lies wholly in the padding; `null` when every
 * window holds an input element (always so for SAME and VALID).
 */
function nonEmptyWindows(attrs: AvgPoolGradAttrs): boolean[][][] | null {
  if (attrs.padding !== "EXPLICIT") return null;
  const [, fh, fw] = attrs.ksize as number[];
  const [top, bottom, left, right] = attrs.explicitPaddings.slice(2, 6) as number[];
  if (top! < fh! && bottom! < fh! && left! < fw! && right! < fw!) return null;
  const sizes = attrs.origInputShape;
  const [h, w] = (sizes.length === 4 ? sizes.slice(1, 3) : sizes.slice(0, 2)) as number[];
  // Output sizes as the forward op computes them for explicit padding.
  const along = (size: number, filter: number, stride: number, before: number, after: number): boolean[] => {
    const count = Math.trunc((size + before + after - filter + stride) / stride);
    return Array.from({ length: Math.max(count, 0) }, (_, o) => o * stride - before + filter > 0 && o * stride - before < size);
  };
  const rows = along(h!, fh!, attrs.strides[1]!, top!, bottom!);
  const cols = along(w!, fw!, attrs.strides[2]!, left!, right!);
  if (rows.every((r) => r) && cols.every((c) => c)) return null;
  return rows.map((r) => cols.map((c) => [r && c]));
}

/**
 * `AvgPoolGrad` spreads evenly; its transpose averages, i.e. it is AvgPool. A window wholly
 * in explicit padding averages nothing (AvgPool gives NaN there), but the spread sent it
 * nowhere, so its gradient is 0.
 */
export function avgPoolGradGradient({ dys: [g], attrs }: GradArgs<AvgPoolGradAttrs, Tensor>): Grads {
  if (g === null || g === undefined) return [null];
  const pooled = bind1(AvgPool, [g], poolOnly(attrs));
  const mask = nonEmptyWindows(attrs);
  return [mask === null ? pooled : where(mask, pooled, 0)];
}
