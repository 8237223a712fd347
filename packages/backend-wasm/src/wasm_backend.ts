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
  type SyncReadBackend,
  sizeOf,
} from "@kiln/core";
import { compileFusedCluster } from "./kernels/elementwise/fused.js";
import { EPILOGUE_HEADS } from "./kernels/heads.js";
import { isRelaxed, type WasmVariant } from "./runtime/binaries.js";
import { elementBytes, type Heap, WasmBuffer } from "./runtime/heap.js";
import type { WasmModule } from "./runtime/module.js";

/** What the wasm backend reports about itself (`backend.info`). */
export interface WasmBackendInfo {
  /** The binary in use. */
  readonly variant: WasmVariant;
  /** Threads kernels are set to use (the calling thread included); workers still starting join when they run (`threadsReady`). */
  readonly threads: number;
  /** Why the threaded binary is not in use, when it is not. */
  readonly threadsUnavailable?: string;
}

/**
 * The wasm backend: tensors live in one WebAssembly memory, kernels are C compiled to
 * SIMD128 (see csrc/). Buffers are `WasmBuffer` handles; `readSync` returns views of the
 * heap, `read` copies.
 *
 * ```ts
 * const backend = tf.backend() as WasmBackend;
 * backend.info; // { variant: "simd-threads", threads: 2 }
 * ```
 */
export class WasmBackend implements SyncReadBackend {
  readonly apiVersion = BACKEND_API_VERSION;
  readonly heap: Heap;
  #numBuffers = 0;
  #numBytes = 0;
  #caps: BackendCapabilities;

  constructor(
    readonly name: string,
    readonly module: WasmModule,
  ) {
    this.heap = module.heap;
    this.#caps = this.#capabilities();
    // A worker that fails to start is known only later: caps.details then says why, as info does.
    module.workersReady.catch(() => {
      this.#caps = this.#capabilities();
    });
  }

  /** Synchronous reads, three dtypes, fused elementwise clusters with broadcast inputs and epilogues on MatMul and convolutions. */
  get caps(): BackendCapabilities {
    return this.#caps;
  }

  #capabilities(): BackendCapabilities {
    const info = this.info;
    return {
      reads: "sync",
      dtypes: ["float32", "int32", "bool"],
      fusion: { elementwise: true, broadcast: true, epilogues: [...EPILOGUE_HEADS] },
      details: {
        variant: info.variant,
        simd: true,
        relaxedSimd: isRelaxed(info.variant),
        threads: info.threads,
        ...(info.threadsUnavailable === undefined ? {} : { threadsUnavailable: info.threadsUnavailable }),
      },
    };
  }

  get info(): WasmBackendInfo {
    const { variant, features, workerError } = this.module;
    const info = { variant, threads: this.module.threads };
    const unavailable = features.threadsUnavailable ?? workerError;
    return unavailable === undefined ? info : { ...info, threadsUnavailable: unavailable };
  }

  /**
   * Settles once every worker thread runs. Workers start in the background when the
   * backend is set up (tens of milliseconds in Node); until one runs, kernels run on the
   * calling thread alone, and it joins from the next parallel loop on. Rejects with a
   * `BackendError` when a worker failed to start (kernels then go on without it).
   *
   * ```ts
   * await tf.setBackend("wasm");
   * await (tf.backend() as WasmBackend).threadsReady; // e.g. before timing two-thread kernels
   * ```
   */
  get threadsReady(): Promise<void> {
    return this.module.workersReady;
  }

  /**
   * Sets the threads kernels use (1 up to the threads started at load); returns the count in effect.
   *
   * ```ts
   * backend.setThreads(1); // e.g. to leave a core to other work
   * ```
   */
  setThreads(threads: number): number {
    const count = this.module.setThreads(threads);
    this.#caps = this.#capabilities();
    return count;
  }

  /** Allocates an uninitialised buffer for `size` elements of `dtype`; `op` names the error if it fails. */
  allocate(dtype: DType, size: number, op: string): WasmBuffer {
    const bytes = size * elementBytes(dtype);
    const buffer = new WasmBuffer(this.heap.alloc(bytes, op), dtype, size);
    this.#numBuffers++;
    this.#numBytes += bytes;
    return buffer;
  }

  write(values: DataArray, shape: ConcreteShape, dtype: DType): DataId {
    const buffer = this.allocate(dtype, sizeOf(shape), "write");
    if (values.length > 0) this.heap.write(buffer.ptr, values, dtype);
    return buffer;
  }

  /** A copy of the buffer's values: the caller resumes later, when a view could be stale. */
  async read(dataId: DataId): Promise<DataArray> {
    const buffer = dataId as WasmBuffer;
    return this.heap.read(this.heap.pointer(buffer, "read"), buffer.dtype, buffer.size);
  }

  /**
   * The buffer's values as a view of the heap (no copy): valid until the next call into
   * the backend (a write, a kernel, a dispose, memory growth), as contract v2 allows;
   * core copies what it keeps.
   */
  readSync(dataId: DataId): DataArray {
    const buffer = dataId as WasmBuffer;
    return this.heap.view(this.heap.pointer(buffer, "read"), buffer.dtype, buffer.size);
  }

  disposeData(dataId: DataId): void {
    const buffer = dataId as WasmBuffer;
    if (!(buffer instanceof WasmBuffer) || !buffer.live) return;
    buffer.live = false;
    this.heap.free(buffer.ptr);
    this.#numBuffers--;
    this.#numBytes -= buffer.bytes;
  }

  memory(): BackendMemory {
    return { numBytes: this.#numBytes, numBuffers: this.#numBuffers };
  }

  /** One wasm call per fused elementwise cluster (a small op program interpreted in C). */
  compileFused(cluster: FusedCluster): KernelFn | undefined {
    return compileFusedCluster(cluster) as KernelFn | undefined;
  }

  /** Stops the worker threads; buffers are forgotten with the memory. */
  dispose(): void {
    this.module.dispose();
    this.#numBuffers = 0;
    this.#numBytes = 0;
  }
}
