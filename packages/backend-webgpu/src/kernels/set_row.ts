import { ArgumentError, sizeOf } from "@kiln/core";
import type { GpuData } from "../device/buffers.js";
import { buildProgram, WORKGROUP } from "../wgsl/shader.js";
import { type GpuKernel, grid1d, type KernelCompiler } from "./kernel.js";

/**
 * SetRow: `x` with row `index` replaced by `value` (raw 32-bit elements, any dtype). When
 * the plan offers `x`'s own buffer as the output (`OpDef.inPlace`) and no alias shares it,
 * one dispatch writes only the row; otherwise one dispatch writes every element of a new
 * buffer. A host-known index is checked first (an ArgumentError, as on the cpu oracle); an
 * index computed on the device that is out of range writes nothing, as TensorFlow's GPU
 * scatter kernels skip it.
 */
const copyProgram = buildProgram({
  label: "set_row_copy",
  inputs: ["u32", "i32", "u32"],
  outputs: ["u32"],
  params: 2,
  workgroupSize: WORKGROUP,
  body: `if (index >= param_u(0u)) { return; }
let inner = param_u(1u);
if (i32(index / inner) == in1[0]) { out0[index] = in2[index % inner]; } else { out0[index] = in0[index]; }`,
});

const rowProgram = buildProgram({
  label: "set_row",
  inputs: ["i32", "u32"],
  outputs: ["u32"],
  params: 2,
  workgroupSize: WORKGROUP,
  body: `let inner = param_u(0u);
if (index >= inner) { return; }
let row = in0[0];
if (row < 0 || u32(row) >= param_u(1u)) { return; }
out0[u32(row) * inner + index] = in1[index];`,
});

const setRow: KernelCompiler = (key) => {
  const shape = key.inputs[0]!.shape!;
  const rows = shape[0]!;
  const total = sizeOf(shape);
  const inner = sizeOf(shape.slice(1));
  const run: GpuKernel = (args) => {
    const backend = args.backend;
    const [x, idx, value] = args.inputs.map((t) => t.dataId as GpuData) as [GpuData, GpuData, GpuData];
    const host = idx.host;
    if (host !== undefined && !(host[0]! >= 0 && host[0]! < rows)) {
      throw new ArgumentError(
        `setRow: index ${host[0]} is out of range for x of shape [${shape.join(",")}]; valid indices are ${rows === 0 ? "none (x has no rows)" : `0..${rows - 1}`}`,
      );
    }
    if (args.out?.[0] === x && x.store.refs === 1) {
      x.host = undefined;
      backend.dispatch(rowProgram, [idx, value], [x], Uint32Array.of(inner, rows), grid1d(inner));
      return [x];
    }
    const out = backend.output(args.out?.[0], args.outputs[0]!.dtype, total, [x, idx, value]);
    backend.dispatch(copyProgram, [x, idx, value], [out], Uint32Array.of(total, Math.max(inner, 1)), grid1d(total));
    return [out];
  };
  return Object.assign(run, { programs: [copyProgram, rowProgram] });
};

export const setRowCompilers: [string, KernelCompiler][] = [["SetRow", setRow]];
