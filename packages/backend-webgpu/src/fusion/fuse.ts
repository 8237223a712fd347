import { type DType, type FusedCluster, type FusedOperand, type KernelKey, type ScalarKernel, scalarKernelOf, sizeOf } from "@kiln/core";
import type { GpuData } from "../device/buffers.js";
import { elementwiseCode, type ElementwiseSpec } from "../kernels/elementwise/codegen.js";
import type { Epilogue } from "../kernels/epilogue.js";
import { headCompilers } from "../kernels/heads.js";
import { grid1d, type GpuKernel, input, output, planned } from "../kernels/kernel.js";
import { storageType } from "../wgsl/dialect.js";
import { buildProgram, indent, type Program, WORKGROUP } from "../wgsl/shader.js";
import type { WebGPUBackend } from "../webgpu_backend.js";

/** Ops whose kernels store through an epilogue (`caps.fusion.epilogues`). */
export const EPILOGUE_HEADS: readonly string[] = [...headCompilers.keys()];

type Info = FusedCluster["inputs"][number];

/** The dtype an operand of a fused op has. */
function operandDtype(cluster: FusedCluster, operand: FusedOperand): DType {
  if ("input" in operand) return cluster.inputs[operand.input]!.dtype;
  if ("op" in operand) return cluster.ops[operand.op]!.dtype;
  return cluster.head!.outputs[operand.head]!.dtype;
}

/** The cluster's ops as an elementwise spec over `inputs` (cluster input indices), or undefined if an op has no scalar semantics. */
function specOf(cluster: FusedCluster, inputs: readonly number[]): ElementwiseSpec | undefined {
  const ops: { kernel: ScalarKernel; operands: ElementwiseSpec["ops"][number]["operands"]; dtype: DType }[] = [];
  for (const fused of cluster.ops) {
    const kernel = scalarKernelOf(
      fused.op,
      fused.operands.map((o) => operandDtype(cluster, o)),
      fused.dtype,
      fused.attrs,
    );
    if (kernel === undefined) return undefined;
    const operands = fused.operands.map((o) => ("input" in o ? { input: inputs.indexOf(o.input) } : o));
    ops.push({ kernel, operands, dtype: fused.dtype });
  }
  return {
    shape: cluster.shape,
    inputs: inputs.map((k) => cluster.inputs[k]!),
    ops,
    outputs: cluster.outputs,
    ...(cluster.head !== undefined ? { headDtype: cluster.head.outputs[0]!.dtype } : {}),
  };
}

/** A key for the head op, as its own kernel would be compiled for. */
function headKey(cluster: FusedCluster): KernelKey<any> {
  const head = cluster.head!;
  const value = (v: Info) => ({ dtype: v.dtype, shape: v.shape, rank: v.shape.length });
  return {
    inputs: head.inputs.map((k) => value(cluster.inputs[k]!)),
    outputs: head.outputs.map(value),
    attrs: head.attrs,
    id: "fused-head",
  };
}

const compiled = new WeakMap<FusedCluster, GpuKernel | null>();

/**
 * One kernel for a cluster of elementwise ops (`compileFused` emits WGSL on
 * webgpu). Without a head it is one dispatch: every op's scalar semantics (core's data,
 * rendered by the WGSL dialect) inlined per element, broadcast inputs read through strides
 * baked into the shader (a plan's shapes are static). With a head (MatMul, Conv2D, a
 * reduction, a pool), the head's kernel stores each result through the cluster instead of
 * writing it (see `Epilogue`). Results equal running the ops one by one bit for bit: the
 * same float32 operations in the same order. Returns undefined when an op has no semantics
 * for its dtypes or the cluster needs more storage buffers than a shader may bind.
 *
 * ```ts
 * backend.compileFused(cluster); // relu(matMul(x, w) + b) as one tiled matmul dispatch
 * ```
 */
export function compileFusedCluster(cluster: FusedCluster, backend: WebGPUBackend): GpuKernel | undefined {
  const cached = compiled.get(cluster);
  if (cached !== undefined) return cached ?? undefined;
  const kernel = compile(cluster, backend);
  compiled.set(cluster, kernel ?? null);
  return kernel;
}

function compile(cluster: FusedCluster, backend: WebGPUBackend): GpuKernel | undefined {
  const head = cluster.head;
  // Inputs the elementwise ops read (a head input may be one of them too: it is then bound twice).
  const read = cluster.inputs
    .map((_, k) => k)
    .filter((k) => cluster.ops.some((op) => op.operands.some((o) => "input" in o && o.input === k)));
  const bindings = (head?.inputs.length ?? 0) + read.length + cluster.outputs.length;
  if (bindings > backend.limits.maxStorageBuffersPerShaderStage) return undefined;
  const outputs = cluster.outputs.map((j) => storageType(cluster.ops[j]!.dtype));
  if (head === undefined) {
    const spec = specOf(
      cluster,
      cluster.inputs.map((_, k) => k),
    );
    if (spec === undefined) return undefined;
    const code = elementwiseCode(spec, { baked: true, inputBindings: cluster.inputs.map((_, k) => k), paramBase: 0 });
    const size = sizeOf(cluster.shape);
    const program = buildProgram({
      label: `fused_${cluster.ops.map((o) => o.op.name).join("_")}`,
      inputs: cluster.inputs.map((i) => storageType(i.dtype)),
      outputs,
      params: 0,
      workgroupSize: WORKGROUP,
      body: `let i = index;\nif (i >= ${size}u) { return; }\n${code.statements}`,
    });
    return planned({
      dispatches: [
        { program, inputs: cluster.inputs.map((_, k) => input(k)), outputs: cluster.outputs.map((_, k) => output(k)), grid: grid1d(size) },
      ],
    });
  }
  const compileHead = headCompilers.get(head.op.name);
  if (compileHead === undefined || head.outputs.length !== 1) return undefined;
  // The head's inputs bind first (as its own kernel binds them), then what the ops read.
  const others = read;
  const spec = specOf(cluster, others);
  if (spec === undefined) return undefined;
  const h = head.inputs.length;
  const code = elementwiseCode(spec, { baked: true, inputBindings: others.map((_, e) => h + e), paramBase: 0 });
  const epilogue: Epilogue = {
    declarations: `fn store(i: u32, v: ${storageType(head.outputs[0]!.dtype)}) {\n${indent(code.statements, "  ")}\n}`,
    inputs: others.map((k) => storageType(cluster.inputs[k]!.dtype)),
    outputs,
  };
  const headKernel = compileHead(headKey(cluster), backend, epilogue);
  const order = [...head.inputs, ...others];
  const run: GpuKernel = (args) =>
    headKernel({
      ...args,
      inputs: order.map((k) => args.inputs[k]!),
      outputs: cluster.outputs.map((j) => ({ shape: cluster.shape, dtype: cluster.ops[j]!.dtype })),
    });
  return Object.assign(run, { programs: headKernel.programs ?? [] });
}

/** The programs a cluster's kernel dispatches (for `Backend.prepare`). */
export function fusedPrograms(cluster: FusedCluster, backend: WebGPUBackend): readonly Program[] {
  return compileFusedCluster(cluster, backend)?.programs ?? [];
}

/**
 * The WGSL of the kernel a fused cluster compiles to, for bug reports and the playground
 * (every program it dispatches, in order). Undefined when the backend would not fuse it.
 *
 * ```ts
 * console.log(fusedWgsl(cluster, backend));
 * ```
 */
export function fusedWgsl(cluster: FusedCluster, backend: WebGPUBackend): string | undefined {
  const kernel = compileFusedCluster(cluster, backend);
  return kernel?.programs?.map((p) => p.source).join("\n");
}

export type { GpuData };
