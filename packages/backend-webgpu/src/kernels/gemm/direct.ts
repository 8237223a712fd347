import { buildProgram, type ElementType, type Program } from "../../wgsl/shader.js";
import type { Epilogue } from "../epilogue.js";
import { type Grid, grid1d } from "../kernel.js";
import { type ExactTerms, exactDeclarations, exactStage } from "./exact.js";

/**
 * Products at or above this many multiply-adds use the tiled kernel (gemm.ts); smaller ones
 * the direct kernel below (no workgroup memory, no barriers). The tiled shader is large
 * (unrolled register tiles and loaders), and software GPUs compile it slowly; a small
 * product gains nothing from it.
 */
export const TILED_FROM = 1 << 18;

/** Output rows and columns one invocation of the direct kernel computes (a register block). */
export const DIRECT_BLOCK = { rows: 4, cols: 4 } as const;

/** Threads per workgroup of the direct kernel: small, so a small product still spreads over several workgroups. */
const DIRECT_WORKGROUP = 64;

/** What a direct GEMM shader is made of. */
export interface DirectGemmSpec {
  readonly label: string;
  readonly type: "f32" | "i32";
  readonly inputs: readonly ElementType[];
  readonly params: number;
  /**
   * Statements that define `M`, `N`, `K` (u32) and, from the batch index `b`, whatever the
   * element expressions use (batch offsets `aOff`, `bOff`).
   */
  readonly prologue: string;
  /** A(gm, gk) and B(gk, gn) as WGSL expressions of `gm`, `gk`, `gn` (always in range when evaluated). */
  readonly elementA: string;
  readonly elementB: string;
  readonly epilogue: Epilogue;
  readonly declarations?: string;
  /** The op's products one by one, for the exact path of an f32 output the fast loop makes NaN (exact.ts); needs `aOff`, `bOff`. */
  readonly exact?: ExactTerms;
}

/**
 * A GEMM without workgroup memory: each invocation computes a 4 x 4 block of outputs (rows
 * as vec4 accumulators along N), loading 4 elements of A and 4 of B per step of k for 16
 * multiply-adds, where one thread per output would load 2 per multiply-add. Every output is
 * `acc = acc + A(gm, k) * B(k, gn)` for k in ascending order, the same operations in the
 * same order as the tiled kernel, so the two give the same bits and the choice between them
 * (by size) never shows in results. Rows and columns past the edge load a clamped (valid)
 * element and are not stored. An f32 output the loop makes NaN takes the exact path of
 * `spec.exact` (exact.ts), as in the tiled kernel. The last parameter is the number of invocations (see `directGrid`).
 *
 * ```ts
 * directGemmProgram({ label, type: "f32", inputs, params, prologue, elementA: "in0[gm * K + gk]", elementB: "in1[gk * N + gn]", epilogue });
 * ```
 */
export function directGemmProgram(spec: DirectGemmSpec): Program {
  const t = spec.type;
  const zero = t === "f32" ? "0.0" : "0";
  const { rows, cols } = DIRECT_BLOCK;
  const rowIds = Array.from({ length: rows }, (_, i) => i);
  const colIds = Array.from({ length: cols }, (_, j) => j);
  const loads = [
    ...rowIds.map((i) => `var a${i}: ${t}; { let gm = min(m0 + ${i}u, M - 1u); a${i} = ${spec.elementA}; }`),
    ...colIds.map((j) => `var b${j}: ${t}; { let gn = min(n0 + ${j}u, N - 1u); b${j} = ${spec.elementB}; }`),
    `let bv = vec4<${t}>(b0, b1, b2, b3);`,
    ...rowIds.map((i) => `acc${i} = acc${i} + vec4<${t}>(a${i}) * bv;`),
  ];
  const stores = rowIds.map((i) =>
    [
      `if (m0 + ${i}u < M) {`,
      ...colIds.map((j) => `  if (n0 + ${j}u < N) { store(outBase + (m0 + ${i}u) * N + n0 + ${j}u, acc${i}[${j}]); }`),
      "}",
    ].join("\n"),
  );
  return buildProgram({
    label: `${spec.label}_direct`,
    inputs: [...spec.inputs, ...spec.epilogue.inputs],
    outputs: spec.epilogue.outputs,
    params: spec.params,
    workgroupSize: DIRECT_WORKGROUP,
    declarations: [
      spec.declarations ?? "",
      t === "f32" && spec.exact !== undefined ? exactDeclarations(spec.exact) : "",
      spec.epilogue.declarations,
    ].join("\n"),
    body: `if (index >= param_u(${spec.params - 1}u)) { return; }
let blocksN = (param_u(1u) + ${cols - 1}u) / ${cols}u;
let blocksMN = ((param_u(0u) + ${rows - 1}u) / ${rows}u) * blocksN;
let b = index / blocksMN;
let r = index % blocksMN;
${spec.prologue}
let m0 = (r / blocksN) * ${rows}u;
let n0 = (r % blocksN) * ${cols}u;
let outBase = b * M * N;
${rowIds.map((i) => `var acc${i} = vec4<${t}>(${zero});`).join("\n")}
for (var gk = 0u; gk < K; gk = gk + 1u) {
${loads.map((line) => `  ${line}`).join("\n")}
}
${exactStage(
  t,
  spec.exact,
  rowIds.map((i) => [`acc${i}`]),
  "m0 + r",
  "n0 + c",
  "0u",
  "K",
)}
${stores.join("\n")}`,
  });
}

/** Invocations of a direct GEMM over `batch` products of `m x n` (one per output block). */
export function directThreads(batch: number, m: number, n: number): number {
  return batch * Math.ceil(m / DIRECT_BLOCK.rows) * Math.ceil(n / DIRECT_BLOCK.cols);
}

/** The grid of a direct GEMM of `threads` invocations (`directThreads`). */
export function directGrid(threads: number): Grid {
  return grid1d(threads, DIRECT_WORKGROUP);
}
