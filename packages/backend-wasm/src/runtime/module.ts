import { BackendError } from "@kiln/core";
import { ArgFrame } from "./arg_frame.js";
import { compileBinary, defaultBinaryUrl, type WasmVariant } from "./binaries.js";
import type { KilnExports } from "./exports.js";
import { detectFeatures, isNode, type WasmFeatures } from "./features.js";
import { Heap } from "./heap.js";
import { type PoolWorker, startWorker } from "./workers.js";

/** Bytes of stack for each worker thread. */
const WORKER_STACK_BYTES = 256 * 1024;
const PAGE = 65536;

/** How to load the module (all optional). */
export interface ModuleOptions {
  /** Force a variant; by default threads when the engine allows them. */
  readonly variant?: WasmVariant;
  /** Threads for kernels (the calling thread included); default: the machine's cores, at most 8. */
  readonly threads?: number;
  /** Where the binaries are; default: this package's `wasm/` folder. */
  readonly binaryUrls?: Partial<Record<WasmVariant, URL | string>>;
  /** Upper bound of the heap in bytes (default and maximum: 4 GiB, the wasm32 limit). */
  readonly maxMemoryBytes?: number;
}

/**
 * An instantiated kernel module: its exports, its memory (seen through `heap`), the
 * argument frame, and the worker threads that share the memory.
 *
 * ```ts
 * const module = await WasmModule.load({ threads: 2 });
 * module.exports.kiln_ew_same(...);
 * ```
 */
export class WasmModule {
  readonly frame: ArgFrame;
  #threads = 1;

  private constructor(
    readonly variant: WasmVariant,
    readonly features: WasmFeatures,
    readonly exports: KilnExports,
    readonly heap: Heap,
    readonly workers: PoolWorker[],
    readonly compiled: WebAssembly.Module,
  ) {
    this.frame = new ArgFrame(heap);
  }

  /** Threads kernels use now (the calling thread included). */
  get threads(): number {
    return this.#threads;
  }

  /** Sets the threads kernels use, between 1 and the started workers + 1; returns the count in effect. */
  setThreads(threads: number): number {
    const wanted = Number.isFinite(threads) ? Math.max(1, Math.floor(threads)) : this.workers.length + 1;
    this.#threads = this.exports.kiln_set_threads(Math.min(wanted, this.workers.length + 1));
    return this.#threads;
  }

  /** Loads, compiles and instantiates the chosen binary, and starts its worker threads. */
  static async load(options: ModuleOptions = {}): Promise<WasmModule> {
    const features = detectFeatures();
    if (!features.simd) {
      throw new BackendError("wasm backend: this engine lacks WebAssembly SIMD128 (Node 16.4+, Chrome 91+, Firefox 89+, Safari 16.4+)");
    }
    const wanted = Math.max(1, Math.floor(options.threads ?? (await defaultThreads())));
    const variant = options.variant ?? (features.threads && wanted > 1 ? "simd-threads" : "simd");
    if (variant === "simd-threads" && !features.threads) {
      throw new BackendError(`wasm backend: the threaded binary cannot run here: ${features.threadsUnavailable}`);
    }
    const compiled = await compileBinary(options.binaryUrls?.[variant] ?? defaultBinaryUrl(variant));
    const maxPages = Math.min(65536, Math.floor((options.maxMemoryBytes ?? 4 * 1024 ** 3) / PAGE));
    const memory = createMemory(variant === "simd-threads", maxPages);
    const instance = new WebAssembly.Instance(compiled, { env: { memory } });
    const exports = instance.exports as unknown as KilnExports;
    exports.kiln_set_memory_limit(maxPages);
    const heap = new Heap(memory, exports);
    const workers: PoolWorker[] = [];
    const module = new WasmModule(variant, features, exports, heap, workers, compiled);
    if (variant === "simd-threads") {
      exports.kiln_set_main_can_block(isNode() ? 1 : 0);
      for (let thread = 1; thread < wanted; thread++) {
        const stack = heap.alloc(WORKER_STACK_BYTES, "worker stack");
        workers.push(await startWorker({ module: compiled, memory, stackTop: stack + WORKER_STACK_BYTES, thread }));
        exports.kiln_worker_started();
      }
    }
    module.setThreads(wanted);
    return module;
  }

  /** Stops the worker threads. The module must not be used afterwards. */
  dispose(): void {
    for (const worker of this.workers) worker.terminate();
    this.workers.length = 0;
  }
}

/** The machine's cores (at most 8): more threads rarely help memory-bound kernels. */
async function defaultThreads(): Promise<number> {
  let cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  if (isNode()) {
    const name = "node:os";
    const os = (await import(/* @vite-ignore */ name)) as typeof import("node:os");
    cores = os.availableParallelism();
  }
  return Math.max(1, Math.min(8, cores));
}

/**
 * A memory of 32 MiB that may grow to `maxPages`. A shared memory reserves its maximum up
 * front, which some engines refuse for 4 GiB: the maximum is halved until one is accepted.
 */
function createMemory(shared: boolean, maxPages: number): WebAssembly.Memory {
  const initial = Math.min(512, maxPages);
  for (let maximum = maxPages; ; maximum = Math.floor(maximum / 2)) {
    try {
      return new WebAssembly.Memory({ initial, maximum, shared });
    } catch (error) {
      if (maximum / 2 < initial) throw error;
    }
  }
}
