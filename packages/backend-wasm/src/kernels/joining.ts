import type { ConcatV2Attrs, PackAttrs, SplitVAttrs, UnpackAttrs } from "@kiln/core";
import { stridedCopy } from "./copy_ops.js";
import type { KernelCall, TensorRef, WasmKernel } from "./kernel_call.js";

/**
 * Joining kernels as strided copies: viewed as `[outer, axis * inner]`, each part of a
 * concat or split is a `[outer, block]` box of the whole, `whole` elements apart per row.
 */

function axisOf(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function product(shape: readonly number[], from: number, to = shape.length): number {
  let p = 1;
  for (let i = from; i < to; i++) p *= shape[i]!;
  return p;
}

/** Copies part (outer x block) between a contiguous part tensor and its box in the whole. */
function moveParts(
  call: KernelCall<any>,
  parts: readonly TensorRef[],
  whole: TensorRef,
  outer: number,
  blocks: readonly number[],
  intoWhole: boolean,
): void {
  const row = blocks.reduce((s, b) => s + b, 0);
  let start = 0;
  parts.forEach((part, k) => {
    const block = blocks[k]!;
    if (block > 0 && outer > 0) {
      if (intoWhole) stridedCopy(call.module, whole.dtype, part.ptr, 0, [block, 1], whole.ptr, start, [row, 1], [outer, block], call.op);
      else stridedCopy(call.module, whole.dtype, whole.ptr, start, [row, 1], part.ptr, 0, [block, 1], [outer, block], call.op);
    }
    start += block;
  });
}

const concat: WasmKernel<ConcatV2Attrs> = (call) => {
  const out = call.outputs[0]!;
  const a = axisOf(call.attrs.axis, out.shape.length);
  moveParts(
    call,
    call.inputs,
    out,
    product(out.shape, 0, a),
    call.inputs.map((t) => product(t.shape, a)),
    true,
  );
};

const pack: WasmKernel<PackAttrs> = (call) => {
  const out = call.outputs[0]!;
  const a = axisOf(call.attrs.axis, out.shape.length);
  const block = product(call.inputs[0]!.shape, a);
  moveParts(
    call,
    call.inputs,
    out,
    product(out.shape, 0, a),
    call.inputs.map(() => block),
    true,
  );
};

const unpack: WasmKernel<UnpackAttrs> = (call) => {
  const x = call.inputs[0]!;
  const a = axisOf(call.attrs.axis, x.shape.length);
  const inner = product(x.shape, a + 1);
  moveParts(
    call,
    call.outputs,
    x,
    product(x.shape, 0, a),
    call.outputs.map(() => inner),
    false,
  );
};

const split: WasmKernel<SplitVAttrs> = (call) => {
  const x = call.inputs[0]!;
  const a = axisOf(call.attrs.axis, x.shape.length);
  const inner = product(x.shape, a + 1);
  moveParts(
    call,
    call.outputs,
    x,
    product(x.shape, 0, a),
    call.outputs.map((o) => o.shape[a]! * inner),
    false,
  );
};

export const joiningKernels: { op: string; kernel: WasmKernel<any> }[] = [
  { op: "ConcatV2", kernel: concat },
  { op: "Pack", kernel: pack },
  { op: "Unpack", kernel: unpack },
  { op: "SplitV", kernel: split },
];
