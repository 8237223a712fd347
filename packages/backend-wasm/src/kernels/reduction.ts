import {
  ArgumentError,
  type CumsumAttrs,
  type DType,
  formatShape,
  normalizeAxes,
  type ReductionAttrs,
  reductionPasses,
  splitAtAxis,
  type TopKAttrs,
} from "@kiln/core";
import { fill } from "./copy_ops.js";
import { checkStatus, type KernelCall, type WasmKernel } from "./kernel_call.js";

/**
 * Reduction kernels. A reduction is planned as passes over `[outer, size, inner]` views
 * (adjacent reduced axes merge into one run, runs split by kept axes need a pass each,
 * largest first so later passes read less: core's `reductionPasses`); csrc/reduce.c runs them.
 */

type Reducer = "sum" | "prod" | "max" | "min" | "mean";
const KIND: Readonly<Record<Reducer, number>> = { sum: 0, prod: 1, max: 2, min: 3, mean: 4 };
const DTYPE: Readonly<Record<DType, number>> = { float32: 0, int32: 1, bool: 2 };

/** What a reduction over no elements gives (TF's identities; the mean of nothing is 0/0). */
function emptyValue(reducer: Reducer, dtype: DType): number {
  switch (reducer) {
    case "sum":
      return 0;
    case "prod":
      return 1;
    case "mean":
      return Number.NaN;
    case "max":
      return dtype === "float32" ? -Infinity : dtype === "int32" ? -2147483648 : 0;
    case "min":
      return dtype === "float32" ? Infinity : dtype === "int32" ? 2147483647 : 1;
  }
}

function reduction(reducer: Reducer): WasmKernel<ReductionAttrs> {
  return (call) => {
    const x = call.inputs[0]!;
    const out = call.outputs[0]!;
    if (x.size === 0) return fill(call.module, out, emptyValue(reducer, x.dtype));
    const passes = reductionPasses(x.shape, normalizeAxes(call.attrs.axis, x.shape.length, call.op));
    const frame = call.module.frame.begin();
    frame
      .push(KIND[reducer])
      .push(DTYPE[x.dtype])
      .push(DTYPE[out.dtype])
      .push(x.ptr)
      .push(out.ptr)
      .push(out.size === 0 ? 0 : x.size / out.size)
      .push(out.size)
      .push(passes.length);
    for (const p of passes) frame.push(p.outer).push(p.size).push(p.inner);
    checkStatus(call.module, call.module.exports.kiln_reduce(frame.ptr), call.op);
  };
}

function argReduction(isMax: boolean): WasmKernel<{ axis: number }> {
  return (call) => {
    const x = call.inputs[0]!;
    const axis = call.attrs.axis < 0 ? call.attrs.axis + x.shape.length : call.attrs.axis;
    const { outer, size, inner } = splitAtAxis(x.shape, axis);
    // Shape inference rejects this eagerly; a traced graph with unknown dims can still reach it.
    if (size === 0) {
      const api = isMax ? "argMax" : "argMin";
      throw new ArgumentError(
        `${api}: axis ${axis} of x (shape ${formatShape(x.shape)}) is empty, so it has no ${isMax ? "largest" : "smallest"} element`,
      );
    }
    call.module.exports.kiln_arg_reduce(call.outputs[0]!.ptr, x.ptr, DTYPE[x.dtype], isMax ? 1 : 0, outer, size, inner);
  };
}

const cumsum: WasmKernel<CumsumAttrs> = (call) => {
  const x = call.inputs[0]!;
  if (x.size === 0) return;
  const axis = call.attrs.axis < 0 ? call.attrs.axis + x.shape.length : call.attrs.axis;
  const { outer, size, inner } = splitAtAxis(x.shape, axis);
  const status = call.module.exports.kiln_cumsum(
    call.outputs[0]!.ptr,
    x.ptr,
    DTYPE[x.dtype],
    outer,
    size,
    inner,
    call.attrs.exclusive ? 1 : 0,
    call.attrs.reverse ? 1 : 0,
  );
  checkStatus(call.module, status, call.op);
};

const topK: WasmKernel<TopKAttrs> = (call: KernelCall<TopKAttrs>) => {
  const x = call.inputs[0]!;
  const { k } = call.attrs;
  const n = x.shape[x.shape.length - 1]!;
  if (k > n)
    throw new ArgumentError(
      `topK: k (${k}) must be at most the size of the last axis (${n}) of x, which has shape ${formatShape(x.shape)}`,
    );
  const rows = n === 0 ? 0 : x.size / n;
  const [values, indices] = call.outputs;
  const status = call.module.exports.kiln_top_k(values!.ptr, indices!.ptr, x.ptr, DTYPE[x.dtype], rows, n, k);
  checkStatus(call.module, status, call.op);
};

/** Reductions and scans: Sum, Mean, Max, Min, Prod, All, Any, ArgMax, ArgMin, Cumsum, TopKV2. */
export const reductionKernels: { op: string; kernel: WasmKernel<any> }[] = [
  { op: "Sum", kernel: reduction("sum") },
  { op: "Mean", kernel: reduction("mean") },
  { op: "Max", kernel: reduction("max") },
  { op: "Min", kernel: reduction("min") },
  { op: "Prod", kernel: reduction("prod") },
  // On 0/1 bytes, "all true" is the minimum and "any true" the maximum.
  { op: "All", kernel: reduction("min") },
  { op: "Any", kernel: reduction("max") },
  { op: "ArgMax", kernel: argReduction(true) },
  { op: "ArgMin", kernel: argReduction(false) },
  { op: "Cumsum", kernel: cumsum },
  { op: "TopKV2", kernel: topK },
];
