import { type ConcreteShape, type WindowAttrsLike, type WindowGeometry, windowGeometry } from "@kiln/core";
import type { ArgFrame } from "../runtime/arg_frame.js";

/** A window's geometry (core's `WindowGeometry`) and the output channels of the kernel, pushed in csrc/window.h's field order. */
export interface Window extends WindowGeometry {
  readonly outChannels: number;
}

/**
 * The geometry of a windowed op over `xShape` (rank 4, or rank 3 unbatched) producing
 * `outShape` with a `filterHeight x filterWidth` window (core's `windowGeometry`), and the
 * output channels the C kernels also take.
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
  return { ...windowGeometry(xShape, outShape, filterHeight, filterWidth, attrs), outChannels };
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
