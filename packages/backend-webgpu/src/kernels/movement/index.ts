import {
  type ConcatV2Attrs,
  type KernelKey,
  type PadV2Attrs,
  type ReverseV2Attrs,
  type SliceAttrs,
  type StridedSliceAttrs,
  sizeOf,
  stridedSliceSpec,
  stridesOf,
  type TransposeAttrs,
} from "@kiln/core";
import type { GpuData } from "../../device/buffers.js";
import { buildProgram, WORKGROUP } from "../../wgsl/shader.js";
import { grid1d, type GpuKernel, input, type KernelCompiler, output, type PlannedDispatch, planned } from "../kernel.js";
import { boxView, fillBits, type View, viewDispatch } from "./view.js";

/**
 * Movement kernels: views of the input (transpose, reverse, slices, pad, tile, broadcast,
 * split, unpack) through the one view program, concatenation by placing each input's rows,
 * and ops that keep the element order (Reshape, ExpandDims, Squeeze, Identity) as aliases of
 * the input's buffer: no copy at all, since buffers are never written after their kernel.
 */

const shapeOf = (key: KernelKey<any>, k: number, side: "inputs" | "outputs" = "inputs"): readonly number[] => key[side][k]!.shape!;

/** The same elements, a new shape: a tensor sharing the input's buffer. */
const alias: GpuKernel = ({ inputs, backend }) => [backend.alias(inputs[0]!.dataId as GpuData)];

function single(view: View): GpuKernel {
  return planned({ dispatches: [viewDispatch(view, input(0), output(0))] });
}

const transpose: KernelCompiler = (key) => {
  const shape = shapeOf(key, 0);
  const strides = stridesOf(shape);
  const perm = (key.attrs as TransposeAttrs).perm.map((p) => (p < 0 ? p + shape.length : p));
  return single({ mode: "plain", dims: perm.map((p) => ({ extent: shape[p]!, step: 1, start: 0, size: shape[p]!, stride: strides[p]! })) });
};

const reverse: KernelCompiler = (key) => {
  const shape = shapeOf(key, 0);
  const axes = new Set((key.attrs as ReverseV2Attrs).axis.map((a) => (a < 0 ? a + shape.length : a)));
  const view = boxView(shape, shape);
  return single({ mode: "plain", dims: view.dims.map((d, i) => (axes.has(i) ? { ...d, step: -1, start: d.size - 1 } : d)) });
};

const slice: KernelCompiler = (key) => single(boxView(shapeOf(key, 0), shapeOf(key, 0, "outputs"), (key.attrs as SliceAttrs).begin));

const stridedSlice: KernelCompiler = (key) => {
  const shape = shapeOf(key, 0);
  const spec = stridedSliceSpec(shape, key.attrs as StridedSliceAttrs);
  return single(boxView(shape, spec.sizes as number[], spec.begin, spec.strides));
};

const pad: KernelCompiler = (key) => {
  const shape = shapeOf(key, 0);
  const attrs = key.attrs as PadV2Attrs;
  const strides = stridesOf(shape);
  const outShape = shapeOf(key, 0, "outputs");
  return single({
    mode: "pad",
    fill: fillBits(attrs.constantValue, key.outputs[0]!.dtype!),
    dims: outShape.map((extent, d) => ({ extent, step: 1, start: -attrs.paddings[d]![0], size: shape[d]!, stride: strides[d]! })),
  });
};

const tile: KernelCompiler = (key) => {
  const shape = shapeOf(key, 0);
  const strides = stridesOf(shape);
  const outShape = shapeOf(key, 0, "outputs");
  return single({ mode: "wrap", dims: outShape.map((extent, d) => ({ extent, step: 1, start: 0, size: shape[d]!, stride: strides[d]! })) });
};

const broadcastTo: KernelCompiler = (key) => {
  const outShape = shapeOf(key, 0, "outputs");
  const shape = shapeOf(key, 0);
  const aligned = [...new Array<number>(outShape.length - shape.length).fill(1), ...shape];
  const strides = stridesOf(aligned);
  return single({
    mode: "plain",
    dims: outShape.map((extent, d) => ({ extent, step: 1, start: 0, size: aligned[d]!, stride: aligned[d] === 1 ? 0 : strides[d]! })),
  });
};

/** SplitV and Unpack: each output is a slice along the axis (Unpack's drops the axis). */
function parts(key: KernelKey<any>, axisAttr: number): GpuKernel {
  const shape = shapeOf(key, 0);
  const axis = axisAttr < 0 ? axisAttr + shape.length : axisAttr;
  const dropped = key.outputs[0] !== undefined && key.outputs[0].shape!.length < shape.length;
  let start = 0;
  const dispatches: PlannedDispatch[] = key.outputs.map((o, k) => {
    const size = dropped ? 1 : o.shape![axis]!;
    const extents = shape.map((n, d) => (d === axis ? size : n));
    const begin = shape.map((_, d) => (d === axis ? start : 0));
    start += size;
    return viewDispatch(boxView(shape, extents, begin), input(0), output(k));
  });
  return planned({ dispatches });
}

const placeProgram = buildProgram({
  label: "place_rows",
  inputs: ["u32"],
  outputs: ["u32"],
  params: 4,
  workgroupSize: WORKGROUP,
  body: `if (index >= param_u(0u)) { return; }
let row = index / param_u(1u);
let col = index % param_u(1u);
out0[row * param_u(2u) + param_u(3u) + col] = in0[index];`,
});

/** ConcatV2 and Pack: each input's rows (everything from the axis on) placed at its column offset in the output's rows. */
function place(key: KernelKey<any>, axisAttr: number): GpuKernel {
  const outShape = shapeOf(key, 0, "outputs");
  const axis = axisAttr < 0 ? axisAttr + outShape.length : axisAttr;
  const outRow = sizeOf(outShape.slice(axis));
  const outer = sizeOf(outShape.slice(0, axis));
  let offset = 0;
  const dispatches = key.inputs.map((info, k) => {
    const total = sizeOf(info.shape!);
    const row = outer === 0 ? 0 : total / outer;
    const d: PlannedDispatch = {
      program: placeProgram,
      inputs: [input(k)],
      outputs: [output(0)],
      params: Uint32Array.of(total, Math.max(row, 1), outRow, offset),
      grid: grid1d(total),
    };
    offset += row;
    return d;
  });
  return planned({ dispatches });
}

export const movementCompilers: [string, KernelCompiler][] = [
  ["Reshape", () => alias],
  ["ExpandDims", () => alias],
  ["Squeeze", () => alias],
  ["Identity", () => alias],
  ["Transpose", transpose],
  ["ReverseV2", reverse],
  ["Slice", slice],
  ["StridedSlice", stridedSlice],
  ["PadV2", pad],
  ["Tile", tile],
  ["BroadcastTo", broadcastTo],
  ["SplitV", (key) => parts(key, key.attrs.axis as number)],
  ["Unpack", (key) => parts(key, key.attrs.axis as number)],
  ["ConcatV2", (key) => place(key, (key.attrs as ConcatV2Attrs).axis)],
  ["Pack", (key) => place(key, key.attrs.axis as number)],
];
