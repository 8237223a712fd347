import { allocate, type DataArray, type DType, type FusedCluster, type KernelFn, sizeOf } from "@kiln/core";
import type { CpuBackend } from "../../cpu_backend.js";
import { outputArray, outputId } from "../output.js";
import { BINARY_EXPRESSIONS } from "../binary.js";
import { UNARY_EXPRESSIONS } from "../unary.js";
import { elementwiseHelpers } from "./math.js";

type FusedLoop = (outs: DataArray[], ins: DataArray[], n: number) => void;

const compiled = new Map<string, FusedLoop>();

/** The expression of one fused op for its input dtype, or undefined if it cannot be fused. */
function expressionOf(opName: string, dtype: DType): string | undefined {
  return (UNARY_EXPRESSIONS[opName] ?? BINARY_EXPRESSIONS[opName])?.[dtype];
}

/**
 * Compiles a cluster of elementwise ops into one loop (DESIGN 6: `compileFused` emits JS on
 * cpu): each op's expression is inlined with its operands renamed, scalar inputs are read
 * once, and float32 intermediates are rounded with Math.fround so results are bit-identical
 * to running the ops one by one. Returns undefined when an op has no expression (e.g. Gelu,
 * Cast), so the ops run unfused.
 *
 * ```ts
 * backend.compileFused(cluster); // (a + 1) * b as a single pass
 * ```
 */
export function compileFusedCluster(cluster: FusedCluster): KernelFn<{}, CpuBackend> | undefined {
  const size = sizeOf(cluster.shape);
  const dtypeOf = (operand: FusedCluster["ops"][number]["operands"][number]) =>
    "input" in operand ? cluster.inputs[operand.input]!.dtype : cluster.ops[operand.op]!.dtype;
  const lines: string[] = [];
  for (const [j, fused] of cluster.ops.entries()) {
    const expression = expressionOf(fused.op.name, dtypeOf(fused.operands[0]!));
    if (expression === undefined || fused.operands.length > 2) return undefined;
    const names = fused.operands.map((operand) => {
      if ("op" in operand) return `t${operand.op}`;
      const scalar = sizeOf(cluster.inputs[operand.input]!.shape as number[]) === 1 && size !== 1;
      return scalar ? `s${operand.input}` : `x${operand.input}[i]`;
    });
    const body = expression.replace(/\bb\b/g, `(${names[1] ?? "undefined"})`).replace(/\ba\b/g, `(${names[0]})`);
    lines.push(`const t${j} = ${fused.dtype === "float32" ? `Math.fround(${body})` : body};`);
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
    ${cluster.outputs.map((j, k) => `o${k}[i] = t${j};`).join(" ")}
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
