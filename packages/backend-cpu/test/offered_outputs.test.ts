import { allocate, type ConcreteShape, type DataId, type DType, type KernelFn, sizeOf } from "@kiln/core";
import { describe, expect, it } from "vitest";
import { CpuBackend } from "../src/cpu_backend.js";
import { cpuKernels } from "../src/kernels/index.js";

/**
 * Kernels write into the dead buffers a plan offers them (`KernelArgs.out`, backend
 * contract): the result is the offered buffer's id, and the old values it held never show.
 * A kernel that allocated instead would leave every offered buffer to the pool and grow it
 * by one buffer per step of a loop (the `stepsPerExecution` benchmark's While body).
 */

interface Value {
  readonly values: readonly number[];
  readonly shape: ConcreteShape;
  readonly dtype: DType;
}

const f32 = (values: readonly number[], shape: ConcreteShape): Value => ({ values, shape, dtype: "float32" });
const i32 = (values: readonly number[], shape: ConcreteShape): Value => ({ values, shape, dtype: "int32" });

interface Case {
  readonly op: string;
  readonly inputs: readonly Value[];
  readonly attrs: object;
  readonly outputs: readonly { readonly shape: ConcreteShape; readonly dtype: DType }[];
}

const x23 = f32([1, 2, 3, 4, 5, 6], [2, 3]);
const cases: Case[] = [
  { op: "GatherV2", inputs: [x23, i32([2, 0, 2], [3])], attrs: { axis: 1, batchDims: 0 }, outputs: [{ shape: [2, 3], dtype: "float32" }] },
  { op: "GatherV2", inputs: [x23, i32([1], [1])], attrs: { axis: 0, batchDims: 0 }, outputs: [{ shape: [1, 3], dtype: "float32" }] },
  { op: "GatherNd", inputs: [x23, i32([1, 2, 0, 0], [2, 2])], attrs: {}, outputs: [{ shape: [2], dtype: "float32" }] },
  { op: "ScatterNd", inputs: [i32([1, 1], [2, 1]), f32([5, 6], [2])], attrs: { shape: [3] }, outputs: [{ shape: [3], dtype: "float32" }] },
  { op: "OneHot", inputs: [i32([2, 0, 7], [3])], attrs: { depth: 3, onValue: 1, offValue: 0 }, outputs: [{ shape: [3, 3], dtype: "float32" }] },
  { op: "OneHot", inputs: [i32([1, -1], [2])], attrs: { depth: 2, onValue: 5, offValue: -1 }, outputs: [{ shape: [2, 2], dtype: "int32" }] },
  { op: "Tile", inputs: [x23], attrs: { multiples: [2, 1] }, outputs: [{ shape: [4, 3], dtype: "float32" }] },
  { op: "Transpose", inputs: [x23], attrs: { perm: [1, 0] }, outputs: [{ shape: [3, 2], dtype: "float32" }] },
  { op: "ReverseV2", inputs: [x23], attrs: { axis: [1] }, outputs: [{ shape: [2, 3], dtype: "float32" }] },
  { op: "PadV2", inputs: [x23], attrs: { paddings: [[1, 0], [0, 1]], constantValue: 0 }, outputs: [{ shape: [3, 4], dtype: "float32" }] },
  { op: "Slice", inputs: [x23], attrs: { begin: [0, 1], size: [2, 2] }, outputs: [{ shape: [2, 2], dtype: "float32" }] },
  { op: "ConcatV2", inputs: [x23, x23], attrs: { axis: 1 }, outputs: [{ shape: [2, 6], dtype: "float32" }] },
  { op: "Pack", inputs: [x23, x23], attrs: { axis: 0 }, outputs: [{ shape: [2, 2, 3], dtype: "float32" }] },
  { op: "Unpack", inputs: [x23], attrs: { axis: 1 }, outputs: [0, 1, 2].map(() => ({ shape: [2], dtype: "float32" as const })) },
  {
    op: "SplitV",
    inputs: [x23],
    attrs: { axis: 1 },
    outputs: [
      { shape: [2, 1], dtype: "float32" },
      { shape: [2, 2], dtype: "float32" },
    ],
  },
  { op: "ArgMax", inputs: [x23], attrs: { axis: 1 }, outputs: [{ shape: [2], dtype: "int32" }] },
  { op: "Cumsum", inputs: [x23], attrs: { axis: 1, exclusive: true, reverse: false }, outputs: [{ shape: [2, 3], dtype: "float32" }] },
  {
    op: "BatchMatMulV2",
    inputs: [f32([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), f32([1, 0, 2, 1], [1, 2, 2])],
    attrs: { adjX: false, adjY: true },
    outputs: [{ shape: [2, 2, 2], dtype: "float32" }],
  },
];

function kernel(op: string): KernelFn<any, CpuBackend> {
  const registration = cpuKernels.find((k) => k.op === op && "run" in k);
  if (registration === undefined || !("run" in registration)) throw new Error(`no plain cpu kernel for ${op}`);
  return registration.run;
}

/** Runs the case's kernel, with buffers full of `garbage` offered for its outputs or none. */
function run(c: Case, garbage?: number): { ids: DataId[]; offered: (DataId | undefined)[]; values: number[][]; backend: CpuBackend } {
  const backend = new CpuBackend();
  const inputs = c.inputs.map((v) => {
    const values = allocate(v.dtype, v.values.length);
    values.set(v.values);
    return { dataId: backend.write(values, v.shape, v.dtype), shape: v.shape, dtype: v.dtype };
  });
  const offered =
    garbage === undefined ? [] : c.outputs.map((o) => backend.write(allocate(o.dtype, sizeOf(o.shape)).fill(garbage), o.shape, o.dtype));
  const ids = kernel(c.op)({ inputs, attrs: c.attrs, outputs: c.outputs, backend, ...(garbage === undefined ? {} : { out: offered }) });
  return { ids, offered, values: ids.map((id) => Array.from(backend.values(id))), backend };
}

describe("cpu kernels write into offered output buffers", () => {
  for (const c of cases) {
    it(`${c.op} ${JSON.stringify(c.attrs)} returns the offered buffers, holding what a fresh output holds`, () => {
      const fresh = run(c);
      for (const garbage of [7, Number.NaN]) {
        const reused = run(c, garbage);
        expect(reused.ids).toEqual(reused.offered);
        expect(reused.values).toEqual(fresh.values);
      }
    });
  }
});
