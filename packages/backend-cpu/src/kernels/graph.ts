import type { KernelRegistration } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";

/** Kernels for graph plumbing ops. */
export const graphKernels: KernelRegistration<any, CpuBackend>[] = [
  {
    op: "Identity",
    backend: "cpu",
    run: ({ inputs: [x], outputs: [out], backend }) => [backend.write(backend.values(x!.dataId).slice(), out!.shape, out!.dtype)],
  },
];
