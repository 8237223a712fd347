import { BackendError } from "@kiln/core";
import { ArgFrame } from "./arg_frame.js";
import { compileBinary, defaultBinaryUrl, isRelaxed, isThreaded, type WasmVariant } from "./binaries.js";
import type { KilnExports } from "./exports.js";
import { detectFeatures, isNode, type WasmFeatures } from "./features.js";
import { Heap } from "./heap.js";
import { type PoolWorker, type SpawnWorker, type WorkerStart, workerSpawner } from "./workers.js";

/** Bytes of stack for each worker thread. */
const WORKER_STACK_BYTES = 256 * 1024;
const PAGE = 65536;

/** How to load the module (all optional). */
export interface ModuleOptions {
  /** Force a variant; by default threads when the engine allows them, relaxed SIMD likewise (see `relaxedSimd`). */
  readonly variant?: WasmVariant;
  /**
   * Whether the default variant may use relaxed SIMD where the engine runs it (default
   * true): fused multiply-adds make exp, tanh, sigmoid and their kin faster, and round
   * differently (within the same few ulps) on CPUs with and without FMA. false keeps results
   * the same bits on every machine.
   */
  readonly relaxedSimd?: boolean;
  /** Threads for kernels (the calling thread included); default: the machine's cores, at most 8. */
  readonly threads?: number;
  /** Where the binaries are; default: this package's `wasm/` folder. */
  readonly binaryUrls?: Partial<Record<WasmVariant, URL | string>>;
  /** Upper bound of the heap in bytes (default and maximum: 4 GiB, the wasm32 limit). */
  readonly maxMemoryBytes?: number;
}

/**
 * An instantiated kernel module: its exports, its memory (seen through `heap`), the
 * argument frame, and the worker threads that share the memory. Workers start in the
 * background: kernels run on the calling thread until a worker runs its loop, and it joins
 * the next parallel loop from then on (it counts itself in, so in Node a program that never
 * yields to the event loop gets it too; a browser may start a worker only once the page
 * yields). `workersReady` settles when every worker runs.
 *
 * ```ts
 * const module = await WasmModule.load({ threads: 2 });
 * await module.workersReady; // only to be sure both threads take part from the first kernel
 * module.exports.kiln_ew_same(...);
 * ```
 */
export class WasmModule {
  readonly frame: ArgFrame;
  /** Resolves when every worker runs its loop; rejects when one fails to start. */
  readonly workersReady: Promise<void>;
  #threads = 1;
  #spawned = 0;
  #workers: PoolWorker[] = [];
  #workerError: string | undefined;
  #disposed = false;

  private constructor(
    readonly variant: WasmVariant,
    readonly features: WasmFeatures,
    readonly exports: KilnExports,
    readonly heap: Heap,
    readonly compiled: WebAssembly.Module,
    starts: readonly WorkerStart[],
    spawn: SpawnWorker | undefined,
  ) {
    this.frame = new ArgFrame(heap);
    const started = starts.map((start) => {
      this.exports.kiln_worker_spawned();
      this.#spawned++;
      return spawn!(start).then((worker) => this.#adopt(worker));
    });
    this.workersReady = Promise.all(started).then(
      () => undefined,
      (error: unknown) => {
        this.#workerError = `a worker thread failed to start: ${error instanceof Error ? error.message : String(error)}`;
        throw new BackendError(`wasm backend: ${this.#workerError}`);
      },
    );
    // Handled here so that an unobserved failure does not end the process; kernels go on with the workers that run.
    this.workersReady.catch(() => undefined);
  }

  /** Keeps a started worker, or stops it when the module was disposed meanwhile. */
  #adopt(worker: PoolWorker): void {
    if (this.#disposed) worker.terminate();
    else this.#workers.push(worker);
  }

  /** Why a worker is missing, when one failed to start. */
  get workerError(): string | undefined {
    return this.#workerError;
  }

  /** Threads kernels are set to use (the calling thread included); workers still starting join when they run. */
  get threads(): number {
    return this.#threads;
  }

  /** Sets the threads kernels use, between 1 and the spawned workers + 1 (those still starting join when they run); returns the count in effect. */
  setThreads(threads: number): number {
    const wanted = Number.isFinite(threads) ? Math.max(1, Math.floor(threads)) : this.#spawned + 1;
    this.#threads = this.exports.kiln_set_threads(Math.min(wanted, this.#spawned + 1));
    return this.#threads;
  }

  /** Loads, compiles and instantiates the chosen binary, and starts its worker threads (without waiting for them). */
  static async load(options: ModuleOptions = {}): Promise<WasmModule> {
    const features = detectFeatures();
    if (!features.simd) {
      throw new BackendError("wasm backend: this engine lacks WebAssembly SIMD128 (Node 16.4+, Chrome 91+, Firefox 89+, Safari 16.4+)");
    }
    const wanted = Math.max(1, Math.floor(options.threads ?? (await defaultThreads())));
    const variant = chooseVariant(features, wanted, options);
    const compiled = await compileBinary(options.binaryUrls?.[variant] ?? defaultBinaryUrl(variant));
    const maxPages = Math.min(65536, Math.floor((options.maxMemoryBytes ?? 4 * 1024 ** 3) / PAGE));
    const memory = createMemory(isThreaded(variant), maxPages);
    const instance = new WebAssembly.Instance(compiled, { env: { memory } });
    const exports = instance.exports as unknown as KilnExports;
    exports.kiln_set_memory_limit(maxPages);
    const heap = new Heap(memory, exports);
    const starts: WorkerStart[] = [];
    if (isThreaded(variant)) {
      exports.kiln_set_main_can_block(isNode() ? 1 : 0);
      for (let thread = 1; thread < wanted; thread++) {
        const stack = heap.alloc(WORKER_STACK_BYTES, "worker stack");
        starts.push({ module: compiled, memory, stackTop: stack + WORKER_STACK_BYTES, thread });
      }
    }
    const spawn = starts.length > 0 ? await workerSpawner() : undefined;
    const module = new WasmModule(variant, features, exports, heap, compiled, starts, spawn);
    module.setThreads(wanted);
    return module;
  }

  /** Stops the worker threads. The module must not be used afterwards. */
  dispose(): void {
    this.#disposed = true;
    for (const worker of this.#workers) worker.terminate();
    this.#workers.length = 0;
  }
}

/**
 * The binary to load: `options.variant` when given (a `BackendError` when the engine
 * cannot run it), otherwise threads when the engine has them and more than one thread is
 * wanted, with relaxed SIMD when the engine runs it, `options.relaxedSimd` is not false and,
 * if `options.binaryUrls` says where binaries are, it lists the relaxed one too (an app that
 * hosts only the plain binaries, as before relaxed ones existed, keeps loading those).
 *
 * ```ts
 * chooseVariant({ simd: true, relaxedSimd: true, threads: true }, 2, {}); // "relaxed-simd-threads"
 * chooseVariant({ simd: true, relaxedSimd: true, threads: true }, 1, { relaxedSimd: false }); // "simd"
 * ```
 */
export function chooseVariant(
  features: WasmFeatures,
  threads: number,
  options: Pick<ModuleOptions, "variant" | "relaxedSimd" | "binaryUrls">,
): WasmVariant {
  const forced = options.variant;
  if (forced !== undefined) {
    if (isThreaded(forced) && !features.threads) {
      throw new BackendError(`wasm backend: the threaded binary (variant "${forced}") cannot run here: ${features.threadsUnavailable}`);
    }
    if (isRelaxed(forced) && !features.relaxedSimd) {
      throw new BackendError(
        `wasm backend: variant "${forced}" needs relaxed SIMD, which this engine does not run (Node 22+, Chrome 114+, Firefox 146+; Node 20 with --experimental-wasm-relaxed-simd); use "${forced.slice("relaxed-".length)}"`,
      );
    }
    return forced;
  }
  const base = features.threads && threads > 1 ? "simd-threads" : "simd";
  const relaxed = `relaxed-${base}` as const;
  const hosted = options.binaryUrls === undefined || options.binaryUrls[relaxed] !== undefined;
  return features.relaxedSimd && options.relaxedSimd !== false && hosted ? relaxed : base;
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
