import type { KernelFn } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { convolutionKernels } from "./convolution.js";
import { matmulKernels } from "./matmul.js";

/** The cpu kernels that may head a fused epilogue (see `caps.fusion.epilogues`), by op name. */
const HEADS = new Map<string, KernelFn<any, CpuBackend>>(
  [...matmulKernels, ...convolutionKernels].flatMap((k) => ("run" in k && typeof k.op === "string" ? [[k.op, k.run] as const] : [])),
);

/**
 * The kernel a fused cluster's head runs (MatMul, BatchMatMulV2, Conv2D, DepthwiseConv2dNative).
 *
 * ```ts
 * headKernel("MatMul")?.(args);
 * ```
 */
export function headKernel(opName: string): KernelFn<any, CpuBackend> | undefined {
  return HEADS.get(opName);
}
