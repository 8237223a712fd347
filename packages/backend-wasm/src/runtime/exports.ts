/**
 * The functions and globals the wasm binaries export (csrc/*.c, `KILN_EXPORT`). Pointers
 * are byte offsets into the module's memory, passed as i32 (values above 2 GiB arrive
 * negative in JS: read them with `>>> 0`). Kernels return a status code: 0 on success,
 * otherwise a `KILN_ERR_*` code with details in the error record.
 */
export interface KilnExports {
  readonly __stack_pointer: WebAssembly.Global;
  readonly __heap_base: WebAssembly.Global;
  kiln_alloc(bytes: number): number;
  kiln_free(ptr: number): void;
  kiln_set_memory_limit(pages: number): void;
  kiln_heap_stats(): number;
  kiln_error_record(): number;
  kiln_set_threads(threads: number): number;
  kiln_worker_spawned(): void;
  kiln_workers_ready(): number;
  kiln_set_main_can_block(can: number): void;
  kiln_worker_main?(thread: number): void;
  kiln_thread_chunks(): number;
  kiln_ew_same(
    kernel: number,
    out: number,
    outSize: number,
    in0: number,
    size0: number,
    in1: number,
    size1: number,
    in2: number,
    size2: number,
    n: number,
    arity: number,
  ): number;
  kiln_ew_strided(frame: number): number;
  kiln_ew_program(frame: number): number;
  /** Pointer to two u32: register runs formed in fused programs so far, and the ops they hold. */
  kiln_ew_run_stats(): number;
  kiln_fill(dst: number, size: number, bits: number, n: number): void;
  kiln_copy(dst: number, src: number, bytes: number): void;
  kiln_strided_copy(frame: number): number;
  kiln_range(out: number, isFloat: number, start: number, step: number, n: number): void;
  kiln_linspace(out: number, start: number, stop: number, n: number): void;
  kiln_eye(out: number, size: number, one: number, batch: number, rows: number, cols: number): void;
  kiln_gather(
    out: number,
    params: number,
    indices: number,
    size: number,
    batch: number,
    outer: number,
    dim: number,
    inner: number,
    count: number,
  ): number;
  kiln_gather_nd(frame: number): number;
  kiln_one_hot(out: number, indices: number, n: number, depth: number, size: number, on: number, off: number): void;
  kiln_random_uniform(out: number, n: number, k0: number, k1: number, minval: number, maxval: number, below: number): void;
  kiln_random_uniform_int(out: number, n: number, k0: number, k1: number, minval: number, maxval: number): void;
  kiln_random_normal(out: number, n: number, k0: number, k1: number, mean: number, stdDev: number, truncated: number): void;
  kiln_stateless_uniform(out: number, n: number, seed: number, minval: number, maxval: number, below: number): void;
  kiln_stateless_uniform_int(out: number, n: number, seed: number, minval: number, maxval: number): void;
  kiln_stateless_normal(out: number, n: number, seed: number, mean: number, stdDev: number, truncated: number): void;
  kiln_reduce(frame: number): number;
  kiln_arg_reduce(out: number, src: number, dtype: number, isMax: number, outer: number, size: number, inner: number): void;
  kiln_top_k(values: number, indices: number, src: number, dtype: number, rows: number, n: number, k: number): number;
  kiln_cumsum(
    out: number,
    src: number,
    isFloat: number,
    outer: number,
    size: number,
    inner: number,
    exclusive: number,
    reverse: number,
  ): number;
  kiln_conv2d(frame: number): number;
  kiln_depthwise(frame: number): number;
  kiln_pool(frame: number): number;
  kiln_pool_grad(frame: number): number;
  kiln_probe_peak(panels: number, rounds: number): number;
  kiln_probe_read(x: number, n: number): number;
  kiln_matmul_f32(frame: number): number;
  kiln_matmul_i32(frame: number): number;
  [name: string]: unknown;
}

/** Status codes of csrc/kiln.h. */
export const STATUS = { ok: 0, noMemory: 1, index: 2, argument: 3 } as const;
