import type { WasmKernel } from "./kernel_call.js";

/**
 * `Shape` and `Size`: the input's dims (or element count) as int32 values. Only the input's
 * shape is read, never its data, so they are written straight into the heap from JS.
 */
export const shapeInfoKernels: { op: string; kernel: WasmKernel<any> }[] = [
  {
    op: "Shape",
    kernel: ({ module, inputs: [x], outputs: [out] }) => module.heap.i32().set(x!.shape, out!.ptr >>> 2),
  },
  {
    op: "Size",
    kernel: ({ module, inputs: [x], outputs: [out] }) => {
      module.heap.i32()[out!.ptr >>> 2] = x!.shape.reduce((a, b) => a * b, 1);
    },
  },
];
