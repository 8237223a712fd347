import { ArgumentError, type DataArray, type GatherV2Attrs, type OneHotAttrs, sizeOf, stridesOf } from "@kiln/core";
import type { GpuData } from "../device/buffers.js";
import { storageType } from "../wgsl/dialect.js";
import { buildProgram, WORKGROUP } from "../wgsl/shader.js";
import { grid1d, type GpuKernel, input, type KernelCompiler, output, planned } from "./kernel.js";
import { fillBits } from "./movement/view.js";

/**
 * Gather, scatter and one-hot kernels. Index values are data: when the backend holds them
 * on the host too (indices written from JS, see `GpuData.host`) they are checked before
 * anything runs and a bad one is an ArgumentError naming it, as on the cpu oracle. Indices
 * computed on the device cannot be checked without a read-back, so there an out-of-range
 * index reads 0 (gather) or is skipped (scatter), as TensorFlow's GPU kernels do.
 */

function position(flat: number, shape: readonly number[]): string {
  const coords = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    coords[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return `[${coords.join(",")}]`;
}

const validRange = (n: number) => (n === 0 ? "none (the dimension is empty)" : `0..${n - 1}`);

/** Checks host-known index values against `[0, dim)`. */
function checkValues(api: string, indices: DataArray, shape: readonly number[], dim: number, what: string): void {
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (v < 0 || v >= dim) {
      throw new ArgumentError(
        `${api}: indices${position(i, shape)} = ${v} is out of range for ${what} (size ${dim}); valid indices are ${validRange(dim)}`,
      );
    }
  }
}

/** Checks host-known index tuples against the first dims of `target`. */
function checkTuples(api: string, indices: DataArray, shape: readonly number[], target: readonly number[], what: string): void {
  const depth = shape[shape.length - 1]!;
  for (let t = 0; t < indices.length; t += depth) {
    for (let j = 0; j < depth; j++) {
      const v = indices[t + j]!;
      if (v < 0 || v >= target[j]!) {
        const tuple = Array.from(indices.subarray(t, t + depth));
        throw new ArgumentError(
          `${api}: indices${position(t / depth, shape.slice(0, -1))} = [${tuple.join(",")}] does not index into ${what} of shape [${target.join(",")}]: ` +
            `entry ${j} is ${v}, but dimension ${j} has valid indices ${validRange(target[j]!)}`,
        );
      }
    }
  }
}

/** Runs `check` on the host copy of input `k` (when there is one) before the planned kernel. */
function checked(kernel: GpuKernel, k: number, check: (values: DataArray) => void): GpuKernel {
  const run: GpuKernel = (args) => {
    const host = (args.inputs[k]!.dataId as GpuData).host;
    if (host !== undefined) check(host);
    return kernel(args);
  };
  return Object.assign(run, { programs: kernel.programs ?? [] });
}

const gatherProgram = buildProgram({
  label: "gather",
  inputs: ["u32", "i32"],
  outputs: ["u32"],
  params: 5,
  workgroupSize: WORKGROUP,
  body: `if (index >= param_u(0u)) { return; }
let inner = param_u(1u);
let count = param_u(2u);
let dim = param_u(3u);
let outer = param_u(4u);
let j = index % inner;
let i = (index / inner) % count;
let bo = index / (inner * count);
let b = bo / outer;
let idx = in1[b * count + i];
if (idx < 0 || u32(idx) >= dim) { out0[index] = 0u; return; }
out0[index] = in0[(bo * dim + u32(idx)) * inner + j];`,
});

/** GatherV2 viewed as params `[batch, outer, dim, inner]` and indices `[batch, count]`. */
const gather: KernelCompiler = (key) => {
  const params = key.inputs[0]!.shape!;
  const indexShape = key.inputs[1]!.shape!;
  const attrs = key.attrs as GatherV2Attrs;
  const axis = attrs.axis < 0 ? attrs.axis + params.length : attrs.axis;
  const batchDims = attrs.batchDims < 0 ? attrs.batchDims + indexShape.length : attrs.batchDims;
  const dim = params[axis]!;
  const batch = sizeOf(params.slice(0, batchDims));
  const outer = sizeOf(params.slice(batchDims, axis));
  const inner = sizeOf(params.slice(axis + 1));
  const count = batch === 0 ? 0 : sizeOf(indexShape) / batch;
  const total = sizeOf(key.outputs[0]!.shape!);
  const kernel = planned({
    dispatches: [
      {
        program: gatherProgram,
        inputs: [input(0), input(1)],
        outputs: [output(0)],
        params: Uint32Array.of(total, Math.max(inner, 1), Math.max(count, 1), dim, Math.max(outer, 1)),
        grid: grid1d(total),
      },
    ],
  });
  return checked(kernel, 1, (values) => checkValues("gather", values, indexShape, dim, `axis ${axis} of x`));
};

/** Index tuples as flat offsets: `offset(t) = sum_j indices[t, j] * stride_j`, or -1 when out of range. */
const TUPLE = `fn tuple_offset(t: u32) -> i32 {
  let depth = param_u(1u);
  var offset = 0u;
  for (var j = 0u; j < depth; j = j + 1u) {
    let v = in_tuples[t * depth + j];
    if (v < 0 || u32(v) >= param_u(4u + j)) { return -1; }
    offset = offset + u32(v) * param_u(4u + depth + j);
  }
  return i32(offset);
}`;

function tupleParams(total: number, depth: number, inner: number, count: number, target: readonly number[]): Uint32Array {
  const strides = stridesOf(target);
  return Uint32Array.from([total, depth, Math.max(inner, 1), count, ...target.slice(0, depth), ...strides.slice(0, depth)]);
}

/** GatherNd: each index tuple picks one contiguous block of `x.shape[depth:]`. */
const gatherNd: KernelCompiler = (key) => {
  const x = key.inputs[0]!.shape!;
  const indexShape = key.inputs[1]!.shape!;
  const depth = indexShape[indexShape.length - 1]!;
  const inner = sizeOf(x.slice(depth));
  const total = sizeOf(key.outputs[0]!.shape!);
  const program = buildProgram({
    label: "gather_nd",
    inputs: ["u32", "i32"],
    outputs: ["u32"],
    params: 4 + 2 * depth,
    workgroupSize: WORKGROUP,
    declarations: TUPLE.replaceAll("in_tuples", "in1"),
    body: `if (index >= param_u(0u)) { return; }
let inner = param_u(2u);
let offset = tuple_offset(index / inner);
out0[index] = select(0u, in0[u32(max(offset, 0)) + index % inner], offset >= 0);`,
  });
  const kernel = planned({
    dispatches: [
      { program, inputs: [input(0), input(1)], outputs: [output(0)], params: tupleParams(total, depth, inner, 0, x), grid: grid1d(total) },
    ],
  });
  return checked(kernel, 1, (values) => checkTuples("gatherNd", values, indexShape, x, "x"));
};

/**
 * ScatterNd: zeros plus every update block added at its tuple (int32 wraps, bool ors). One
 * thread per output element adds the updates that land on it in tuple order, so duplicate
 * indices add up deterministically, in the cpu oracle's order.
 */
const scatterNd: KernelCompiler = (key) => {
  const indexShape = key.inputs[0]!.shape!;
  const out = key.outputs[0]!;
  const shape = out.shape!;
  const depth = indexShape[indexShape.length - 1]!;
  const inner = sizeOf(shape.slice(depth));
  const count = sizeOf(indexShape.slice(0, -1));
  const total = sizeOf(shape);
  const type = storageType(out.dtype!);
  const add = type === "u32" ? "acc | v" : "acc + v";
  const program = buildProgram({
    label: `scatter_nd_${type}`,
    inputs: ["i32", type],
    outputs: [type],
    params: 4 + 2 * depth,
    workgroupSize: WORKGROUP,
    declarations: TUPLE.replaceAll("in_tuples", "in0"),
    body: `if (index >= param_u(0u)) { return; }
let inner = param_u(2u);
let row = index - index % inner;
var acc = ${type === "f32" ? "0.0" : type === "i32" ? "0" : "0u"};
for (var t = 0u; t < param_u(3u); t = t + 1u) {
  if (tuple_offset(t) == i32(row)) { let v = in1[t * inner + index % inner]; acc = ${add}; }
}
out0[index] = acc;`,
  });
  const kernel = planned({
    dispatches: [
      {
        program,
        inputs: [input(0), input(1)],
        outputs: [output(0)],
        params: tupleParams(total, depth, inner, count, shape),
        grid: grid1d(total),
      },
    ],
  });
  return checked(kernel, 0, (values) => checkTuples("scatterNd", values, indexShape, shape, "the output"));
};

const oneHotProgram = buildProgram({
  label: "one_hot",
  inputs: ["i32"],
  outputs: ["u32"],
  params: 4,
  workgroupSize: WORKGROUP,
  body: `if (index >= param_u(0u)) { return; }
let depth = param_u(1u);
let v = in0[index / depth];
out0[index] = select(param_u(3u), param_u(2u), v >= 0 && u32(v) == index % depth);`,
});

/** OneHot: onValue where the index names the position, offValue elsewhere (out-of-range indices give all-off rows, like TF). */
const oneHot: KernelCompiler = (key) => {
  const { depth, onValue, offValue } = key.attrs as OneHotAttrs;
  const out = key.outputs[0]!;
  const total = sizeOf(out.shape!);
  return planned({
    dispatches: [
      {
        program: oneHotProgram,
        inputs: [input(0)],
        outputs: [output(0)],
        params: Uint32Array.of(total, Math.max(depth, 1), fillBits(onValue, out.dtype!), fillBits(offValue, out.dtype!)),
        grid: grid1d(total),
      },
    ],
  });
};

export const gatherCompilers: [string, KernelCompiler][] = [
  ["GatherV2", gather],
  ["GatherNd", gatherNd],
  ["ScatterNd", scatterNd],
  ["OneHot", oneHot],
];
