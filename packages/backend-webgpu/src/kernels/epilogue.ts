import type { DType, KernelKey } from "@kiln/core";
import { storageType } from "../wgsl/dialect.js";
import type { ElementType } from "../wgsl/shader.js";
import type { WebGPUBackend } from "../webgpu_backend.js";
import type { GpuKernel } from "./kernel.js";

/**
 * How the last dispatch of a kernel stores its results. Every kernel that may head a fused
 * cluster (`caps.fusion.epilogues`) writes each result through `store(i, v)`: by default a
 * plain `out0[i] = v`; fused, a generated function that runs the cluster's elementwise ops
 * on `v` (reading the cluster's other inputs, bound after the head's own) and writes the
 * cluster's outputs instead, so `relu(matMul(x, w) + b)` is one kernel.
 */
export interface Epilogue {
  /** WGSL that defines `fn store(i: u32, v: <head storage type>)`. */
  readonly declarations: string;
  /** Storage types of the extra inputs the epilogue reads, bound after the head's inputs. */
  readonly inputs: readonly ElementType[];
  /** Storage types of what the final dispatch writes (out0, out1, ...). */
  readonly outputs: readonly ElementType[];
}

/**
 * The plain store of a head's result of `dtype`: `out0[i] = v`.
 *
 * ```ts
 * plainStore("float32").declarations; // "fn store(i: u32, v: f32) { out0[i] = v; }"
 * ```
 */
export function plainStore(dtype: DType): Epilogue {
  const type = storageType(dtype);
  return { declarations: `fn store(i: u32, v: ${type}) { out0[i] = v; }`, inputs: [], outputs: [type] };
}

/**
 * A kernel that may head an epilogue: compiled for a key (the head op's own inputs, output
 * and attrs) with the epilogue its last dispatch stores through. In its plan, input refs
 * past the head's own inputs are the epilogue's inputs, and output refs are the epilogue's
 * outputs.
 */
export type HeadCompiler = (key: KernelKey<any>, backend: WebGPUBackend, epilogue: Epilogue) => GpuKernel;
