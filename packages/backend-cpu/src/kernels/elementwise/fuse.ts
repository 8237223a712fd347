import {
  allocate,
  compileFunction,
  type ConcreteShape,
  type DataArray,
  type DataId,
  type FusedCluster,
  type KernelArgs,
  type KernelFn,
  sizeOf,
} from "@kiln/core";
import type { CpuBackend } from "../../cpu_backend.js";
import { compileFusedBlocks } from "./block_loop.js";
import { CLOSURES_INSTEAD } from "./compile.js";
import { fusedLoopSource } from "./fused_loop.js";
import { elementwiseHelpers } from "./math.js";

type FusedLoop = (outs: DataArray[], ins: DataArray[]) => void;

/** A kernel for the op heading an epilogue cluster (MatMul, Conv2D), found by op name. */
export type HeadKernel = (opName: string) => KernelFn<any, CpuBackend> | undefined;

const compiled = new Map<string, FusedLoop>();

/**
 * The JS that `compileFusedCluster` compiles for a cluster (the body of a
 * `new Function("helpers", code)`), for reading: `cf.planSummary()` shows it through
 * `CpuBackend.fusedKernelSource`. Undefined when the cluster would not be fused.
 *
 * ```ts
 * fusedClusterSource(cluster); // "const f0 = ...; for (let i = 0; ...) { ... }"
 * ```
 */
export function fusedClusterSource(cluster: FusedCluster): string | undefined {
  const source = fusedLoopSource(cluster, clusterShapes(cluster));
  if (source === undefined || cluster.head === undefined) return source;
  return `// ${cluster.head.op.name} runs first (its kernel, not generated); its output is ins[${cluster.inputs.length}]\n${source}`;
}

/** The shapes of the arrays a cluster's loop reads: its inputs, then the head's outputs. */
function clusterShapes(cluster: FusedCluster): ConcreteShape[] {
  return [...cluster.inputs.map((i) => i.shape), ...(cluster.head?.outputs.map((o) => o.shape) ?? [])];
}

/**
 * Compiles a cluster of elementwise ops into one pass (`compileFused` emits JS on
 * cpu; the loops are `fused_loop.ts`'s): each op's scalar semantics (core's data, rendered
 * by `jsDialect`) are inlined with its operands renamed, inputs that broadcast (a bias row)
 * are walked by stride, and float32 intermediates are rounded with Math.fround where they
 * are not float32 already, so results are bit-identical to running the ops one by one. A
 * cluster headed by MatMul or Conv2D runs that kernel first and applies the epilogue in
 * place over its output. Returns undefined when an op has no scalar semantics for its
 * dtypes (or the head has no kernel), so the ops run unfused. With `codegen` false (a
 * Content-Security-Policy without 'unsafe-eval') the pass is `compileFusedBlocks`' block
 * loops instead of a generated loop, with the same results.
 *
 * ```ts
 * backend.compileFused(cluster); // relu(matMul(x, w) + b) as a MatMul and one pass
 * ```
 */
export function compileFusedCluster(cluster: FusedCluster, headKernel: HeadKernel, codegen = true): KernelFn<{}, CpuBackend> | undefined {
  const head = cluster.head;
  const runHead = head === undefined ? undefined : headKernel(head.op.name);
  if (head !== undefined && runHead === undefined) return undefined;
  const shapes = clusterShapes(cluster);
  const loop = codegen ? generatedLoop(cluster, shapes) : compileFusedBlocks(cluster, shapes);
  if (loop === undefined) return undefined;
  const run = loop;
  const size = sizeOf(cluster.shape);
  const dtypes = cluster.outputs.map((j) => cluster.ops[j]!.dtype);
  // With one output of the head's dtype, the epilogue runs in place over the head's output.
  const inPlace = head !== undefined && dtypes.length === 1 && head.outputs[0]!.dtype === dtypes[0];
  // Otherwise the head writes into a scratch buffer this kernel keeps from one run to the next.
  let scratch: DataId | undefined;
  return (args) => {
    const { inputs, backend } = args;
    const arrays: DataArray[] = new Array(shapes.length);
    for (let k = 0; k < inputs.length; k++) arrays[k] = backend.values(inputs[k]!.dataId);
    let headId: DataId | undefined;
    if (head !== undefined) {
      if (!inPlace) scratch ??= backend.scratch(allocate(head.outputs[0]!.dtype, sizeOf(head.outputs[0]!.shape)));
      const offered = inPlace ? args.out?.[0] : scratch;
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
    // A head that ignored the scratch buffer made its own.
    if (headId !== undefined && !inPlace && headId !== scratch) backend.disposeData(headId);
    return ids as DataId[];
  };
}

/** The generated loop for a cluster (compiled once per distinct source), or undefined without scalar semantics. */
function generatedLoop(cluster: FusedCluster, shapes: readonly ConcreteShape[]): FusedLoop | undefined {
  const source = fusedLoopSource(cluster, shapes);
  if (source === undefined) return undefined;
  let loop = compiled.get(source);
  if (loop === undefined) {
    loop = compileFunction("cpu backend: a fused elementwise kernel", CLOSURES_INSTEAD, ["helpers"], source)(elementwiseHelpers) as FusedLoop;
    compiled.set(source, loop);
  }
  return loop;
}
