import {
  BACKEND_API_VERSION,
  type BackendCapabilities,
  type BackendMemory,
  type ConcreteShape,
  type DataArray,
  type DataId,
  type DType,
  type FusedCluster,
  type KernelFn,
  type KernelSource,
  KilnError,
  type SyncReadBackend,
} from "@kiln/core";
import { compileFusedCluster, fusedClusterSource } from "./kernels/elementwise/fuse.js";
import { headKernel } from "./kernels/head_kernels.js";

/** A buffer handle on the cpu backend; the identity of the object is the id. */
interface CpuBuffer {
  values: DataArray;
  /** Cleared on dispose; checking a flag is cheaper than a Set of live buffers. */
  live: boolean;
}

/**
 * The reference backend: buffers are typed arrays in JS memory, kernels are plain
 * TypeScript. Every other backend is checked against it.
 *
 * ```ts
 * const b = new CpuBackend();
 * const id = b.write(new Float32Array([1, 2]), [2], "float32");
 * b.readSync(id); // Float32Array [1, 2]
 * ```
 */
export class CpuBackend implements SyncReadBackend {
  readonly apiVersion = BACKEND_API_VERSION;
  readonly name: string;
  /**
   * Whether elementwise kernels are generated JS (`new Function`) or prebuilt loops over the same
   * semantics, for environments that forbid generating code (fused clusters then run as block loops too).
   */
  readonly codegen: boolean;
  readonly caps: BackendCapabilities;
  #numBuffers = 0;
  #numBytes = 0;

  constructor(options: { readonly name?: string; readonly codegen?: boolean } = {}) {
    this.name = options.name ?? "cpu";
    this.codegen = options.codegen ?? true;
    this.caps = {
      reads: "sync",
      dtypes: ["float32", "int32", "bool"],
      fusion: { elementwise: true, broadcast: true, epilogues: ["MatMul", "BatchMatMulV2", "Conv2D", "DepthwiseConv2dNative"] },
      details: { kernels: this.codegen ? "generated" : "prebuilt" },
    };
  }

  write(values: DataArray, _shape: ConcreteShape, _dtype: DType): DataId {
    const buffer: CpuBuffer = { values, live: true };
    this.#numBuffers++;
    this.#numBytes += values.byteLength;
    return buffer;
  }

  /**
   * A buffer for a kernel's private scratch (a fused kernel's head output), not counted in
   * `memory()`: like the patch buffers of convolutions, it lives with the kernel that keeps it.
   */
  scratch(values: DataArray): DataId {
    const buffer: CpuBuffer = { values, live: true };
    return buffer;
  }

  /** The stored values of a buffer (the backend's own array, not a copy). Kernels must treat them as read-only. */
  values(dataId: DataId): DataArray {
    const buffer = dataId as CpuBuffer;
    if (buffer.live !== true) throw new KilnError("cpu backend: buffer was disposed or belongs to another backend");
    return buffer.values;
  }

  async read(dataId: DataId): Promise<DataArray> {
    return this.values(dataId);
  }

  readSync(dataId: DataId): DataArray {
    return this.values(dataId);
  }

  disposeData(dataId: DataId): void {
    const buffer = dataId as CpuBuffer;
    if (buffer.live !== true) return;
    buffer.live = false;
    this.#numBuffers--;
    this.#numBytes -= buffer.values.byteLength;
  }

  memory(): BackendMemory {
    return { numBytes: this.#numBytes, numBuffers: this.#numBuffers };
  }

  /** One pass for a cluster of elementwise ops (used by tf.function plans): a generated loop, or prebuilt block loops without code generation. */
  compileFused(cluster: FusedCluster): KernelFn | undefined {
    return compileFusedCluster(cluster, headKernel, this.codegen) as KernelFn | undefined;
  }

  /** The JS loop `compileFused` generates for a cluster, for `cf.planSummary()`; none without code generation (block loops run instead). */
  fusedKernelSource(cluster: FusedCluster): KernelSource | undefined {
    if (!this.codegen) return undefined;
    const code = fusedClusterSource(cluster);
    return code === undefined ? undefined : { language: "javascript", code };
  }

  /** Forgets every buffer (their memory is reclaimed by the GC once tensors drop them). */
  dispose(): void {
    this.#numBuffers = 0;
    this.#numBytes = 0;
  }
}
