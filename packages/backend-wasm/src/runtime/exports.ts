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
  kiln_worker_started(): void;
  kiln_set_main_can_block(can: number): void;
  kiln_worker_main?(thread: number): void;
  kiln_ew_same(kernel: number, out: number, outSize: number, in0: number, size0: number, in1: number, size1: number, in2: number, size2: number, n: number, arity: number): number;
  kiln_ew_strided(frame: number): number;
  kiln_ew_program(frame: number): number;
  [name: string]: unknown;
}

/** Status codes of csrc/kiln.h. */
export const STATUS = { ok: 0, noMemory: 1, index: 2, argument: 3 } as const;
