import {
  allocate,
  type ConcreteShape,
  type DataArray,
  type DataId,
  type FusedCluster,
  type FusedOperand,
  type KernelArgs,
  type KernelFn,
  renderScalar,
  scalarKernelOf,
  sizeOf,
} from "@kiln/core";
import type { CpuBackend } from "../../cpu_backend.js";
import { broadcastLayout } from "./broadcast.js";
import { jsDialect, loadJs, roundJs, storeJs } from "./js_dialect.js";
import { elementwiseHelpers } from "./math.js";

type FusedLoop = (outs: DataArray[], ins: DataArray[]) => void;

/** A kernel for the op heading an epilogue cluster (MatMul, Conv2D), found by op name. */
export type HeadKernel = (opName: string) => KernelFn<any, CpuBackend> | undefined;

const compiled = new Map<string, FusedLoop>();

/** Each cluster input's dtype; the head's output comes last, read like an input. */
function operandDtype(cluster: FusedCluster, operand: FusedOperand): FusedCluster["inputs"][number]["dtype"] {
  if ("input" in operand) return cluster.inputs[operand.input]!.dtype;
  if ("op" in operand) return cluster.ops[operand.op]!.dtype;
  return cluster.head!.outputs[operand.head]!.dtype;
}

/**
 * The loop body: one statement list computing every fused op for element `i`, reading
 * input k through `read(k)` (the head's output is input `cluster.inputs.length`).
 */
function bodyLines(cluster: FusedCluster, read: (k: number) => string): string[] | undefined {
  const lines: string[] = [];
  const headInput = cluster.inputs.length;
  for (const [j, fused] of cluster.ops.entries()) {
    const kernel = scalarKernelOf(fused.op, fused.operands.map((o) => operandDtype(cluster, o)), fused.dtype, fused.attrs);
    if (kernel === undefined) return undefined;
    const names = fused.operands.map((operand, k) => {
      if ("op" in operand) return `t${operand.op}`;
      return loadJs(read("input" in operand ? operand.input : headInput + operand.head), kernel.args[k]!);
    });
    const rendered = renderScalar(kernel, jsDialect, names, `t${j}`);
    lines.push(...rendered.statements, `const t${j} = ${roundJs(rendered.value, fused.dtype)};`);
  }
  return lines;
}

/**
 * The loops over the cluster's shape, specialized to its exact broadcast layout (a plan's
 * shapes are static): nested loops over the collapsed dims, each input's offset advancing
 * by its stride (0 where it repeats), so a bias row or a column costs no index arithmetic
 * per element. With no broadcasting this is one flat loop.
 */
function loopSource(cluster: FusedCluster, shapes: readonly ConcreteShape[]): string | undefined {
  const layout = broadcastLayout(cluster.shape, shapes);
  const rank = layout.shape.length;
  const offset = (k: number, d: number) => `a${k}_${d}`;
  const lines = bodyLines(cluster, (k) => `x${k}[${offset(k, rank - 1)}]`);
  if (lines === undefined) return undefined;
  const stores = cluster.outputs.map((j, k) => `o${k}[i] = ${storeJs(`t${j}`, cluster.ops[j]!.dtype)};`).join(" ");
  let body = `${lines.join("\n")}\n${stores}\ni++;`;
  for (let d = rank - 1; d >= 0; d--) {
    const init = shapes.map((_, k) => `${offset(k, d)} = ${d === 0 ? "0" : offset(k, d - 1)}`).join(", ");
    const step = shapes.map((_, k) => `${offset(k, d)} += ${layout.strides[k]![d]}`).join(", ");
    body = `for (let d${d} = 0${init === "" ? "" : `, ${init}`}; d${d} < ${layout.shape[d]}; d${d}++${step === "" ? "" : `, ${step}`}) {\n${body}\n}`;
  }
  return `"use strict";
const { ${Object.keys(elementwiseHelpers).join(", ")} } = helpers;
return function fused(outs, ins) {
  ${shapes.map((_, k) => `const x${k} = ins[${k}];`).join(" ")}
  ${cluster.outputs.map((_, k) => `const o${k} = outs[${k}];`).join(" ")}
  let i = 0;
  ${body}
};`;
}

/**
 * Compiles a cluster of elementwise ops into one loop (DESIGN 6: `compileFused` emits JS on
 * cpu): each op's scalar semantics (core's data, rendered by `jsDialect`) are inlined with
 * its operands renamed, inputs that broadcast (a bias row) are walked by stride, and float32
 * intermediates are rounded with Math.fround so results are bit-identical to running the
 * ops one by one. A cluster headed by MatMul or Conv2D runs that kernel first and applies
 * the epilogue in place over its output. Returns undefined when an op has no scalar
 * semantics for its dtypes (or the head has no kernel), so the ops run unfused.
 *
 * ```ts
 * backend.compileFused(cluster); // relu(matMul(x, w) + b) as a MatMul and one pass
 * ```
 */
export function compileFusedCluster(cluster: FusedCluster, headKernel: HeadKernel): KernelFn<{}, CpuBackend> | undefined {
  const head = cluster.head;
  const runHead = head === undefined ? undefined : headKernel(head.op.name);
  if (head !== undefined && runHead === undefined) return undefined;
  const shapes = [...cluster.inputs.map((i) => i.shape), ...(head?.outputs.map((o) => o.shape) ?? [])];
  const source = loopSource(cluster, shapes);
  if (source === undefined) return undefined;
  let loop = compiled.get(source);
  if (loop === undefined) compiled.set(source, (loop = new Function("helpers", source)(elementwiseHelpers) as FusedLoop));
  const run = loop;
  const size = sizeOf(cluster.shape);
  const dtypes = cluster.outputs.map((j) => cluster.ops[j]!.dtype);
  // With one output of the head's dtype, the epilogue runs in place over the head's output.
  const inPlace = head !== undefined && dtypes.length === 1 && head.outputs[0]!.dtype === dtypes[0];
  return (args) => {
    const { inputs, backend } = args;
    const arrays: DataArray[] = new Array(shapes.length);
    for (let k = 0; k < inputs.length; k++) arrays[k] = backend.values(inputs[k]!.dataId);
    let headId: DataId | undefined;
    if (head !== undefined) {
      const offered = inPlace ? args.out?.[0] : undefined;
      const headArgs: KernelArgs<any, CpuBackend> = {
        inputs: head.inputs.map((k) => inputs[k]!),
        attrs: head.attrs,
        outputs: head.outputs,
        backend,
        ...(offered !== undefined ? { out: [offered] } : {}),
      };
      headId = runHead!(headArgs)[0]!;
      arrays[inputs.length] = backend.values(headId);
    }
    const ids: (DataId | undefined)[] = new Array(dtypes.length);
    const results: DataArray[] = new Array(dtypes.length);
    for (let k = 0; k < dtypes.length; k++) {
      const id = inPlace ? headId : args.out?.[k];
      ids[k] = id;
      results[k] = id !== undefined ? backend.values(id) : allocate(dtypes[k]!, size);
    }
    if (size > 0) run(results, arrays);
    for (let k = 0; k < dtypes.length; k++) ids[k] ??= backend.write(results[k]!, cluster.shape, dtypes[k]!);
    if (headId !== undefined && !inPlace) backend.disposeData(headId);
    return ids as DataId[];
  };
}
