import type { KernelFn, KernelRegistration } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";

/** A copy of the input: Identity and StopGradient differ only for gradient tapes. */
const copy: KernelFn<{}, CpuBackend> = ({ inputs: [x], outputs: [out], backend }) => [backend.write(backend.values(x!.dataId).slice(), out!.shape, out!.dtype)];

/** Kernels for graph plumbing ops. */
export const graphKernels: KernelRegistration<any, CpuBackend>[] = [
  { op: "Identity", backend: "cpu", run: copy },
  { op: "StopGradient", backend: "cpu", run: copy },
];
