import {
  type DType,
  type EyeAttrs,
  type FillAttrs,
  type KernelRegistration,
  type LinSpaceAttrs,
  type RangeAttrs,
  allocate,
  sizeOf,
} from "@kiln/core";
import { outputArray, outputId } from "./output.js";
import type { CpuBackend } from "../cpu_backend.js";

/** The value a `fill` stores for a dtype: booleans are 0/1. */
function stored(value: number, dtype: DType): number {
  return dtype === "bool" ? (value !== 0 ? 1 : 0) : value;
}

/** Kernels of ops computed from attributes alone (plus the `*Like` ops, which read only a shape). */
export const creationKernels: KernelRegistration<any, CpuBackend>[] = [
  {
    op: "Fill",
    backend: "cpu",
    run: (args) => {
      const { value } = args.attrs as FillAttrs;
      const values = outputArray(args);
      // A fresh array starts zeroed; an offered one holds old values.
      const v = stored(value, args.outputs[0]!.dtype);
      if (v !== 0 || args.out?.[0] !== undefined) values.fill(v);
      return [outputId(args, values)];
    },
  },
  {
    op: "ZerosLike",
    backend: "cpu",
    run: (args) => [outputId(args, outputArray(args).fill(0))],
  },
  {
    op: "OnesLike",
    backend: "cpu",
    run: (args) => [outputId(args, outputArray(args).fill(1))],
  },
  {
    op: "Range",
    backend: "cpu",
    run: ({ attrs, outputs: [out], backend }) => {
      const n = out!.shape[0]!;
      const values = allocate(out!.dtype, n);
      const { start, step } = attrs as RangeAttrs;
      // start + i * step (not a running sum) keeps float32 error from accumulating.
      for (let i = 0; i < n; i++) values[i] = start + i * step;
      return [backend.write(values, out!.shape, out!.dtype)];
    },
  },
  {
    op: "LinSpace",
    backend: "cpu",
    run: ({ attrs, outputs: [out], backend }) => {
      const { start, stop, num } = attrs as LinSpaceAttrs;
      const values = new Float32Array(num);
      const step = num > 1 ? (stop - start) / (num - 1) : 0;
      for (let i = 0; i < num - 1; i++) values[i] = start + i * step;
      // Like TF, the last value is exactly `stop` (or `start` when num is 1).
      values[num - 1] = num > 1 ? stop : start;
      return [backend.write(values, out!.shape, out!.dtype)];
    },
  },
  {
    op: "Eye",
    backend: "cpu",
    run: ({ attrs, outputs: [out], backend }) => {
      const { numRows: rows, numColumns: cols } = attrs as EyeAttrs;
      const values = allocate(out!.dtype, sizeOf(out!.shape));
      const matrix = rows * cols;
      const diagonal = Math.min(rows, cols);
      for (let offset = 0; offset < values.length; offset += matrix) {
        for (let i = 0; i < diagonal; i++) values[offset + i * cols + i] = 1;
      }
      return [backend.write(values, out!.shape, out!.dtype)];
    },
  },
];
