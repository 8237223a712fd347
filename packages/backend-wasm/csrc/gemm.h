/*
 * float32 GEMM, C = A B, shared by matmul and the convolutions. A and B are read through
 * packing functions, so a convolution can hand the GEMM an image as its (virtual) im2col
 * matrix without materialising it.
 */
#ifndef KILN_GEMM_H
#define KILN_GEMM_H

#include "kiln.h"

/* Micro-tile: GEMM_MR rows x GEMM_NR columns of C in registers (10 of x86-64's 16 vector registers). */
#define GEMM_MR 5
#define GEMM_NR 8
/* Slab depth (a B panel of GEMM_KC x GEMM_NR floats is 8 KiB, kept in L1) and rows per A block (L2). */
#define GEMM_KC 256
#define GEMM_MC 80

/*
 * Packs rows [i0, i0 + mc) x columns [p0, p0 + kc) of A into `dst` as tiles of GEMM_MR
 * rows: tile t holds, for each column p, the MR values A(i0 + t*MR + r, p0 + p). Rows at
 * or past `m` are zero.
 */
/*
 * Interleaves GEMM_MR rows of `kc` values into one A tile: dst[p * GEMM_MR + r] = rows[r][p].
 * The packing functions of matmul and convolution end here.
 *
 *   const float* rows[GEMM_MR] = {r0, r1, r2, r3, r4};
 *   gemm_pack_a_rows(rows, tile, 256); // tile[0..4] = r0[0], r1[0], ..., r4[0]
 */
void gemm_pack_a_rows(const float* const rows[GEMM_MR], float* dst, uint32_t kc);

typedef void (*gemm_pack_a)(const void* source, float* dst, uint32_t m, uint32_t i0, uint32_t mc, uint32_t p0, uint32_t kc);

/*
 * Packs rows [p0, p0 + kc) x columns [j0, j0 + nc) of B into `dst` as panels of GEMM_NR
 * columns: panel q holds, for each row p, the NR values B(p0 + p, j0 + q*NR + c). Columns
 * at or past `n` are zero.
 */
typedef void (*gemm_pack_b)(const void* source, float* dst, uint32_t n, uint32_t p0, uint32_t kc, uint32_t j0, uint32_t nc);

/* A strided matrix: element (i, j) is data[i * row_stride + j * col_stride]. */
typedef struct {
  const float* data;
  int32_t row_stride;
  int32_t col_stride;
} StridedMatrix;

void gemm_pack_a_strided(const void* source, float* dst, uint32_t m, uint32_t i0, uint32_t mc, uint32_t p0, uint32_t kc);
void gemm_pack_b_strided(const void* source, float* dst, uint32_t n, uint32_t p0, uint32_t kc, uint32_t j0, uint32_t nc);

typedef struct {
  uint32_t m, n, k;
  gemm_pack_a pack_a;
  const void* a;
  gemm_pack_b pack_b;
  const void* b;
  float* c;
  uint32_t ldc;
} GemmProblem;

/*
 * C = A B (C is overwritten), using up to `threads` threads. Returns KILN_ERR_NO_MEMORY
 * when the packing buffers cannot be allocated.
 */
int32_t kiln_gemm(const GemmProblem* problem, uint32_t threads);

/* Bytes of packing buffers one single-threaded kiln_gemm_into call needs. */
uint32_t gemm_scratch_bytes(uint32_t n, uint32_t k);

/* C = A B on the calling thread only, with packing buffers from the caller (gemm_scratch_bytes). */
void kiln_gemm_into(const GemmProblem* problem, float* scratch);

/* Threads worth using for an m x n x k product. */
uint32_t gemm_threads(uint32_t m, uint32_t n, uint32_t k);

#endif
