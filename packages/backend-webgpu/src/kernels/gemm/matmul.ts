import type { KernelKey } from "@kiln/core";
import { storageType } from "../../wgsl/dialect.js";
import type { ElementType } from "../../wgsl/shader.js";
import { type Epilogue, type HeadCompiler, plainStore } from "../epilogue.js";
import { input, type KernelCompiler, output, planned } from "../kernel.js";
import { directGemmProgram, directGrid, directThreads, TILED_FROM } from "./direct.js";
import { type ExactTerms, scalarAt } from "./exact.js";
import { gemmProgram } from "./gemm.js";
import { denseLoadA, denseLoadB } from "./loaders.js";
import { chooseSplit, chooseTile, gemmPlan } from "./plan.js";

/** Batch dims of `shape` (all but the last two), right-aligned to `rank` with 1s. */
function batchDims(shape: readonly number[], rank: number): number[] {
  const dims = shape.slice(0, -2);
  return [...new Array<number>(rank - dims.length).fill(1), ...dims];
}

/**
 * MatMul and BatchMatMulV2 (with broadcast batch dims) as one tiled GEMM per batch matrix:
 * workgroup tiles in shared memory, a register tile per thread, vec4 loads along each
 * operand's contiguous dim when it is a multiple of 4, split-K when the output has few
 * tiles and K is long. The shader depends on dtype, transposes, vector loads, tile, batch
 * rank and epilogue; M, N, K, batch dims and strides are parameters.
 *
 * ```ts
 * matmulHead(key, backend, plainStore("float32")); // the kernel tf.matMul runs
 * ```
 */
export const matmulHead: HeadCompiler = (key: KernelKey<any>, backend, epilogue: Epilogue) => {
  const [aInfo, bInfo] = key.inputs;
  const out = key.outputs[0]!;
  const a = aInfo!.shape!;
  const b = bInfo!.shape!;
  const transA = (key.attrs.transposeA ?? key.attrs.adjX ?? false) as boolean;
  const transB = (key.attrs.transposeB ?? key.attrs.adjY ?? false) as boolean;
  const outShape = out.shape!;
  const M = outShape[outShape.length - 2]!;
  const N = outShape[outShape.length - 1]!;
  const K = transA ? a[a.length - 2]! : a[a.length - 1]!;
  // Collapsed batch: output batch dims, with each operand's element stride (0 where it broadcasts).
  const outBatch = outShape.slice(0, -2);
  const rank = outBatch.length;
  const aBatch = batchDims(a, rank);
  const bBatch = batchDims(b, rank);
  const dims: number[] = [];
  const aStrides: number[] = [];
  const bStrides: number[] = [];
  let aStride = M * K;
  let bStride = K * N;
  for (let d = rank - 1; d >= 0; d--) {
    if (outBatch[d] === 1) continue;
    dims.unshift(outBatch[d]!);
    aStrides.unshift(aBatch[d] === 1 ? 0 : aStride);
    bStrides.unshift(bBatch[d] === 1 ? 0 : bStride);
    aStride *= aBatch[d]!;
    bStride *= bBatch[d]!;
  }
  const batch = dims.reduce((x, y) => x * y, 1);
  const type = storageType(out.dtype!) as "f32" | "i32";
  const zero = type === "f32" ? "0.0" : "0";
  const vec = `vec4<${type}>`;
  // vec4 loads need the contiguous dim (and so every matrix offset) to be a multiple of 4.
  // (A vec4 binding also needs at least 16 bytes.)
  const vecA = (transA ? M : K) % 4 === 0 && M * K > 0;
  const vecB = (transB ? K : N) % 4 === 0 && K * N > 0;
  const tile = chooseTile(M, N, backend.limits.maxComputeWorkgroupStorageSize);
  const split = chooseSplit(M, N, batch, K, tile);
  const r = dims.length;
  const batchCode = [
    "var rest = b;",
    "var aOff = 0u;",
    "var bOff = 0u;",
    ...dims.map((_, i) => {
      const d = r - 1 - i;
      return `{ let c = rest % param_u(${6 + d}u); rest = rest / param_u(${6 + d}u); aOff = aOff + c * param_u(${6 + r + d}u); bOff = bOff + c * param_u(${6 + 2 * r + d}u); }`;
    }),
  ].join("\n");
  const prologue = `let M = param_u(0u);
let N = param_u(1u);
let K = param_u(2u);
let splits = param_u(3u);
let b = wid.z / splits;
let s = wid.z % splits;
let kBegin = s * param_u(4u);
let kEnd = min(K, kBegin + param_u(4u));
let outBase = (s * param_u(5u) + b) * M * N;
${batchCode}`;
  const inputs: ElementType[] = [vecA ? (vec as ElementType) : type, vecB ? (vec as ElementType) : type];
  const indexA = transA ? "aOff + gk * M + gm" : "aOff + gm * K + gk";
  const indexB = transB ? "bOff + gn * K + gk" : "bOff + gk * N + gn";
  // Every product, for the exact path of an output the fast loop makes NaN (gemm/exact.ts).
  const exact = (vectorA: boolean, vectorB: boolean): ExactTerms => ({
    statements: `let ea = ${scalarAt("in0", vectorA, indexA)};\nlet eb = ${scalarAt("in1", vectorB, indexB)};`,
  });
  const gemm = (e: Epilogue) =>
    gemmProgram({
      label: `matmul_${type}_${transA ? "t" : "n"}${transB ? "t" : "n"}${vecA ? "4" : "1"}${vecB ? "4" : "1"}_b${r}_${tile.bm}`,
      type,
      tile,
      inputs,
      params: 6 + 3 * r,
      prologue,
      loadA: denseLoadA(tile, transA, vecA, zero, vec),
      loadB: denseLoadB(tile, transB, vecB, zero, vec),
      epilogue: e,
      exact: exact(vecA, vecB),
    });
  const params = Uint32Array.from([M, N, K, split.splits, split.chunk, batch, ...dims, ...aStrides, ...bStrides]);
  const grid = [Math.ceil(N / tile.bn), Math.ceil(M / tile.bm), batch * split.splits] as const;
  const total = batch * M * N;
  if (total === 0) return planned({ dispatches: [] });
  if (total * K < TILED_FROM) {
    const program = directGemmProgram({
      label: `matmul_${type}_${transA ? "t" : "n"}${transB ? "t" : "n"}_b${r}`,
      type,
      inputs: [type, type],
      params: params.length + 1,
      prologue: `let M = param_u(0u);\nlet N = param_u(1u);\nlet K = param_u(2u);\n${batchCode}`,
      elementA: `in0[${indexA}]`,
      elementB: `in1[${indexB}]`,
      epilogue,
      exact: exact(false, false),
    });
    return planned({
      dispatches: [
        {
          program,
          inputs: [input(0), input(1), ...epilogue.inputs.map((_, e) => input(2 + e))],
          outputs: epilogue.outputs.map((_, k) => output(k)),
          params: Uint32Array.from([...params, directThreads(batch, M, N)]),
          grid: directGrid(directThreads(batch, M, N)),
        },
      ],
    });
  }
  return planned(gemmPlan({ gemm, params, grid, total, split, heads: 2, dtype: out.dtype!, epilogue }));
};

/** MatMul / BatchMatMulV2 kernels (plain stores). */
export const matmulCompiler: KernelCompiler = (key, backend) => matmulHead(key, backend, plainStore(key.outputs[0]!.dtype!));
