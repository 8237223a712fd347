/**
 * Window geometry shared by the convolution and pooling mappings: TF's NHWC attrs (strides,
 * dilations, ksize as `[1, h, w, 1]`; `SAME`/`VALID`/`EXPLICIT` padding) turned into ONNX's
 * NCHW attributes, and the layout changes around each ONNX node.
 *
 * ```ts
 * const g = windowGeometry(n, inputShape, [3, 3]); // { strides, dilations, pads | autoPad }
 * ```
 */

import type { GraphBuilder } from "../export/graph_builder.js";
import type { AttrSpec } from "../proto/build.js";
import { filled } from "./creation.js";
import { squeeze, unsqueeze } from "./helpers.js";
import type { NodeContext } from "./mapping.js";

export interface WindowAttrs {
  readonly strides: readonly number[];
  readonly dilations?: readonly number[];
  readonly ksize?: readonly number[];
  readonly padding: "SAME" | "VALID" | "EXPLICIT";
  readonly explicitPaddings: readonly number[];
}

/** Strides, dilations and padding of one window op, in ONNX's terms. */
export interface WindowGeometry {
  readonly strides: [number, number];
  readonly dilations: [number, number];
  /** `[top, left, bottom, right]` (ONNX's begins then ends), or undefined with `SAME_UPPER`. */
  readonly pads: [number, number, number, number] | undefined;
}

const spatial = (v: readonly number[] | undefined): [number, number] => (v === undefined ? [1, 1] : [v[1]!, v[2]!]);

/** TF's SAME padding of one axis: the total that makes `ceil(in / stride)` outputs, the extra after. */
function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * The geometry of a window op over an input of NHWC spatial size `[h, w]` (null where unknown)
 * and kernel `[kh, kw]`. SAME padding over an unknown size is left to ONNX's `SAME_UPPER`,
 * which pads the same way as TF (the extra row or column after).
 */
export function windowGeometry(attrs: WindowAttrs, size: readonly (number | null)[], kernel: readonly (number | null)[]): WindowGeometry {
  const strides = spatial(attrs.strides);
  const dilations = spatial(attrs.dilations);
  if (attrs.padding === "VALID") return { strides, dilations, pads: [0, 0, 0, 0] };
  if (attrs.padding === "EXPLICIT") {
    const [top, bottom, left, right] = attrs.explicitPaddings.slice(2, 6) as [number, number, number, number];
    return { strides, dilations, pads: [top, left, bottom, right] };
  }
  const [h, w] = size;
  const [kh, kw] = kernel;
  if (h === null || w === null || kh === null || kw === null || h === undefined || w === undefined) return { strides, dilations, pads: undefined };
  const [top, bottom] = samePads(h, kh!, strides[0], dilations[0]);
  const [left, right] = samePads(w, kw!, strides[1], dilations[1]);
  return { strides, dilations, pads: [top, left, bottom, right] };
}

/** ONNX attributes for a geometry: strides, pads or auto_pad, and dilations where the op has them. */
export function windowAttributes(g: WindowGeometry, withDilations: boolean): Record<string, AttrSpec> {
  return {
    strides: { ints: g.strides },
    ...(g.pads === undefined ? { auto_pad: { string: "SAME_UPPER" } } : { pads: { ints: g.pads } }),
    ...(withDilations ? { dilations: { ints: g.dilations } } : {}),
  };
}

/** The padding the geometry needs, or fails naming the op (ops that need static sizes). */
export function staticPads(n: NodeContext, g: WindowGeometry): [number, number, number, number] {
  return g.pads ?? n.fail("SAME padding over an input of unknown height or width cannot be exported for this op; give the function static image sizes");
}

/** NHWC (or unbatched HWC) -> NCHW. */
export function toNCHW(b: GraphBuilder, x: string, rank: number): string {
  return b.node1("Transpose", [rank === 3 ? unsqueeze(b, x, [0]) : x], { perm: { ints: [0, 3, 1, 2] } });
}

/** NCHW -> NHWC (or unbatched HWC when `rank` is 3). */
export function toNHWC(b: GraphBuilder, y: string, rank: number): string {
  const nhwc = b.node1("Transpose", [y], { perm: { ints: [0, 2, 3, 1] } });
  return rank === 3 ? squeeze(b, nhwc, [0]) : nhwc;
}

/** NHWC dims `[n, h, w, c]` of an NHWC or unbatched HWC shape. */
export function imageDims(shape: readonly (number | null)[]): [number | null, number | null, number | null, number | null] {
  return shape.length === 3 ? [1, shape[0]!, shape[1]!, shape[2]!] : (shape as [number | null, number | null, number | null, number | null]);
}

/**
 * The result of a window op that is empty (a 0 among its known dims, e.g. a VALID window larger
 * than the image): zeros of that shape, since onnxruntime's Conv and pools reject inputs that
 * give no output positions. Undefined when the result is not empty, or when an unknown dim
 * other than the batch would have to be computed.
 */
export function emptyResult(n: NodeContext): string | undefined {
  const shape = n.output(0).shape;
  if (!shape.includes(0)) return undefined;
  const batched = n.input(0).shape.length === 4;
  if (shape.some((d, i) => d === null && !(batched && i === 0))) return undefined;
  const { b } = n;
  const parts = shape.map((d, i) =>
    d === null ? b.node1("Gather", [b.node1("Shape", [n.inputs[0]!]), b.int64s([i])], { axis: { int: 0 } }) : b.int64s([d]),
  );
  return filled(b, b.node1("Concat", parts, { axis: { int: 0 } }), n.output(0).dtype, 0);
}
