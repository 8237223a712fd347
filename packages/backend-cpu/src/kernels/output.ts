import { allocate, type DataArray, type DataId, type KernelArgs, sizeOf } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";

/**
 * The array output `i` is written into: the dead buffer a plan offered (`args.out`, old
 * contents, so the kernel must overwrite every element) or a fresh zeroed one. Pair it with
 * `outputId`.
 *
 * ```ts
 * const result = outputArray(args);
 * for (let i = 0; i < result.length; i++) result[i] = x[i]! * 2;
 * return [outputId(args, result)];
 * ```
 */
export function outputArray(args: KernelArgs<any, CpuBackend>, i = 0): DataArray {
  const offered = args.out?.[i];
  if (offered !== undefined) return args.backend.values(offered);
  const info = args.outputs[i]!;
  return allocate(info.dtype, sizeOf(info.shape));
}

/**
 * Like `outputArray`, but all zeros, for kernels that accumulate into their output (a GEMM
 * that adds, a scatter-back): an offered buffer is cleared first.
 */
export function zeroedOutputArray(args: KernelArgs<any, CpuBackend>, i = 0): DataArray {
  const values = outputArray(args, i);
  if (args.out?.[i] !== undefined) values.fill(0);
  return values;
}

/** The id of output `i` once `values` (from `outputArray`) hold it: the offered buffer's, or a new one's. */
export function outputId(args: KernelArgs<any, CpuBackend>, values: DataArray, i = 0): DataId {
  const offered = args.out?.[i];
  if (offered !== undefined) return offered;
  const info = args.outputs[i]!;
  return args.backend.write(values, info.shape, info.dtype);
}
