import { ArgumentError } from "@kiln/core";
import { elementBytes } from "../runtime/heap.js";
import { copyAll } from "./copy_ops.js";
import type { WasmKernel } from "./kernel_call.js";

/**
 * SetRow: `x` with row `index` replaced by `value`. When the plan offered `x`'s own buffer
 * as the output (`OpDef.inPlace`) only the row is copied; otherwise `x` is copied first. The
 * index is checked before anything is written, with the cpu backend's message.
 */
const setRow: WasmKernel = (call) => {
  const [x, idx, value] = call.inputs;
  const out = call.outputs[0]!;
  const rows = x!.shape[0]!;
  const index = call.module.heap.i32()[idx!.ptr >>> 2]!;
  if (!(index >= 0 && index < rows)) {
    throw new ArgumentError(
      `setRow: index ${index} is out of range for x of shape [${x!.shape.join(",")}]; valid indices are ${rows === 0 ? "none (x has no rows)" : `0..${rows - 1}`}`,
    );
  }
  if (out.ptr !== x!.ptr) copyAll(call.module, x!, out);
  const bytes = value!.size * elementBytes(value!.dtype);
  if (bytes > 0) call.module.exports.kiln_copy(out.ptr + index * bytes, value!.ptr, bytes);
};

export const setRowKernels: { op: string; kernel: WasmKernel<any> }[] = [{ op: "SetRow", kernel: setRow }];
