import {
  ArgumentError,
  allocate,
  type DataArray,
  type DType,
  formatShape,
  type KernelArgs,
  type KernelRegistration,
  normalizeAxes,
  reductionPasses,
  sizeOf,
  splitAtAxis,
} from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { outputArray, outputId } from "./output.js";
import { argMaxLoop, argMinLoop } from "./reduce/arg.js";
import { cumsumLoop } from "./reduce/cumsum.js";
import { maxLoop, minLoop, prodFloat, prodInt, type Source, sumFloat, sumInt } from "./reduce/loops.js";

type Reducer = "sum" | "prod" | "max" | "min" | "mean";
type ReductionArgs = KernelArgs<{ axis: readonly number[]; keepDims: boolean }, CpuBackend>;

/** What a reduction over no elements gives (TF's identities; the mean of nothing is 0/0). */
function emptyValue(reducer: Reducer, dtype: DType): number {
  switch (reducer) {
    case "sum":
      return 0;
    case "prod":
      return 1;
    case "mean":
      return NaN;
    case "max":
      return dtype === "float32" ? -Infinity : dtype === "int32" ? -2147483648 : 0;
    case "min":
      return dtype === "float32" ? Infinity : dtype === "int32" ? 2147483647 : 1;
  }
}

/** Runs one pass of `reducer`; the switch happens once per pass, never per element. */
function runPass(reducer: Reducer, src: Source, dst: Source, outer: number, size: number, inner: number): void {
  switch (reducer) {
    case "sum":
    case "mean":
      if (dst instanceof Int32Array) sumInt(src, dst, outer, size, inner);
      else sumFloat(src, dst as Float64Array, outer, size, inner);
      return;
    case "prod":
      if (dst instanceof Int32Array) prodInt(src, dst, outer, size, inner);
      else prodFloat(src, dst as Float64Array, outer, size, inner);
      return;
    case "max":
      maxLoop(src, dst, outer, size, inner);
      return;
    case "min":
      minLoop(src, dst, outer, size, inner);
  }
}

/**
 * Reduces over the `axis` attr in as few `[outer, size, inner]` passes as the layout
 * allows (core's `reductionPasses`). Float results are combined in a Float64Array and rounded
 * to float32 once at the end; int32 and bool results accumulate in their own dtype (bool
 * inputs of Sum/Prod in int32), so each pass reads any input dtype directly.
 */
function reduce(op: string, reducer: Reducer, args: ReductionArgs): DataArray {
  const {
    inputs: [x],
    attrs,
    outputs: [out],
    backend,
  } = args;
  const src = backend.values(x!.dataId);
  const outSize = sizeOf(out!.shape);
  // An offered buffer holds old values: every path below writes all of it.
  const result = outputArray(args);
  if (src.length === 0) return result.fill(emptyValue(reducer, x!.dtype));
  let data: Source = src;
  for (const pass of reductionPasses(x!.shape, normalizeAxes(attrs.axis, x!.shape.length, op))) {
    const dst = result instanceof Float32Array ? new Float64Array(pass.outer * pass.inner) : allocate(out!.dtype, pass.outer * pass.inner);
    runPass(reducer, data, dst, pass.outer, pass.size, pass.inner);
    data = dst;
  }
  if (reducer === "mean") {
    const count = src.length / outSize;
    for (let i = 0; i < outSize; i++) result[i] = data[i]! / count;
    return result;
  }
  result.set(data);
  return result;
}

function reductionKernel(op: string, reducer: Reducer): KernelRegistration<any, CpuBackend> {
  return {
    op,
    backend: "cpu",
    run: (args: ReductionArgs) => [outputId(args, reduce(op, reducer, args))],
  };
}

type AxisArgs = KernelArgs<{ axis: number }, CpuBackend>;

function argReductionKernel(op: string, api: string, loop: typeof argMaxLoop): KernelRegistration<any, CpuBackend> {
  return {
    op,
    backend: "cpu",
    run: (args: AxisArgs) => {
      const {
        inputs: [x],
        attrs,
        backend,
      } = args;
      const axis = attrs.axis < 0 ? attrs.axis + x!.shape.length : attrs.axis;
      const { outer, size, inner } = splitAtAxis(x!.shape, axis);
      // Shape inference rejects this eagerly; a traced graph with unknown dims can still reach it.
      if (size === 0) {
        const what = op === "ArgMax" ? "largest" : "smallest";
        throw new ArgumentError(`${api}: axis ${axis} of x (shape ${formatShape(x!.shape)}) is empty, so it has no ${what} element`);
      }
      // The loop writes every output element, so an offered buffer's old values never show.
      const result = outputArray(args) as Int32Array;
      loop(backend.values(x!.dataId), result, outer, size, inner);
      return [outputId(args, result)];
    },
  };
}

/** Reductions and scans: Sum, Mean, Max, Min, Prod, All, Any, ArgMax, ArgMin, Cumsum. */
export const reductionKernels: KernelRegistration<any, CpuBackend>[] = [
  reductionKernel("Sum", "sum"),
  reductionKernel("Mean", "mean"),
  reductionKernel("Max", "max"),
  reductionKernel("Min", "min"),
  reductionKernel("Prod", "prod"),
  // On 0/1 bytes, "all true" is the minimum and "any true" the maximum.
  reductionKernel("All", "min"),
  reductionKernel("Any", "max"),
  argReductionKernel("ArgMax", "argMax", argMaxLoop),
  argReductionKernel("ArgMin", "argMin", argMinLoop),
  {
    op: "Cumsum",
    backend: "cpu",
    run: (args: KernelArgs<{ axis: number; exclusive: boolean; reverse: boolean }, CpuBackend>) => {
      const {
        inputs: [x],
        attrs,
        backend,
      } = args;
      const src = backend.values(x!.dataId);
      // The scan writes every element, so an offered buffer's old values never show.
      const result = outputArray(args) as Float32Array | Int32Array;
      if (src.length > 0) {
        const axis = attrs.axis < 0 ? attrs.axis + x!.shape.length : attrs.axis;
        const { outer, size, inner } = splitAtAxis(x!.shape, axis);
        cumsumLoop(src, result, outer, size, inner, attrs.exclusive, attrs.reverse);
      }
      return [outputId(args, result)];
    },
  },
];
