import { coreOpDefs, type KernelRegistration } from "@kiln/core";
import type { CpuBackend } from "../../cpu_backend.js";
import { elementwiseKernel } from "./kernel.js";

/**
 * A kernel for every core op with scalar semantics (unary and binary math, comparisons,
 * logic, `where`, `cast`, `clipByValue`, `gelu`, identity), generated from core's table:
 * nothing about an elementwise op's meaning is written in this backend.
 */
export const elementwiseKernels: KernelRegistration<any, CpuBackend>[] = coreOpDefs()
  .filter((op) => op.scalar !== undefined)
  .map((op) => elementwiseKernel(op));
