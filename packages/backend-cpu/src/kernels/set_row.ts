import { ArgumentError, type KernelFn, type KernelRegistration } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { outputArray, outputId } from "./output.js";

/**
 * SetRow: `x` with row `index` replaced by `value`. When the plan offers `x`'s own buffer
 * as the output (`OpDef.inPlace`: nothing reads `x` afterwards) only the row is written;
 * otherwise `x` is copied first. The index is checked before anything is written.
 */
const setRowKernel: KernelFn<{}, CpuBackend> = (args) => {
  const { inputs: [x, idx, value], backend } = args;
  const rows = x!.shape[0]!;
  const index = backend.values(idx!.dataId)[0]!;
  if (!(index >= 0 && index < rows)) {
    throw new ArgumentError(
      `setRow: index ${index} is out of range for x of shape [${x!.shape.join(",")}]; valid indices are ${rows === 0 ? "none (x has no rows)" : `0..${rows - 1}`}`,
    );
  }
  const result = outputArray(args);
  const source = backend.values(x!.dataId);
  if (result !== source) result.set(source);
  const row = backend.values(value!.dataId);
  result.set(row, index * row.length);
  return [outputId(args, result)];
};

export const setRowKernels: KernelRegistration<any, CpuBackend>[] = [{ op: "SetRow", backend: "cpu", run: setRowKernel }];
