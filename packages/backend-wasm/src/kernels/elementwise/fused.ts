import { type FusedCluster, type FusedOperand, type KernelFn, scalarKernelOf, sizeOf } from "@kiln/core";
import { elementBytes, type WasmBuffer } from "../../runtime/heap.js";
import type { WasmBackend } from "../../wasm_backend.js";
import { checkStatus } from "../kernel_call.js";
import { kernelIdOf } from "./kernel_index.js";

/** Limits of the C interpreter (csrc/elementwise.c). */
const MAX_OPS = 64;
const MAX_VALUES = 16;

/**
 * Compiles a fused elementwise cluster into an op program for `kiln_ew_program`, which
 * runs it in one wasm call, a block of elements at a time with intermediates in cache.
 * Each op uses the same compiled kernel as eager execution, so results are bit-identical
 * to running the ops one by one. Returns undefined (ops then run one by one) for clusters
 * larger than the interpreter's limits.
 *
 * ```ts
 * backend.compileFused(cluster); // (a + 1) * b as a single pass
 * ```
 */
export function compileFusedCluster(cluster: FusedCluster): KernelFn<{}, WasmBackend> | undefined {
  if (cluster.ops.length > MAX_OPS || cluster.inputs.length > MAX_VALUES || cluster.outputs.length > MAX_VALUES) return undefined;
  // Epilogues (a contraction heading the cluster) are not declared in caps.fusion, so never offered.
  if (cluster.head !== undefined || cluster.ops.some((o) => o.operands.some((operand) => "head" in operand))) return undefined;
  const operandOf = (operand: FusedOperand) => operand as { readonly input: number } | { readonly op: number };
  const n = sizeOf(cluster.shape);
  // Inputs must hold the cluster's elements or a single one (caps.fusion.broadcast is false).
  if (cluster.inputs.some((info) => sizeOf(info.shape) !== n && sizeOf(info.shape) !== 1)) return undefined;
  const dtypeOf = (operand: FusedOperand) => {
    const o = operandOf(operand);
    return "input" in o ? cluster.inputs[o.input]!.dtype : cluster.ops[o.op]!.dtype;
  };
  const opWords: number[] = [];
  for (const [j, fused] of cluster.ops.entries()) {
    const kernel = scalarKernelOf(fused.op, fused.operands.map(dtypeOf), fused.dtype, fused.attrs);
    if (kernel === undefined) return undefined;
    const operands = fused.operands.map((operand) => {
      const o = operandOf(operand);
      return "op" in o ? o.op : -(o.input + 1);
    });
    while (operands.length < 3) operands.push(0);
    opWords.push(
      kernelIdOf(kernel, fused.op.name),
      fused.operands.length,
      ...operands,
      cluster.outputs.indexOf(j),
      elementBytes(fused.dtype),
    );
  }
  const inputWords = cluster.inputs.map(
    (info) => [elementBytes(info.dtype), n !== 1 && sizeOf(info.shape as number[]) === 1 ? 1 : 0] as const,
  );
  const outputDtypes = cluster.outputs.map((j) => cluster.ops[j]!.dtype);
  const name = `fused ${cluster.ops.map((o) => o.op.name).join("+")}`;
  // The whole argument frame, built once: a call only fills in the buffer addresses.
  const header = 4;
  const inputAt = header;
  const outputAt = inputAt + 3 * cluster.inputs.length;
  const template = Int32Array.from([
    n,
    cluster.inputs.length,
    outputDtypes.length,
    cluster.ops.length,
    ...inputWords.flatMap((w) => [0, w[0], w[1]]),
    ...outputDtypes.map(() => 0),
    ...opWords,
  ]);
  return ({ inputs, backend, out }) => {
    const heap = backend.heap;
    const results: WasmBuffer[] = new Array(outputDtypes.length);
    let fresh = 0;
    try {
      for (let k = 0; k < outputDtypes.length; k++) {
        const offered = out?.[k] as WasmBuffer | undefined;
        if (offered?.live) results[k] = offered;
        else {
          results[k] = backend.allocate(outputDtypes[k]!, n, name);
          fresh |= 1 << k;
        }
      }
      for (let k = 0; k < inputs.length; k++) template[inputAt + 3 * k] = heap.pointer(inputs[k]!.dataId, name);
      for (let k = 0; k < results.length; k++) template[outputAt + k] = results[k]!.ptr;
      const frame = backend.module.frame;
      heap.i32().set(template, frame.ptr >>> 2);
      checkStatus(backend.module, backend.module.exports.kiln_ew_program(frame.ptr), name);
    } catch (error) {
      for (let k = 0; k < results.length; k++) if ((fresh >> k) & 1 && results[k] !== undefined) backend.disposeData(results[k]!);
      throw error;
    }
    return results;
  };
}
