import { conv2dHead } from "./conv/conv2d.js";
import { avgPoolHead, depthwiseHead, maxPoolHead } from "./conv/direct.js";
import type { HeadCompiler } from "./epilogue.js";
import { matmulHead } from "./gemm/matmul.js";
import { reductionHead } from "./reduce/reduce.js";

/**
 * The kernels that store through an epilogue, by op name: a fused cluster may be headed by
 * any of them (`caps.fusion.epilogues`), so `relu(matMul(x, w) + b)`, `relu(conv2d(x, f) + b)`
 * and `sqrt(mean(x))` each run as one kernel.
 */
export const headCompilers: ReadonlyMap<string, HeadCompiler> = new Map<string, HeadCompiler>([
  ["MatMul", matmulHead],
  ["BatchMatMulV2", matmulHead],
  ["Conv2D", conv2dHead],
  ["DepthwiseConv2dNative", depthwiseHead],
  ["MaxPool", maxPoolHead],
  ["AvgPool", avgPoolHead],
  ["Sum", reductionHead("sum")],
  ["Mean", reductionHead("mean")],
  ["Max", reductionHead("max")],
  ["Min", reductionHead("min")],
  ["Prod", reductionHead("prod")],
]);
