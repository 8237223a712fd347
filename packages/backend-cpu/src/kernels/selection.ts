import type { KernelRegistration } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";

export const selectionKernels: KernelRegistration<any, CpuBackend>[] = [];
