import { buildProgram, type ElementType, indent, type Program } from "../../wgsl/shader.js";
import type { Epilogue } from "../epilogue.js";
import { type ExactTerms, exactDeclarations, exactStage } from "./exact.js";

/**
 * A tile shape: each workgroup of 16 x 16 threads computes a `bm x bn` block of the output
 * (each thread a `tm x tn` register tile, as rows of vec4 accumulators), stepping through
 * K in slices of `bk` staged in workgroup memory.
 */
export interface Tile {
  readonly bm: number;
  readonly bn: number;
  readonly bk: number;
  readonly tm: number;
  readonly tn: number;
}

/** 64 x 64 blocks, 4 x 4 per thread: 8 KiB of workgroup memory, fits every device. */
export const SMALL_TILE: Tile = { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4 };
/** 128 x 128 blocks, 8 x 8 per thread: for big products on devices with 16 KiB of workgroup memory. */
export const LARGE_TILE: Tile = { bm: 128, bn: 128, bk: 16, tm: 8, tn: 8 };

/** Threads per side of a GEMM workgroup. */
export const SIDE = 16;

/** What a GEMM shader is made of beyond the tile loop. */
export interface GemmSpec {
  readonly label: string;
  readonly type: "f32" | "i32";
  readonly tile: Tile;
  /** Storage types of the head's own inputs (in0, in1, ...). */
  readonly inputs: readonly ElementType[];
  readonly params: number;
  /**
   * Statements run once per workgroup before the K loop. They must define `M`, `N`, `K`
   * (u32), `kBegin`, `kEnd` (the K range this workgroup sums), `outBase` (offset of this
   * workgroup's output matrix) and whatever the loaders use (e.g. batch offsets).
   */
  readonly prologue: string;
  /** Statements filling `As` (k-major: `As[(k * bm + m) / 4]` holds vec4s of 4 consecutive m) for the slice at `kt`. */
  readonly loadA: string;
  /** Statements filling `Bs` (k-major: `Bs[(k * bn + n) / 4]`) for the slice at `kt`. */
  readonly loadB: string;
  /** How results are stored: through the epilogue (`store(outBase + row * N + col, v)`). */
  readonly epilogue: Epilogue;
  /** The op's products one by one, for the exact path of an f32 output the fast loop makes NaN (exact.ts). */
  readonly exact?: ExactTerms;
}

/**
 * A tiled matrix product shader (DESIGN: kernels from tables; here one generator behind
 * MatMul, BatchMatMulV2 and the convolutions as implicit GEMMs). Loaders stage A and B
 * slices in workgroup memory (vec4 global loads where the contiguous dim allows), then each
 * thread multiplies a `tm x tn` register tile from them. Every output sums its products in
 * ascending k with one multiply and one add each, so a fused epilogue sees exactly the
 * value the unfused kernel stores. An f32 output the fast loop makes NaN takes the exact
 * path of `spec.exact` (exact.ts): padding and flushed subnormals never turn into NaN.
 *
 * ```ts
 * gemmProgram({ label: "matmul", type: "f32", tile: SMALL_TILE, inputs, params, prologue, loadA, loadB, epilogue });
 * ```
 */
export function gemmProgram(spec: GemmSpec): Program {
  const { bm, bn, bk, tm, tn } = spec.tile;
  const t = spec.type;
  const vec = `vec4<${t}>`;
  const zero = t === "f32" ? "0.0" : "0";
  const accRows = Array.from({ length: tm }, (_, i) => i);
  const accCols = Array.from({ length: tn / 4 }, (_, q) => q);
  const acc = (i: number, q: number) => `acc${i}_${q}`;
  const declarations = [
    `var<workgroup> As: array<${vec}, ${(bk * bm) / 4}>;`,
    `var<workgroup> Bs: array<${vec}, ${(bk * bn) / 4}>;`,
    t === "f32" && spec.exact !== undefined ? exactDeclarations(spec.exact) : "",
    spec.epilogue.declarations,
  ].join("\n");
  const inner = [
    ...Array.from({ length: tm / 4 }, (_, q) => `let a${q} = As[(kk * ${bm}u + row0) / 4u + ${q}u];`),
    ...accCols.map((q) => `let b${q} = Bs[(kk * ${bn}u + col0) / 4u + ${q}u];`),
    ...accRows.flatMap((i) => accCols.map((q) => `${acc(i, q)} = ${acc(i, q)} + ${vec}(a${Math.floor(i / 4)}[${i % 4}]) * b${q};`)),
  ].join("\n");
  const stores = accRows
    .map((i) =>
      [
        `if (row0 + ${i}u + m0 < M) {`,
        ...accCols.flatMap((q) =>
          [0, 1, 2, 3].map(
            (c) =>
              `  if (col0 + ${q * 4 + c}u + n0 < N) { store(outBase + (m0 + row0 + ${i}u) * N + n0 + col0 + ${q * 4 + c}u, ${acc(i, q)}[${c}]); }`,
          ),
        ),
        "}",
      ].join("\n"),
    )
    .join("\n");
  const body = `let tx = lid3.x;
let ty = lid3.y;
let n0 = wid.x * ${bn}u;
let m0 = wid.y * ${bm}u;
let row0 = ty * ${tm}u;
let col0 = tx * ${tn}u;
${spec.prologue}
${accRows.flatMap((i) => accCols.map((q) => `var ${acc(i, q)} = ${vec}(${zero});`)).join("\n")}
for (var kt = kBegin; kt < kEnd; kt = kt + ${bk}u) {
${indent(spec.loadA, "  ")}
${indent(spec.loadB, "  ")}
  workgroupBarrier();
  let kLimit = min(${bk}u, kEnd - kt);
  for (var kk = 0u; kk < kLimit; kk = kk + 1u) {
${indent(inner, "    ")}
  }
  workgroupBarrier();
}
${exactStage(
  t,
  spec.exact,
  accRows.map((i) => accCols.map((q) => acc(i, q))),
  "m0 + row0 + r",
  "n0 + col0 + c",
  "kBegin",
  "kEnd",
)}
${stores}`;
  return buildProgram({
    label: spec.label,
    inputs: [...spec.inputs, ...spec.epilogue.inputs],
    outputs: spec.epilogue.outputs,
    params: spec.params,
    workgroupSize: [SIDE, SIDE, 1],
    declarations,
    body,
  });
}

/** Per-thread share of a tile slice of `count` scalars. */
export function perThread(count: number): number {
  return Math.ceil(count / (SIDE * SIDE));
}
