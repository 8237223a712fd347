import { ArgumentError, formatShape, ShapeError } from "../base/errors.js";
import type { ValueInfo } from "../ir/op.js";
import { checkInputDType, checkSameDType, FLOAT } from "./define_elementwise.js";

// Attrs and shape inference shared by every windowed op over NHWC images: the forward
// ops in convolution.ts and their backprop ops in convolution_backprop.ts. Attrs are
// TensorFlow's, in TF's layout (`strides: [1, sh, sw, 1]`, `padding: "SAME"`,
// `explicitPaddings: [0, 0, top, bottom, left, right, 0, 0]`), so a graph maps one-to-one
// onto a GraphDef; the public functions translate tfjs's arguments into them here.

/** tfjs's per-dimension padding for NHWC: `[[0, 0], [top, bottom], [left, right], [0, 0]]`. */
export type ExplicitPadding = readonly [
  readonly [number, number],
  readonly [number, number],
  readonly [number, number],
  readonly [number, number],
];

/** How a window op pads: tfjs's `"valid"`, `"same"`, one size for every side, or per side. */
export type PaddingSpec = "valid" | "same" | number | ExplicitPadding;

/** The attrs every windowed op carries. */
export interface WindowAttrs {
  readonly strides: readonly number[];
  readonly padding: "SAME" | "VALID" | "EXPLICIT";
  readonly explicitPaddings: readonly number[];
  readonly dataFormat: "NHWC";
}

/** `Conv2D` / `DepthwiseConv2dNative` attrs. */
export interface ConvAttrs extends WindowAttrs {
  readonly dilations: readonly number[];
}

/** `MaxPool` / `AvgPool` attrs: `ksize` is `[1, filterHeight, filterWidth, 1]`. */
export interface PoolAttrs extends WindowAttrs {
  readonly ksize: readonly number[];
}

/** A received value as error messages print it. */
export function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `2` or `[2, 3]` -> `[1, 2, 3, 1]`; element values are checked by `infer`. */
export function spatialAttr(value: unknown, api: string, argName: string): number[] {
  if (typeof value === "number") return [1, value, value, 1];
  if (Array.isArray(value) && value.length === 2) return [1, value[0], value[1], 1];
  throw new ArgumentError(`${api}: '${argName}' must be a number or a pair [height, width], received ${show(value)}`);
}

/** Translates tfjs's `pad` argument into TF's `padding` / `explicitPaddings` attrs. */
export function paddingAttrs(pad: unknown, api: string, dimRoundingMode: unknown): Pick<WindowAttrs, "padding" | "explicitPaddings"> {
  if (dimRoundingMode !== undefined && dimRoundingMode !== "floor") {
    throw new ArgumentError(
      `${api}: dimRoundingMode ${show(dimRoundingMode)} is not supported; like TensorFlow, explicit padding rounds the output size down ("floor"). Pad explicitly with per-side sizes instead`,
    );
  }
  if (pad === "same") return { padding: "SAME", explicitPaddings: [] };
  if (pad === "valid") return { padding: "VALID", explicitPaddings: [] };
  if (typeof pad === "number") return { padding: "EXPLICIT", explicitPaddings: [0, 0, pad, pad, pad, pad, 0, 0] };
  if (Array.isArray(pad) && pad.length === 4 && pad.every((p) => Array.isArray(p) && p.length === 2)) {
    return { padding: "EXPLICIT", explicitPaddings: (pad as number[][]).flat() };
  }
  throw new ArgumentError(
    `${api}: 'pad' must be "same", "valid", a non-negative integer or [[0, 0], [top, bottom], [left, right], [0, 0]], received ${show(pad)}`,
  );
}

export function checkDataFormat(dataFormat: unknown, api: string): "NHWC" {
  if (dataFormat === "NHWC") return dataFormat;
  if (dataFormat === "NCHW") {
    throw new ArgumentError(
      `${api}: dataFormat "NCHW" is not supported; transpose x to NHWC with tf.transpose(x, [0, 2, 3, 1]) and use "NHWC"`,
    );
  }
  throw new ArgumentError(`${api}: dataFormat must be "NHWC", received ${show(dataFormat)}`);
}

const isPositiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1;

/** Validates `[1, h, w, 1]` attrs (strides, dilations, ksize); returns `[h, w]`. */
export function checkSpatial(value: readonly number[] | undefined, api: string, name: string): [number, number] {
  if (!Array.isArray(value) || value.length !== 4 || !value.every(isPositiveInt)) {
    throw new ArgumentError(
      `${api}: '${name}' must be positive integers (a number or [height, width]), received ${show(value?.length === 4 ? value.slice(1, 3) : value)}`,
    );
  }
  if (value[0] !== 1 || value[3] !== 1) {
    throw new ArgumentError(`${api}: '${name}' in the batch and channel dimensions must be 1, received ${show(value)}`);
  }
  return [value[1]!, value[2]!];
}

/** Validates the padding attrs; returns `[top, bottom, left, right]` for EXPLICIT. */
export function checkPadding(attrs: WindowAttrs, api: string): number[] {
  const p = attrs.explicitPaddings;
  if (attrs.padding === "SAME" || attrs.padding === "VALID") {
    // As in TF, sizes go with EXPLICIT only (a graph file could pair them with SAME).
    if (!Array.isArray(p) || p.length > 0)
      throw new ArgumentError(`${api}: explicitPaddings must be [] with padding ${show(attrs.padding)}, received ${show(p)}`);
    return [0, 0, 0, 0];
  }
  if (attrs.padding !== "EXPLICIT") {
    throw new ArgumentError(`${api}: padding must be "SAME", "VALID" or "EXPLICIT", received ${show(attrs.padding)}`);
  }
  if (!Array.isArray(p) || p.length !== 8 || !p.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new ArgumentError(
      `${api}: explicit padding must be non-negative integers [[0, 0], [top, bottom], [left, right], [0, 0]], received ${show(p)}`,
    );
  }
  if (p[0] !== 0 || p[1] !== 0 || p[6] !== 0 || p[7] !== 0) {
    throw new ArgumentError(`${api}: explicit padding of the batch and channel dimensions must be [0, 0], received ${show(p)}`);
  }
  return p.slice(2, 6);
}

/**
 * TensorFlow's windowed output size (`GetWindowedOutputSize`): SAME gives
 * `ceil(in / stride)` whatever the filter, VALID and EXPLICIT give
 * `trunc((in + padding - effectiveFilter + stride) / stride)`, an error when negative.
 */
export function windowedSize(
  api: string,
  what: string,
  inSize: number | null,
  filter: number | null,
  stride: number,
  dilation: number,
  attrs: WindowAttrs,
  before: number,
  after: number,
): number | null {
  if (inSize === null) return null;
  if (attrs.padding === "SAME") return Math.ceil(inSize / stride);
  if (filter === null) return null;
  const effective = (filter - 1) * dilation + 1;
  const out = Math.trunc((inSize + before + after - effective + stride) / stride);
  if (out < 0) {
    const padded = before + after > 0 ? ` plus padding ${before + after}` : "";
    throw new ShapeError(
      `${api}: the window's effective ${what} ${effective}${dilation > 1 ? ` (filter ${filter}, dilation ${dilation})` : ""} is larger than the input ${what} ${inSize}${padded}; use a smaller filter or pad "same"`,
    );
  }
  return out;
}

/** Checks x is `[n, h, w, c]` or `[h, w, c]`; returns its dims with batch 1 when unbatched. */
export function imageDims(x: ValueInfo, api: string): [number | null, number | null, number | null, number | null] {
  if (x.shape.length === 4) return x.shape as [number | null, number | null, number | null, number | null];
  if (x.shape.length === 3) return [1, x.shape[0]!, x.shape[1]!, x.shape[2]!];
  throw new ShapeError(
    `${api}: x must have rank 4 [batch, height, width, channels] or rank 3 [height, width, channels], received shape ${formatShape(x.shape)}`,
  );
}

/** The output shape, rank 3 again for an unbatched input. */
export function imageShape(x: ValueInfo, n: number | null, h: number | null, w: number | null, c: number | null): (number | null)[] {
  return x.shape.length === 3 ? [h, w, c] : [n, h, w, c];
}

/** Shared shape inference of the two convolutions. `depthwise` multiplies channels instead of mixing them. */
export function inferConv(api: string, depthwise: boolean, x: ValueInfo, filter: ValueInfo, attrs: ConvAttrs): ValueInfo[] {
  checkInputDType(api, "x", x, FLOAT, 'convert with tf.cast(x, "float32")');
  checkInputDType(api, "filter", filter, FLOAT, 'convert with tf.cast(filter, "float32")');
  checkSameDType(api, x, filter, ["x", "filter"]);
  checkDataFormat(attrs.dataFormat, api);
  const [n, h, w, c] = imageDims(x, api);
  const layout = depthwise
    ? "[filterHeight, filterWidth, inChannels, channelMultiplier]"
    : "[filterHeight, filterWidth, inChannels, outChannels]";
  if (filter.shape.length !== 4)
    throw new ShapeError(`${api}: filter must have rank 4 ${layout}, received shape ${formatShape(filter.shape)}`);
  const [fh, fw, fc, fo] = filter.shape;
  if ((fh !== null && fh! < 1) || (fw !== null && fw! < 1)) {
    throw new ShapeError(`${api}: the filter's height and width must be at least 1, received filter shape ${formatShape(filter.shape)}`);
  }
  if (c !== null && fc !== null && c !== fc) {
    throw new ShapeError(
      `${api}: x has ${c} channels (shape ${formatShape(x.shape)}) but the filter expects ${fc} (filter shape ${formatShape(filter.shape)} is ${layout})`,
    );
  }
  const [sh, sw] = checkSpatial(attrs.strides, api, "strides");
  const [dh, dw] = checkSpatial(attrs.dilations, api, "dilations");
  if ((sh > 1 || sw > 1) && (dh > 1 || dw > 1)) {
    throw new ArgumentError(
      `${api}: strides [${sh}, ${sw}] and dilations [${dh}, ${dw}] cannot both be greater than 1; use strides 1 with dilation, or dilation 1 with strides`,
    );
  }
  const [top, bottom, left, right] = checkPadding(attrs, api);
  const oh = windowedSize(api, "height", h, fh!, sh, dh, attrs, top!, bottom!);
  const ow = windowedSize(api, "width", w, fw!, sw, dw, attrs, left!, right!);
  const channels = depthwise ? (fc === null || fo === null ? null : fc! * fo!) : fo!;
  return [{ shape: imageShape(x, n, oh, ow, channels), dtype: x.dtype }];
}

/** Shared shape inference of the pools. */
export function inferPool(api: string, x: ValueInfo, attrs: PoolAttrs, dtypes: typeof FLOAT): ValueInfo[] {
  checkInputDType(api, "x", x, dtypes, 'convert with tf.cast(x, "float32")');
  // Kernels share the window geometry of convolutions, which reads `dilations`: pools have none.
  if ((attrs as { dilations?: unknown }).dilations !== undefined) throw new ArgumentError(`${api}: pooling takes no 'dilations'`);
  checkDataFormat(attrs.dataFormat, api);
  const [n, h, w, c] = imageDims(x, api);
  const [fh, fw] = checkSpatial(attrs.ksize, api, "filterSize");
  const [sh, sw] = checkSpatial(attrs.strides, api, "strides");
  const [top, bottom, left, right] = checkPadding(attrs, api);
  const oh = windowedSize(api, "height", h, fh, sh, 1, attrs, top!, bottom!);
  const ow = windowedSize(api, "width", w, fw, sw, 1, attrs, left!, right!);
  return [{ shape: imageShape(x, n, oh, ow, c), dtype: x.dtype }];
}

export function convAttrs(
  api: string,
  strides: unknown,
  pad: unknown,
  dataFormat: unknown,
  dilations: unknown,
  dimRoundingMode: unknown,
): ConvAttrs {
  return {
    strides: spatialAttr(strides, api, "strides"),
    ...paddingAttrs(pad, api, dimRoundingMode),
    dataFormat: checkDataFormat(dataFormat, api),
    dilations: spatialAttr(dilations, api, "dilations"),
  };
}

export function poolAttrs(api: string, filterSize: unknown, strides: unknown, pad: unknown, dimRoundingMode: unknown): PoolAttrs {
  return {
    ksize: spatialAttr(filterSize, api, "filterSize"),
    strides: spatialAttr(strides, api, "strides"),
    ...paddingAttrs(pad, api, dimRoundingMode),
    dataFormat: "NHWC",
  };
}
