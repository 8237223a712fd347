import type { DType, KernelRegistration } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { elementwiseKernel } from "./elementwise/kernel.js";

/**
 * Cast expressions by source and destination dtype. Storing into the destination typed
 * array does most of the work (int32 -> float32 rounds to the nearest float32, like TF);
 * float32 -> int32 truncates toward zero, saturates at the int32 range and maps NaN to 0.
 */
function castExpression(from: DType, to: DType): string {
  if (from === to) return "a";
  if (to === "bool") return "a !== 0 ? 1 : 0"; // NaN is true, as `x != 0` in TF
  if (from === "float32" && to === "int32") return "floatToInt32(a)";
  return "a"; // bool -> number, int32 -> float32
}

/** `where` (SelectV2), `cast` and `clipByValue`: elementwise kernels with broadcasting. */
export const selectionKernels: KernelRegistration<any, CpuBackend>[] = [
  // condition, t, e: all three broadcast, so the generated loops cover the 3-input layouts.
  elementwiseKernel("SelectV2", 3, () => "a !== 0 ? b : c"),
  elementwiseKernel("Cast", 1, ({ inputs, attrs }) => castExpression(inputs[0]!.dtype, attrs.DstT as DType)),
  // Comparisons rather than Math.min/max so NaN elements stay NaN.
  elementwiseKernel("ClipByValue", 3, () => "a < b ? b : a > c ? c : a"),
];
