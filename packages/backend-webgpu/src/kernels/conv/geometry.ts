import { type WindowGeometry, windowGeometry } from "@kiln/core";

/** Where every window of a windowed op sits in its NHWC input: core's `WindowGeometry`. */
export type Geometry = WindowGeometry;

/**
 * The geometry of a windowed op over `xShape` (rank 4, or rank 3 unbatched) producing
 * `outShape` with a `filterHeight x filterWidth` window (core's `windowGeometry`).
 *
 * ```ts
 * geometry([1, 5, 5, 3], [1, 3, 3, 8], 3, 3, attrs).padTop; // 1 for SAME with stride 2
 * ```
 */
export const geometry = windowGeometry;

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
