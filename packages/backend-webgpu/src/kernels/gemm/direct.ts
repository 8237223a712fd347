import { buildProgram, type ElementType, type Program, WORKGROUP } from "../../wgsl/shader.js";
import type { Epilogue } from "../epilogue.js";
import { grid1d, type Grid } from "../kernel.js";

/**
 * Products at or above this many multiply-adds use the tiled kernel (gemm.ts); smaller ones
 * one thread per output. The tiled shader is large (unrolled register tiles and loaders), and
 * software GPUs compile it slowly; a small product gains nothing from it.
 */
export const TILED_FROM = 1 << 18;

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
  /** A(gm, gk) and B(gk, gn) as WGSL expressions of `gm`, `gk`, `gn`. */
  readonly elementA: string;
  readonly elementB: string;
  readonly epilogue: Epilogue;
  readonly declarations?: string;
}

/**
 * A GEMM with one thread per output element: `acc = acc + A(gm, k) * B(k, gn)` for k in
 * ascending order, the same operations in the same order as the tiled kernel, so the two
 * give the same bits and the choice between them (by size) never shows in results.
 *
 * ```ts
 * directGemmProgram({ label, type: "f32", inputs, params, prologue, elementA: "in0[gm * K + gk]", elementB: "in1[gk * N + gn]", epilogue });
 * ```
 */
export function directGemmProgram(spec: DirectGemmSpec): Program {
  const zero = spec.type === "f32" ? "0.0" : "0";
  return buildProgram({
    label: `${spec.label}_direct`,
    inputs: [...spec.inputs, ...spec.epilogue.inputs],
    outputs: spec.epilogue.outputs,
    params: spec.params,
    workgroupSize: WORKGROUP,
    declarations: `${spec.declarations ?? ""}\n${spec.epilogue.declarations}`,
    body: `let total = param_u(${spec.params - 1}u);
if (index >= total) { return; }
let MNd = param_u(0u) * param_u(1u);
let b = index / MNd;
let r = index % MNd;
${spec.prologue}
let gm = r / N;
let gn = r % N;
var acc = ${zero};
for (var gk = 0u; gk < K; gk = gk + 1u) { acc = acc + (${spec.elementA}) * (${spec.elementB}); }
store(index, acc);`,
  });
}

/** The grid of a direct GEMM over `total` outputs. */
export function directGrid(total: number): Grid {
  return grid1d(total);
}
