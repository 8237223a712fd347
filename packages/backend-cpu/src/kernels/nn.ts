import type { KernelArgs, KernelRegistration } from "@kiln/core";
import { ArgumentError, allocate, formatShape } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { topKRows } from "./reduce/top_k.js";

/** Neural-network primitives. softmax and logSoftmax are composites in core and need no kernel. */
export const nnKernels: KernelRegistration<any, CpuBackend>[] = [
  {
    op: "TopKV2",
    backend: "cpu",
    run: ({
      inputs: [x],
      attrs: { k },
      outputs: [valuesInfo, indicesInfo],
      backend,
    }: KernelArgs<{ k: number; sorted: boolean }, CpuBackend>) => {
      const n = x!.shape[x!.shape.length - 1]!;
      // Shape inference rejects this eagerly; a traced graph with unknown dims can still reach it.
      if (k > n) {
        throw new ArgumentError(
          `topK: k (${k}) must be at most the size of the last axis (${n}) of x, which has shape ${formatShape(x!.shape)}`,
        );
      }
      const src = backend.values(x!.dataId);
      const rows = n === 0 ? 0 : src.length / n;
      const values = allocate(x!.dtype, rows * k);
      const indices = new Int32Array(rows * k);
      topKRows(src, values, indices, rows, n, k);
      return [backend.write(values, valuesInfo!.shape, valuesInfo!.dtype), backend.write(indices, indicesInfo!.shape, "int32")];
    },
  },
];
