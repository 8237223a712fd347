import type { CompiledKernelRegistration } from "@kiln/core";
import type { WebGPUBackend } from "../webgpu_backend.js";
import { convCompilers } from "./conv/conv2d.js";
import { directCompilers } from "./conv/direct.js";
import { creationCompilers } from "./creation.js";
import { elementwiseCompilers } from "./elementwise/index.js";
import { gatherCompilers } from "./gather.js";
import { matmulCompiler } from "./gemm/matmul.js";
import { type KernelCompiler, registrations } from "./kernel.js";
import { movementCompilers } from "./movement/index.js";
import { reductionCompiler } from "./reduce/reduce.js";
import { scanCompilers } from "./reduce/scans.js";
import { setRowCompilers } from "./set_row.js";
import { statelessRandomCompilers } from "./stateless_random.js";

/** Every webgpu kernel compiler, by op name: one entry per core op that runs on a kernel. */
export const kernelCompilers: ReadonlyMap<string, KernelCompiler> = new Map<string, KernelCompiler>([
  ...elementwiseCompilers(),
  ...movementCompilers,
  ...creationCompilers,
  ...statelessRandomCompilers,
  ...gatherCompilers,
  ...setRowCompilers,
  ...scanCompilers,
  ...convCompilers,
  ...directCompilers,
  ["MatMul", matmulCompiler],
  ["BatchMatMulV2", matmulCompiler],
  ["Sum", reductionCompiler("sum")],
  ["Mean", reductionCompiler("mean")],
  ["Max", reductionCompiler("max")],
  ["Min", reductionCompiler("min")],
  ["Prod", reductionCompiler("prod")],
  ["All", reductionCompiler("min")],
  ["Any", reductionCompiler("max")],
]);

/** The kernel registrations of a webgpu backend registered as `name`. */
export function webgpuKernels(name: string): CompiledKernelRegistration<any, WebGPUBackend>[] {
  return registrations(name, kernelCompilers);
}
