import type { KernelRegistration } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";

/** Binary elementwise kernels with broadcasting. */
export const binaryKernels: KernelRegistration<any, CpuBackend>[] = [
  {
    op: "AddV2",
    backend: "cpu",
    run: ({ inputs: [a, b], outputs: [out], backend }) => {
      const x = backend.values(a!.dataId);
      const y = backend.values(b!.dataId);
      const result = new (x.constructor as Float32ArrayConstructor)(x.length);
      for (let i = 0; i < x.length; i++) result[i] = x[i]! + y[i]!;
      return [backend.write(result, out!.shape, out!.dtype)];
    },
  },
];
