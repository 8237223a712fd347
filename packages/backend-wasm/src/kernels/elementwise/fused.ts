import { type ConcreteShape, type FusedCluster, type FusedOperand, type KernelFn, scalarKernelOf, sizeOf } from "@kiln/core";
import { elementBytes, type WasmBuffer } from "../../runtime/heap.js";
import type { WasmBackend } from "../../wasm_backend.js";
import { headKernel } from "../heads.js";
import { checkStatus, type TensorRef } from "../kernel_call.js";
import { collapseBroadcast } from "./broadcast.js";
import { kernelIdOf } from "./kernel_index.js";

/** Limits of the C interpreter (csrc/elementwise.c). */
const MAX_OPS = 64;
const MAX_VALUES = 16;
const BROADCAST_RANK = 6;
/** Words per input in the program frame: ptr, size, kind, rank, shape[6], strides[6]. */
const INPUT_WORDS = 4 + 2 * BROADCAST_RANK;
const PLAIN = 0;
const SCALAR = 1;
const BROADCAST = 2;

/** An input's frame record (its address filled in per call): plain, single element, or broadcast view. */
function inputRecord(
  shape: ConcreteShape,
  dtype: FusedCluster["inputs"][number]["dtype"],
  clusterShape: ConcreteShape,
  n: number,
): number[] | undefined {
  const size = sizeOf(shape);
  const record = [0, elementBytes(dtype), PLAIN, 0, ...new Array<number>(2 * BROADCAST_RANK).fill(0)];
  if (size === n) return record;
  if (size === 1) {
    record[2] = SCALAR;
    return record;
  }
  const layout = collapseBroadcast(clusterShape, [shape]);
  if (layout.shape.length > BROADCAST_RANK) return undefined;
  record[2] = BROADCAST;
  record[3] = layout.shape.length;
  layout.shape.forEach((d, i) => (record[4 + i] = d));
  layout.strides[0]!.forEach((s, i) => (record[4 + BROADCAST_RANK + i] = s));
  return record;
}

/**
 * Compiles a fused elementwise cluster into an op program for `kiln_ew_program`, which
 * runs it in one wasm call, a block of elements at a time with intermediates in cache;
 * inputs that broadcast are gathered per block. A cluster headed by MatMul or a
 * convolution runs that kernel first (into the output itself when the program can run in
 * place) and the program over its result. Each op uses the same compiled kernel as eager
 * execution, so results are bit-identical to running the ops one by one. Returns
 * undefined (ops then run one by one) for clusters beyond the interpreter's limits.
 *
 * ```ts
 * backend.compileFused(cluster); // relu(matMul(x, w) + b) as a GEMM and one pass
 * ```
 */
export function compileFusedCluster(cluster: FusedCluster): KernelFn<{}, WasmBackend> | undefined {
  const head = cluster.head;
  const runHead = head === undefined ? undefined : headKernel(head.op.name);
  if (head !== undefined && (runHead === undefined || head.outputs.length !== 1)) return undefined;
  const headInput = cluster.inputs.length;
  const valueCount = cluster.inputs.length + (head === undefined ? 0 : 1);
  if (cluster.ops.length > MAX_OPS || valueCount > MAX_VALUES || cluster.outputs.length > MAX_VALUES) return undefined;
  const n = sizeOf(cluster.shape);
  const records: number[][] = [];
  for (const info of cluster.inputs) {
    const record = inputRecord(info.shape, info.dtype, cluster.shape, n);
    if (record === undefined) return undefined;
    records.push(record);
  }
  if (head !== undefined) records.push(inputRecord(head.outputs[0]!.shape, head.outputs[0]!.dtype, cluster.shape, n)!);
  const operandIndex = (operand: FusedOperand): number => ("head" in operand ? headInput : "input" in operand ? operand.input : -1);
  const dtypeOf = (operand: FusedOperand) => {
    if ("op" in operand) return cluster.ops[operand.op]!.dtype;
    return "head" in operand ? head!.outputs[0]!.dtype : cluster.inputs[operand.input]!.dtype;
  };
  const opWords: number[] = [];
  for (const [j, fused] of cluster.ops.entries()) {
    const kernel = scalarKernelOf(fused.op, fused.operands.map(dtypeOf), fused.dtype, fused.attrs);
    if (kernel === undefined) return undefined;
    const operands = fused.operands.map((o) => ("op" in o ? o.op : -(operandIndex(o) + 1)));
    while (operands.length < 3) operands.push(0);
    opWords.push(
      kernelIdOf(kernel, fused.op.name),
      fused.operands.length,
      ...operands,
      cluster.outputs.indexOf(j),
      elementBytes(fused.dtype),
    );
  }
  const outputDtypes = cluster.outputs.map((j) => cluster.ops[j]!.dtype);
  const name = `fused ${[...(head === undefined ? [] : [head.op.name]), ...cluster.ops.map((o) => o.op.name)].join("+")}`;
  // The program may overwrite the head's output in place when it is the only output, of the
  // head's dtype, and written by the last op (every read of a block precedes its write).
  const inPlace =
    head !== undefined &&
    outputDtypes.length === 1 &&
    outputDtypes[0] === head.outputs[0]!.dtype &&
    cluster.outputs[0] === cluster.ops.length - 1;
  // The whole argument frame, built once: a call only fills in the buffer addresses.
  const inputAt = 4;
  const outputAt = inputAt + INPUT_WORDS * valueCount;
  const template = Int32Array.from([
    n,
    valueCount,
    outputDtypes.length,
    cluster.ops.length,
    ...records.flat(),
    ...outputDtypes.map(() => 0),
    ...opWords,
  ]);
  return ({ inputs, backend, out }) => {
    const heap = backend.heap;
    const results: WasmBuffer[] = new Array(outputDtypes.length);
    let fresh = 0;
    let headBuffer: WasmBuffer | undefined;
    try {
      for (let k = 0; k < outputDtypes.length; k++) {
        const offered = out?.[k] as WasmBuffer | undefined;
        if (offered?.live) results[k] = offered;
        else {
          results[k] = backend.allocate(outputDtypes[k]!, n, name);
          fresh |= 1 << k;
        }
      }
      const refs: TensorRef[] = inputs.map((t) => ({
        ptr: heap.pointer(t.dataId, name),
        shape: t.shape,
        dtype: t.dtype,
        size: sizeOf(t.shape),
      }));
      if (head !== undefined) {
        const info = head.outputs[0]!;
        headBuffer = inPlace ? results[0]! : backend.allocate(info.dtype, sizeOf(info.shape), name);
        const output: TensorRef = { ptr: headBuffer.ptr, shape: info.shape, dtype: info.dtype, size: sizeOf(info.shape) };
        runHead!({
          op: head.op.name,
          attrs: head.attrs as never,
          inputs: head.inputs.map((k) => refs[k]!),
          outputs: [output],
          module: backend.module,
        });
        template[inputAt + INPUT_WORDS * headInput] = headBuffer.ptr;
      }
      for (let k = 0; k < refs.length; k++) template[inputAt + INPUT_WORDS * k] = refs[k]!.ptr;
      for (let k = 0; k < results.length; k++) template[outputAt + k] = results[k]!.ptr;
      const frame = backend.module.frame;
      heap.i32().set(template, frame.ptr >>> 2);
      checkStatus(backend.module, backend.module.exports.kiln_ew_program(frame.ptr), name);
    } catch (error) {
      for (let k = 0; k < results.length; k++) if ((fresh >> k) & 1 && results[k] !== undefined) backend.disposeData(results[k]!);
      throw error;
    } finally {
      if (headBuffer !== undefined && !inPlace) backend.disposeData(headBuffer);
    }
    return results;
  };
}
