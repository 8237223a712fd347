/*
 * Shared definitions for every kernel family: exports, status codes, the error record the
 * TypeScript wrappers read, and small helpers. Kernels never allocate output buffers: the
 * wrapper hands them pointers; scratch memory comes from kiln_scratch (alloc.c).
 */
#ifndef KILN_H
#define KILN_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <wasm_simd128.h>

#define KILN_EXPORT(name) __attribute__((export_name(#name))) name
#define KILN_INLINE static inline __attribute__((always_inline))
#define KILN_NOINLINE __attribute__((noinline))

/* Status codes returned by kernels; 0 is success. The wrapper turns the others into KilnErrors. */
enum {
  KILN_OK = 0,
  KILN_ERR_NO_MEMORY = 1,   /* scratch allocation failed: detail[0] = bytes requested */
  KILN_ERR_INDEX = 2,       /* an index out of range: detail = [position, value, bound, entry] */
  KILN_ERR_ARGUMENT = 3,    /* a bad argument the TS side did not catch: detail[0] = which */
};

/* The detail of the last error, read by the wrapper (static, so its address is fixed). */
extern int32_t kiln_error_detail[8];

/* Scratch memory for one kernel call (GEMM panels, im2col chunks); NULL when the heap is full. */
void* kiln_scratch_alloc(uint32_t bytes);
void kiln_scratch_free(void* ptr);

/* Element sizes by dtype code (0 float32, 1 int32, 2 bool). */
KILN_INLINE uint32_t kiln_dtype_size(int32_t dtype) { return dtype == 2 ? 1u : 4u; }

#define KILN_MIN(a, b) ((a) < (b) ? (a) : (b))
#define KILN_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
