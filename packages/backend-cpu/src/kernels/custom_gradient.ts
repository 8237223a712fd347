import type { KernelFn, KernelRegistration } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";

/**
 * `CustomGradient` (a traced tf.customGradient call) passes its first input, the body's
 * value, through; its other inputs only feed its gradient. A copy, like Identity's kernel.
 */
const passValue: KernelFn<{}, CpuBackend> = ({ inputs: [value], outputs: [out], backend }) => [
  backend.write(backend.values(value!.dataId).slice(), out!.shape, out!.dtype),
];

/** Kernels for the custom-gradient boundary op. */
export const customGradientKernels: KernelRegistration<any, CpuBackend>[] = [{ op: "CustomGradient", backend: "cpu", run: passValue }];
