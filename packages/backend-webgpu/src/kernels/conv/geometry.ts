/**
 * Where every window of a windowed op (convolution, pooling) sits in its NHWC input. Core's
 * `infer` validated the attrs and computed the output size; this recovers the padding
 * before the first row and column (TF's rule for SAME: the smaller half first).
 */
export interface Geometry {
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

interface WindowAttrsLike {
  readonly strides: readonly number[];
  readonly dilations?: readonly number[];
  readonly padding: string;
  readonly explicitPaddings: readonly number[];
}

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
 * geometry([1, 5, 5, 3], [1, 3, 3, 8], 3, 3, attrs).padTop; // 1 for SAME with stride 2
 * ```
 */
export function geometry(
  xShape: readonly number[],
  outShape: readonly number[],
  filterHeight: number,
  filterWidth: number,
  attrs: WindowAttrsLike,
): Geometry {
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

/** Number of u32 parameters `geometryParams` writes. */
export const GEOMETRY_PARAMS = 14;

/**
 * The geometry as shader parameters starting at `base`, and WGSL `let`s that name them
 * (`B, H, W, C, OH, OW, FH, FW, SH, SW, DH, DW` as u32, `PT, PL` as i32).
 */
export function geometryParams(g: Geometry): number[] {
  return [
    g.batch,
    g.inHeight,
    g.inWidth,
    g.channels,
    g.outHeight,
    g.outWidth,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.dilationHeight,
    g.dilationWidth,
    g.padTop,
    g.padLeft,
  ];
}

/** WGSL declarations of the geometry's names, read from parameters starting at `base`. */
export function geometryLets(base: number): string {
  const names = ["B", "H", "W", "C", "OH", "OW", "FH", "FW", "SH", "SW", "DH", "DW"];
  return [
    ...names.map((name, i) => `let ${name} = param_u(${base + i}u);`),
    `let PT = param_i(${base + 12}u);`,
    `let PL = param_i(${base + 13}u);`,
  ].join("\n");
}
