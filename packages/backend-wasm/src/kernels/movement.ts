import {
  type PadV2Attrs,
  type ReverseV2Attrs,
  type SliceAttrs,
  type StridedSliceAttrs,
  stridedSliceSpec,
  type TransposeAttrs,
} from "@kiln/core";
import { copyAll, fill, stridedCopy, stridesOf } from "./copy_ops.js";
import type { KernelCall, WasmKernel } from "./kernel_call.js";

/**
 * Movement kernels. Every one is a strided copy in C (csrc/copy.c): the output is written
 * row-major from a view of the input given by an offset and a step per dim.
 */

/** Reshape, ExpandDims, Squeeze and CustomGradient: same elements, same order. */
const copyKernel: WasmKernel = ({ module, inputs: [x], outputs: [out] }) => copyAll(module, x!, out!);

/** Copies the view (offset, strides, shape) of input 0 into the contiguous output. */
function copyView(call: KernelCall<any>, offset: number, strides: readonly number[], shape: readonly number[]): void {
  const x = call.inputs[0]!;
  const out = call.outputs[0]!;
  if (out.size === 0) return;
  stridedCopy(call.module, out.dtype, x.ptr, offset, strides, out.ptr, 0, stridesOf(shape), shape, call.op);
}

const transpose: WasmKernel<TransposeAttrs> = (call) => {
  const x = call.inputs[0]!;
  const rank = x.shape.length;
  const inStrides = stridesOf(x.shape);
  copyView(
    call,
    0,
    call.attrs.perm.map((p) => inStrides[p < 0 ? p + rank : p]!),
    call.outputs[0]!.shape,
  );
};

const reverse: WasmKernel<ReverseV2Attrs> = (call) => {
  const shape = call.inputs[0]!.shape;
  const strides = stridesOf(shape);
  let offset = 0;
  for (const a of new Set(call.attrs.axis.map((a) => (a < 0 ? a + shape.length : a)))) {
    offset += (shape[a]! - 1) * strides[a]!;
    strides[a] = -strides[a]!;
  }
  copyView(call, offset, strides, shape);
};

const slice: WasmKernel<SliceAttrs> = (call) => {
  const strides = stridesOf(call.inputs[0]!.shape);
  let offset = 0;
  call.attrs.begin.forEach((b, i) => (offset += b * strides[i]!));
  copyView(call, offset, strides, call.outputs[0]!.shape);
};

/** StridedSlice: core resolves the masks to a begin and step per input dim; new/shrunk axes have size 1. */
const stridedSlice: WasmKernel<StridedSliceAttrs> = (call) => {
  const x = call.inputs[0]!;
  const spec = stridedSliceSpec(x.shape, call.attrs);
  const inStrides = stridesOf(x.shape);
  let offset = 0;
  const strides = spec.strides.map((s, i) => {
    offset += spec.begin[i]! * inStrides[i]!;
    return s * inStrides[i]!;
  });
  copyView(call, offset, strides, spec.sizes as number[]);
};

/** Tile: view dim d of the output as (reps[d], shape[d]) reading strides (0, stride[d]). */
function tiled(call: KernelCall<any>, inShape: readonly number[], reps: readonly number[]): void {
  const inStrides = stridesOf(inShape);
  const shape: number[] = [];
  const strides: number[] = [];
  inShape.forEach((n, d) => {
    shape.push(reps[d]!, n);
    strides.push(0, inStrides[d]!);
  });
  copyView(call, 0, strides, shape);
}

const tile: WasmKernel<{ multiples: readonly number[] }> = (call) => tiled(call, call.inputs[0]!.shape, call.attrs.multiples);

/** BroadcastTo: a tile whose reps repeat the size-1 (and missing leading) dims. */
const broadcastTo: WasmKernel = (call) => {
  const outShape = call.outputs[0]!.shape;
  const x = call.inputs[0]!;
  const inShape = [...new Array<number>(outShape.length - x.shape.length).fill(1), ...x.shape];
  tiled(
    call,
    inShape,
    outShape.map((d, i) => (inShape[i] === d ? 1 : d)),
  );
};

/** PadV2: fill with the constant, then copy the input into the interior. */
const pad: WasmKernel<PadV2Attrs> = (call) => {
  const x = call.inputs[0]!;
  const out = call.outputs[0]!;
  fill(call.module, out, call.attrs.constantValue);
  if (x.size === 0) return;
  const outStrides = stridesOf(out.shape);
  let offset = 0;
  call.attrs.paddings.forEach(([before], d) => (offset += before * outStrides[d]!));
  stridedCopy(call.module, x.dtype, x.ptr, 0, stridesOf(x.shape), out.ptr, offset, outStrides, x.shape, call.op);
};

export const movementKernels: { op: string; kernel: WasmKernel<any> }[] = [
  { op: "Reshape", kernel: copyKernel },
  { op: "ExpandDims", kernel: copyKernel },
  { op: "Squeeze", kernel: copyKernel },
  { op: "CustomGradient", kernel: copyKernel },
  { op: "Transpose", kernel: transpose },
  { op: "ReverseV2", kernel: reverse },
  { op: "Slice", kernel: slice },
  { op: "StridedSlice", kernel: stridedSlice },
  { op: "Tile", kernel: tile },
  { op: "BroadcastTo", kernel: broadcastTo },
  { op: "PadV2", kernel: pad },
];
