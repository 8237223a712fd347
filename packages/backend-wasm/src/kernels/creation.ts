import type { EyeAttrs, FillAttrs, LinSpaceAttrs, RangeAttrs } from "@kiln/core";
import { fill, valueBits } from "./copy_ops.js";
import type { WasmKernel } from "./kernel_call.js";

/** Kernels of ops computed from attributes alone (and the `*Like` ops, which read only a shape). */
export const creationKernels: { op: string; kernel: WasmKernel<any> }[] = [
  { op: "Fill", kernel: (call) => fill(call.module, call.outputs[0]!, (call.attrs as FillAttrs).value) },
  { op: "ZerosLike", kernel: (call) => fill(call.module, call.outputs[0]!, 0) },
  { op: "OnesLike", kernel: (call) => fill(call.module, call.outputs[0]!, 1) },
  {
    op: "Range",
    kernel: (call) => {
      const out = call.outputs[0]!;
      const { start, step } = call.attrs as RangeAttrs;
      call.module.exports.kiln_range(out.ptr, out.dtype === "float32" ? 1 : 0, start, step, out.size);
    },
  },
  {
    op: "LinSpace",
    kernel: (call) => {
      const { start, stop, num } = call.attrs as LinSpaceAttrs;
      call.module.exports.kiln_linspace(call.outputs[0]!.ptr, start, stop, num);
    },
  },
  {
    op: "Eye",
    kernel: (call) => {
      const out = call.outputs[0]!;
      const { numRows: rows, numColumns: cols } = call.attrs as EyeAttrs;
      const matrix = rows * cols;
      const batch = matrix === 0 ? 0 : out.size / matrix;
      call.module.exports.kiln_eye(out.ptr, out.dtype === "bool" ? 1 : 4, valueBits(1, out.dtype), batch, rows, cols);
    },
  },
];
