import type { Backend, FusedCluster } from "@kiln/core";
import type { WebGPUBackend } from "../webgpu_backend.js";
import { fusedWgsl } from "./fuse.js";

/** One fused kernel of a traced function: the ops it runs and the WGSL of its dispatches. */
export interface FusedKernelSource {
  /** The head op (MatMul, Conv2D, a reduction) when the elementwise ops are its epilogue. */
  readonly head: string | undefined;
  /** The elementwise ops, in order. */
  readonly ops: readonly string[];
  /** Every program the kernel dispatches, in order, as WGSL. */
  readonly wgsl: string;
}

/** What `fusedKernelWgsl` needs of a concrete function: its plan on a backend. */
interface Planned {
  planFor(backend: Backend): { readonly clusters: readonly FusedCluster[] };
}

/**
 * The generated WGSL of every fused kernel in a traced function's plan on the webgpu
 * backend (for the playground and for bug reports). Builds the plan if it was not built yet;
 * runs nothing.
 *
 * ```ts
 * const cf = f.getConcreteFunction(tf.TensorSpec([8, 16]));
 * for (const k of fusedKernelWgsl(cf, tf.backend() as WebGPUBackend)) console.log(k.ops.join(" + "), k.wgsl);
 * ```
 */
export function fusedKernelWgsl(cf: Planned, backend: WebGPUBackend): FusedKernelSource[] {
  return cf.planFor(backend).clusters.map((cluster) => ({
    head: cluster.head?.op.name,
    ops: cluster.ops.map((o) => o.op.name),
    wgsl: fusedWgsl(cluster, backend) ?? "",
  }));
}
