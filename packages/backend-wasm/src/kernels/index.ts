import type { KernelRegistration } from "@kiln/core";
import type { WasmBackend } from "../wasm_backend.js";
import { elementwiseKernels } from "./elementwise/elementwise.js";
import { adaptKernel, type WasmKernel } from "./kernel_call.js";
import { matmulKernels } from "./matmul.js";
import { movementKernels } from "./movement.js";
import { joiningKernels } from "./joining.js";
import { creationKernels } from "./creation.js";
import { gatherKernels } from "./gather.js";
import { setRowKernels } from "./set_row.js";
import { randomKernels } from "./random.js";
import { reductionKernels } from "./reduction.js";
import { convolutionKernels } from "./convolution.js";
import { shapeInfoKernels } from "./shape_info.js";

/** One op's wasm kernel, before it is registered under a backend name. */
export interface OpKernel {
  readonly op: string | { readonly name: string };
  readonly kernel: WasmKernel<any>;
}

/** Every wasm kernel, one list per op family. */
export function allKernels(): OpKernel[] {
  return [
    ...elementwiseKernels(),
    ...matmulKernels,
    ...movementKernels,
    ...joiningKernels,
    ...creationKernels,
    ...gatherKernels,
    ...setRowKernels,
    ...randomKernels,
    ...reductionKernels,
    ...convolutionKernels,
    ...shapeInfoKernels,
  ];
}

/**
 * The kernel registrations of a wasm backend registered as `backend`.
 *
 * ```ts
 * wasmKernelRegistrations("wasm").length; // one per op
 * ```
 */
export function wasmKernelRegistrations(backend: string): KernelRegistration<any, WasmBackend>[] {
  return allKernels().map(({ op, kernel }) => {
    const name = typeof op === "string" ? op : op.name;
    return { op: typeof op === "string" ? op : (op as never), backend, run: adaptKernel(name, kernel) };
  });
}
