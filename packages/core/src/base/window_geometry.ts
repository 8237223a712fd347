import type { ConcreteShape } from "./shape.js";

// Where the windows of a windowed op sit in its input: shared by every backend's
// convolution and pooling kernels, so padding is computed one way everywhere.

/**
 * Where every window of a windowed op (convolution, pooling) sits in its NHWC input.
 * Core's `infer` already validated the attrs and computed the output size; this recovers
 * the one number it does not hand over: how much padding lies before the first row/column.
 */
export interface WindowGeometry {
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
}

/** The subset of Conv2D / pool attrs the geometry needs (TF layout: `[1, h, w, 1]`). */
export interface WindowAttrsLike {
  readonly strides: readonly number[];
  readonly dilations?: readonly number[];
  readonly padding: string;
  readonly explicitPaddings: readonly number[];
}

/**
 * TF's padding before the data: SAME splits `max((out - 1) * stride + effectiveFilter - in, 0)`
 * with the smaller half first; EXPLICIT reads it; VALID has none.
 */
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
  const total = Math.max((outSize - 1) * stride + (filter - 1) * dilation + 1 - inSize, 0);
  return Math.floor(total / 2);
}

/**
 * The geometry of a windowed op over `xShape` (rank 4, or rank 3 unbatched) producing
 * `outShape`, with a `filterHeight × filterWidth` window.
 *
 * ```ts
 * windowGeometry([1, 5, 5, 3], [1, 3, 3, 8], 3, 3, attrs).padTop; // 1 for SAME, stride 2
 * ```
 */
export function windowGeometry(
  xShape: ConcreteShape,
  outShape: ConcreteShape,
  filterHeight: number,
  filterWidth: number,
  attrs: WindowAttrsLike,
): WindowGeometry {
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
  };
}
