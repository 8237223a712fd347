import { convolutionKernels } from "./convolution.js";
import type { WasmKernel } from "./kernel_call.js";
import { matmulKernels } from "./matmul.js";

/** Ops whose output may head a fused epilogue (declared in the backend's `caps.fusion.epilogues`). */
export const EPILOGUE_HEADS = ["MatMul", "BatchMatMulV2", "Conv2D", "DepthwiseConv2dNative"] as const;

const HEADS = new Map<string, WasmKernel<any>>([...matmulKernels, ...convolutionKernels].map((k) => [k.op, k.kernel]));

/**
 * The wasm kernel of an op heading a fused epilogue (MatMul + bias + relu runs the GEMM,
 * then the elementwise program over its output).
 *
 * ```ts
 * headKernel("MatMul"); // the matmul kernel
 * ```
 */
export function headKernel(op: string): WasmKernel<any> | undefined {
  return (EPILOGUE_HEADS as readonly string[]).includes(op) ? HEADS.get(op) : undefined;
}
