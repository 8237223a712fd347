import { ArgumentError, type GatherV2Attrs, type KilnError, type OneHotAttrs } from "@kiln/core";
import { STATUS } from "../runtime/exports.js";
import { elementBytes } from "../runtime/heap.js";
import { valueBits } from "./copy_ops.js";
import { checkStatus, type KernelCall, type WasmKernel } from "./kernel_call.js";

/**
 * Gather and scatter kernels. The C side checks every index before writing anything and
 * reports the first bad one; the messages match the cpu backend's (TensorFlow's wording).
 */

/** A flat position in a tensor of `shape` as `[i,j,...]`. */
function position(flat: number, shape: readonly number[]): string {
  const coords = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    coords[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return `[${coords.join(",")}]`;
}

function validRange(n: number): string {
  return n === 0 ? "none (the dimension is empty)" : `0..${n - 1}`;
}

function product(shape: readonly number[], from = 0, to = shape.length): number {
  let p = 1;
  for (let i = from; i < to; i++) p *= shape[i]!;
  return p;
}

const gather: WasmKernel<GatherV2Attrs> = (call) => {
  const [x, idx] = call.inputs;
  const params = x!.shape;
  const axis = call.attrs.axis < 0 ? call.attrs.axis + params.length : call.attrs.axis;
  const batchDims = call.attrs.batchDims < 0 ? call.attrs.batchDims + idx!.shape.length : call.attrs.batchDims;
  const batch = product(params, 0, batchDims);
  const dim = params[axis]!;
  const count = batch === 0 ? 0 : idx!.size / batch;
  const status = call.module.exports.kiln_gather(
    call.outputs[0]!.ptr,
    x!.ptr,
    idx!.ptr,
    elementBytes(x!.dtype),
    batch,
    product(params, batchDims, axis),
    dim,
    product(params, axis + 1),
    count,
  );
  checkStatus(call.module, status, call.op, (code, detail) =>
    code === STATUS.index
      ? new ArgumentError(
          `gather: indices${position(detail[0]!, idx!.shape)} = ${detail[1]} is out of range for axis ${axis} of x (size ${dim}); valid indices are ${validRange(dim)}`,
        )
      : undefined,
  );
};

/** The error for a bad gatherNd/scatterNd index tuple, read back from the indices. */
function tupleError(call: KernelCall<any>, api: string, detail: Int32Array, target: readonly number[], what: string): KilnError {
  const idx = call.inputs[api === "gatherNd" ? 1 : 0]!;
  const depth = idx.shape[idx.shape.length - 1]!;
  const t = detail[0]!;
  const start = (idx.ptr >>> 2) + t * depth;
  const tuple = Array.from(call.module.heap.i32().subarray(start, start + depth));
  const j = detail[3]!;
  return new ArgumentError(
    `${api}: indices${position(t, idx.shape.slice(0, -1))} = [${tuple.join(",")}] does not index into ${what} of shape [${target.join(",")}]: ` +
      `entry ${j} is ${detail[1]}, but dimension ${j} has valid indices ${validRange(target[j]!)}`,
  );
}

/** GatherNd (`scatter` false) and ScatterNd (`scatter` true) share one C kernel. */
function nd(call: KernelCall<any>, scatter: boolean): void {
  const out = call.outputs[0]!;
  const [source, idx] = scatter ? [call.inputs[1]!, call.inputs[0]!] : [call.inputs[0]!, call.inputs[1]!];
  const target = scatter ? out.shape : source.shape;
  const depth = idx.shape[idx.shape.length - 1]!;
  const tuples = product(idx.shape, 0, idx.shape.length - 1);
  const frame = call.module.frame.begin();
  frame
    .push(out.ptr)
    .push(source.ptr)
    .push(idx.ptr)
    .push(elementBytes(out.dtype))
    .push(tuples)
    .push(depth)
    .push(product(target, depth))
    .push(out.dtype === "float32" ? 0 : out.dtype === "int32" ? 1 : 2)
    .push(scatter ? 1 : 0)
    .push(out.size)
    .pushAll(target.slice(0, depth));
  const api = scatter ? "scatterNd" : "gatherNd";
  checkStatus(call.module, call.module.exports.kiln_gather_nd(frame.ptr), call.op, (code, detail) =>
    code === STATUS.index ? tupleError(call, api, detail, target, scatter ? "the output" : "x") : undefined,
  );
}

const oneHot: WasmKernel<OneHotAttrs> = (call) => {
  const out = call.outputs[0]!;
  const idx = call.inputs[0]!;
  const { depth, onValue, offValue } = call.attrs;
  call.module.exports.kiln_one_hot(
    out.ptr,
    idx.ptr,
    idx.size,
    depth,
    elementBytes(out.dtype),
    valueBits(onValue, out.dtype),
    valueBits(offValue, out.dtype),
  );
};

export const gatherKernels: { op: string; kernel: WasmKernel<any> }[] = [
  { op: "GatherV2", kernel: gather },
  { op: "GatherNd", kernel: (call) => nd(call, false) },
  { op: "ScatterNd", kernel: (call) => nd(call, true) },
  { op: "OneHot", kernel: oneHot },
];
