import { type CompiledKernelRegistration, type KernelFn, type KernelKey, sizeOf } from "@kiln/core";
import type { GpuData } from "../device/buffers.js";
import type { Program } from "../wgsl/shader.js";
import type { WebGPUBackend } from "../webgpu_backend.js";

/** A compiled webgpu kernel: a kernel function, plus the programs it dispatches (for `prepare`). */
export type GpuKernel = KernelFn<any, WebGPUBackend> & { readonly programs?: readonly Program[] };

/**
 * Builds a kernel for one specialization key. Every webgpu kernel specializes on exact
 * shapes and attrs, so the whole dispatch plan (programs, parameters, grids) is computed
 * once per key; the pipeline cache then shares pipelines between keys whose shaders are
 * the same text (most kernels read dims from parameters, so one pipeline serves every shape
 * of a rank).
 */
export type KernelCompiler = (key: KernelKey<any>, backend: WebGPUBackend) => GpuKernel;

/** A buffer a planned dispatch binds: kernel input k, kernel output k, or temporary k. */
export type Ref = { readonly input: number } | { readonly output: number } | { readonly temp: number };

export const input = (k: number): Ref => ({ input: k });
export const output = (k: number): Ref => ({ output: k });
export const temp = (k: number): Ref => ({ temp: k });

/** A workgroup grid. */
export type Grid = readonly [number, number, number];

/** One dispatch of a kernel plan. */
export interface PlannedDispatch {
  readonly program: Program;
  readonly inputs: readonly Ref[];
  readonly outputs: readonly Ref[];
  readonly params?: Uint32Array;
  readonly grid: Grid;
}

/** Dispatches in order, with the temporaries they pass results through. */
export interface KernelPlan {
  readonly dispatches: readonly PlannedDispatch[];
  readonly temps?: readonly { readonly dtype: "float32" | "int32" | "bool"; readonly length: number }[];
}

/** Workgroups per grid dimension (WebGPU's default maximum). */
const MAX_GROUPS = 65535;

/**
 * The grid for `threads` invocations of a 1D kernel with `workgroup` threads per group,
 * folded into two dimensions past 65535 groups (shaders index with `index`, see shader.ts).
 *
 * ```ts
 * grid1d(1_000_000); // [3907, 1, 1]
 * ```
 */
export function grid1d(threads: number, workgroup = 256): Grid {
  const groups = Math.ceil(threads / workgroup);
  if (groups <= MAX_GROUPS) return [groups, 1, 1];
  return [MAX_GROUPS, Math.ceil(groups / MAX_GROUPS), 1];
}

/**
 * A kernel that runs a fixed plan: allocates outputs (or takes the plan's offered dead
 * buffers) and temporaries, encodes every dispatch, and frees the temporaries (safe at
 * once: later writes to their buffers are encoded after these dispatches).
 *
 * ```ts
 * const kernel = planned({ dispatches: [{ program, inputs: [input(0)], outputs: [output(0)], params, grid: grid1d(n) }] });
 * ```
 */
export function planned(plan: KernelPlan): GpuKernel {
  const run: KernelFn<any, WebGPUBackend> = (args) => {
    const backend = args.backend;
    const inputs = args.inputs.map((t) => t.dataId as GpuData);
    const outputs = args.outputs.map((o, k) => backend.output(args.out?.[k], o.dtype, sizeOf(o.shape), inputs));
    const temps = (plan.temps ?? []).map((t) => backend.allocate(t.dtype, t.length));
    const resolve = (ref: Ref): GpuData =>
      "input" in ref ? inputs[ref.input]! : "output" in ref ? outputs[ref.output]! : temps[ref.temp]!;
    for (const d of plan.dispatches) backend.dispatch(d.program, d.inputs.map(resolve), d.outputs.map(resolve), d.params, d.grid, d);
    for (const t of temps) backend.disposeData(t);
    return outputs;
  };
  return Object.assign(run, { programs: plan.dispatches.map((d) => d.program) });
}

/**
 * The registrations of `compilers` for a backend named `name`: each compiles through the
 * backend (memoized per key, see `WebGPUBackend.compileKernel`).
 */
export function registrations(
  name: string,
  compilers: ReadonlyMap<string, KernelCompiler>,
): CompiledKernelRegistration<any, WebGPUBackend>[] {
  return [...compilers.keys()].map((op) => ({
    op,
    backend: name,
    specializeOn: { shapes: true, attrs: true },
    compile: (key: KernelKey<any>, backend: WebGPUBackend) => backend.compileKernel(op, key),
  }));
}

/** Packs numbers into a u32 parameter block (negative ints as two's complement). */
export function params(...values: readonly number[]): Uint32Array {
  const out = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! >>> 0;
  return out;
}

/** A float's bits as a u32 parameter. */
export function floatBits(value: number): number {
  return new Uint32Array(new Float32Array([value]).buffer)[0]!;
}

/** The shape of a key's value (every webgpu kernel specializes on shapes). */
export function shapeOf(value: { readonly shape?: readonly number[] } | undefined): readonly number[] {
  return value?.shape ?? [];
}
