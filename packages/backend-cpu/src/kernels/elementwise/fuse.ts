import { allocate, type DataArray, type FusedCluster, type KernelFn, renderScalar, scalarKernelOf, sizeOf } from "@kiln/core";
import type { CpuBackend } from "../../cpu_backend.js";
import { outputArray, outputId } from "../output.js";
import { jsDialect, loadJs, roundJs, storeJs } from "./js_dialect.js";
import { elementwiseHelpers } from "./math.js";

type FusedLoop = (outs: DataArray[], ins: DataArray[], n: number) => void;

const compiled = new Map<string, FusedLoop>();

/**
 * Compiles a cluster of elementwise ops into one loop (DESIGN 6: `compileFused` emits JS on
 * cpu): each op's scalar semantics (core's data, rendered by `jsDialect`) are inlined with
 * its operands renamed, scalar inputs are read once, and float32 intermediates are rounded
 * with Math.fround so results are bit-identical to running the ops one by one. Returns
 * undefined when an op has no scalar semantics for its dtypes, so the ops run unfused.
 *
 * ```ts
 * backend.compileFused(cluster); // (a + 1) * b as a single pass
 * ```
 */
export function compileFusedCluster(cluster: FusedCluster): KernelFn<{}, CpuBackend> | undefined {
  if (cluster.head !== undefined) return undefined;
  const size = sizeOf(cluster.shape);
  const dtypeOf = (operand: FusedCluster["ops"][number]["operands"][number]) =>
    "input" in operand ? cluster.inputs[operand.input]!.dtype : "op" in operand ? cluster.ops[operand.op]!.dtype : cluster.head!.outputs[operand.head]!.dtype;
  const lines: string[] = [];
  for (const [j, fused] of cluster.ops.entries()) {
    const kernel = scalarKernelOf(fused.op, fused.operands.map(dtypeOf), fused.dtype, fused.attrs);
    if (kernel === undefined) return undefined;
    const names = fused.operands.map((operand, k) => {
      if ("op" in operand) return `t${operand.op}`;
      if (!("input" in operand)) throw new Error("unreachable: clusters with a head are not compiled here");
      const scalar = sizeOf(cluster.inputs[operand.input]!.shape as number[]) === 1 && size !== 1;
      return loadJs(scalar ? `s${operand.input}` : `x${operand.input}[i]`, kernel.args[k]!);
    });
    const rendered = renderScalar(kernel, jsDialect, names, `t${j}`);
    lines.push(...rendered.statements, `const t${j} = ${roundJs(rendered.value, fused.dtype)};`);
  }
  const key = `${size === 1}|${cluster.inputs.map((i) => `${i.dtype}${sizeOf(i.shape as number[]) === 1}`).join(",")}|${lines.join("")}|${cluster.outputs.join(",")}`;
  let loop = compiled.get(key);
  if (loop === undefined) {
    const source = `"use strict";
const { ${Object.keys(elementwiseHelpers).join(", ")} } = helpers;
return function fused(outs, ins, n) {
  ${cluster.inputs.map((_, k) => `const x${k} = ins[${k}]; const s${k} = x${k}[0];`).join(" ")}
  ${cluster.outputs.map((_, k) => `const o${k} = outs[${k}];`).join(" ")}
  for (let i = 0; i < n; i++) {
    ${lines.join("\n    ")}
    ${cluster.outputs.map((j, k) => `o${k}[i] = ${storeJs(`t${j}`, cluster.ops[j]!.dtype)};`).join(" ")}
  }
};`;
    loop = new Function("helpers", source)(elementwiseHelpers) as FusedLoop;
    compiled.set(key, loop);
  }
  const run = loop;
  if (cluster.outputs.length === 1) {
    // The common case (a chain ending in one value) without the per-output bookkeeping.
    const dtype = cluster.ops[cluster.outputs[0]!]!.dtype;
    return (args) => {
      const { inputs, backend } = args;
      const offered = args.out?.[0];
      const result = offered !== undefined ? backend.values(offered) : allocate(dtype, size);
      const arrays: DataArray[] = new Array(inputs.length);
      for (let k = 0; k < inputs.length; k++) arrays[k] = backend.values(inputs[k]!.dataId);
      if (size > 0) run([result], arrays, size);
      return [offered ?? backend.write(result, cluster.shape, dtype)];
    };
  }
  return (args) => {
    const { inputs, outputs, backend } = args;
    const results: DataArray[] = new Array(outputs.length);
    for (let k = 0; k < outputs.length; k++) results[k] = outputArray(args, k);
    const arrays: DataArray[] = new Array(inputs.length);
    for (let k = 0; k < inputs.length; k++) arrays[k] = backend.values(inputs[k]!.dataId);
    if (size > 0) run(results, arrays, size);
    const ids = new Array(outputs.length);
    for (let k = 0; k < outputs.length; k++) ids[k] = outputId(args, results[k]!, k);
    return ids;
  };
}
