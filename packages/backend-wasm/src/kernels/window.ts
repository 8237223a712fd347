import type { ConcreteShape } from "@kiln/core";
import type { ArgFrame } from "../runtime/arg_frame.js";

/** The subset of Conv2D / pool attrs the geometry needs (TF layout: `[1, h, w, 1]`). */
export interface WindowAttrsLike {
  readonly strides: readonly number[];
  readonly dilations?: readonly number[];
  readonly padding: string;
  readonly explicitPaddings: readonly number[];
}

/** Where every window of a windowed op sits in its NHWC input (csrc/window.h, same field order). */
export interface Window {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
  /** Convolutions: the filter's output channels (depthwise: the channel multiplier). */
  readonly outChannels: number;
}

/** TF's padding before the data: SAME puts the smaller half first; EXPLICIT reads it; VALID has none. */
function padBefore(
  padding: string,
  explicit: number,
  inSize: number,
  outSize: number,
  filter: number,
  stride: number,
  dilation: number,
): number {
  if (padding === "EXPLICIT") return explicit;
  if (padding !== "SAME") return 0;
  return Math.floor(Math.max((outSize - 1) * stride + (filter - 1) * dilation + 1 - inSize, 0) / 2);
}

/**
 * The geometry of a windowed op over `xShape` (rank 4, or rank 3 unbatched) producing
 * `outShape` with a `filterHeight x filterWidth` window.
 *
 * ```ts
 * windowOf([1, 5, 5, 3], [1, 3, 3, 8], 3, 3, 8, attrs).padTop; // 1 for SAME, stride 2
 * ```
 */
export function windowOf(
  xShape: ConcreteShape,
  outShape: ConcreteShape,
  filterHeight: number,
  filterWidth: number,
  outChannels: number,
  attrs: WindowAttrsLike,
): Window {
  const unbatched = xShape.length === 3;
  const [batch, inHeight, inWidth, channels] = unbatched ? [1, ...xShape] : xShape;
  const [outHeight, outWidth] = unbatched ? outShape : outShape.slice(1);
  const strideHeight = attrs.strides[1]!;
  const strideWidth = attrs.strides[2]!;
  const dilationHeight = attrs.dilations?.[1] ?? 1;
  const dilationWidth = attrs.dilations?.[2] ?? 1;
  return {
    batch: batch!,
    inHeight: inHeight!,
    inWidth: inWidth!,
    channels: channels!,
    outHeight: outHeight!,
    outWidth: outWidth!,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    padTop: padBefore(attrs.padding, attrs.explicitPaddings[2] ?? 0, inHeight!, outHeight!, filterHeight, strideHeight, dilationHeight),
    padLeft: padBefore(attrs.padding, attrs.explicitPaddings[4] ?? 0, inWidth!, outWidth!, filterWidth, strideWidth, dilationWidth),
    outChannels,
  };
}

/** Appends a window to an argument frame in csrc/window.h's field order. */
export function pushWindow(frame: ArgFrame, w: Window): void {
  frame
    .push(w.batch)
    .push(w.inHeight)
    .push(w.inWidth)
    .push(w.channels)
    .push(w.outHeight)
    .push(w.outWidth)
    .push(w.filterHeight)
    .push(w.filterWidth)
    .push(w.strideHeight)
    .push(w.strideWidth)
    .push(w.dilationHeight)
    .push(w.dilationWidth)
    .push(w.padTop)
    .push(w.padLeft)
    .push(w.outChannels);
}
