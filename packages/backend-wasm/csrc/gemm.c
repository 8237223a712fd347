/*
 * The float32 GEMM behind matmul and convolution (Goto's algorithm): B is packed into
 * column panels of 8 (KC rows deep), A into tiles of 5 rows, and a 5x8 micro-kernel keeps
 * the 5x8 block of C in 10 SIMD registers while it streams both panels: per step it loads
 * two vectors of B, splat-loads five values of A (v128.load32_splat), and does 10
 * multiplies and 10 adds. 10 accumulators + 2 B vectors + 1 splat + 1 product fit the 15
 * vector registers V8 allocates on x86-64 (it keeps one as scratch). Measured in V8 on
 * L1-resident panels: 4x8 43.5 GFLOP/s, 5x8 47.5 (the loop's load, pointer and
 * stack-check instructions are spread over 20 instead of 16 arithmetic ones), 6x8 29
 * (spills); unrolling the k loop makes clang hoist the next step's B loads, which spills.
 *
 * Loop order: for each KC-deep slab, B is packed once (threads share it), then threads
 * take blocks of MC rows (and, when M is short, slices of the column panels), pack their
 * A block into their own buffer and sweep it against the panels: a B panel (8 KiB) stays
 * in L1 while the A block (80 KiB) streams from L2.
 *
 * Each C element is summed in the same order whatever the thread count, so one and two
 * threads give bit-identical results.
 */
#include "gemm.h"
#include "threads.h"

/* ---- packing of strided matrices ---- */

_Static_assert(GEMM_MR == 5, "gemm_pack_a_rows and the micro-kernel are written for 5-row tiles");

void gemm_pack_a_rows(const float* const rows[GEMM_MR], float* dst, uint32_t kc) {
  const float *r0 = rows[0], *r1 = rows[1], *r2 = rows[2], *r3 = rows[3], *r4 = rows[4];
  uint32_t p = 0;
  /* Rows 0-3 by 4x4 transposes (unaligned stores: a tile step is 5 floats), row 4 by lanes. */
  for (; p + 4 <= kc; p += 4) {
    v128_t x0 = wasm_v128_load(r0 + p), x1 = wasm_v128_load(r1 + p), x2 = wasm_v128_load(r2 + p), x3 = wasm_v128_load(r3 + p);
    v128_t t0 = wasm_i32x4_shuffle(x0, x1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(x2, x3, 0, 4, 1, 5);
    v128_t t2 = wasm_i32x4_shuffle(x0, x1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(x2, x3, 2, 6, 3, 7);
    float* d = dst + p * GEMM_MR;
    wasm_v128_store(d, wasm_i64x2_shuffle(t0, t1, 0, 2));
    d[4] = r4[p];
    wasm_v128_store(d + GEMM_MR, wasm_i64x2_shuffle(t0, t1, 1, 3));
    d[GEMM_MR + 4] = r4[p + 1];
    wasm_v128_store(d + 2 * GEMM_MR, wasm_i64x2_shuffle(t2, t3, 0, 2));
    d[2 * GEMM_MR + 4] = r4[p + 2];
    wasm_v128_store(d + 3 * GEMM_MR, wasm_i64x2_shuffle(t2, t3, 1, 3));
    d[3 * GEMM_MR + 4] = r4[p + 3];
  }
  for (; p < kc; p++) {
    float* d = dst + p * GEMM_MR;
    d[0] = r0[p];
    d[1] = r1[p];
    d[2] = r2[p];
    d[3] = r3[p];
    d[4] = r4[p];
  }
}

void gemm_pack_a_strided(const void* source, float* dst, uint32_t m, uint32_t i0, uint32_t mc, uint32_t p0, uint32_t kc) {
  const StridedMatrix* a = (const StridedMatrix*)source;
  for (uint32_t t = 0; t < mc; t += GEMM_MR, dst += (size_t)kc * GEMM_MR) {
    uint32_t i = i0 + t;
    uint32_t rows = m > i ? KILN_MIN(GEMM_MR, m - i) : 0;
    if (rows == GEMM_MR && a->col_stride == 1) {
      /* Row-major A. */
      const float* r[GEMM_MR];
      for (uint32_t q = 0; q < GEMM_MR; q++) r[q] = a->data + (size_t)(i + q) * a->row_stride + p0;
      gemm_pack_a_rows(r, dst, kc);
    } else if (rows == GEMM_MR && a->row_stride == 1) {
      /* Column-major A (a transposed operand): five consecutive values per column. */
      const float* src = a->data + i + (size_t)p0 * a->col_stride;
      for (uint32_t p = 0; p < kc; p++, src += a->col_stride) {
        wasm_v128_store(dst + p * GEMM_MR, wasm_v128_load(src));
        dst[p * GEMM_MR + 4] = src[4];
      }
    } else {
      for (uint32_t p = 0; p < kc; p++) {
        for (uint32_t r = 0; r < GEMM_MR; r++) {
          dst[p * GEMM_MR + r] = r < rows ? a->data[(size_t)(i + r) * a->row_stride + (size_t)(p0 + p) * a->col_stride] : 0.0f;
        }
      }
    }
  }
}

void gemm_pack_b_strided(const void* source, float* dst, uint32_t n, uint32_t p0, uint32_t kc, uint32_t j0, uint32_t nc) {
  const StridedMatrix* b = (const StridedMatrix*)source;
  for (uint32_t q = 0; q < nc; q += GEMM_NR, dst += (size_t)kc * GEMM_NR) {
    uint32_t j = j0 + q;
    uint32_t cols = n > j ? KILN_MIN(GEMM_NR, n - j) : 0;
    if (cols == GEMM_NR && b->col_stride == 1) {
      const float* src = b->data + (size_t)p0 * b->row_stride + j;
      for (uint32_t p = 0; p < kc; p++, src += b->row_stride) {
        wasm_v128_store(dst + p * 8, wasm_v128_load(src));
        wasm_v128_store(dst + p * 8 + 4, wasm_v128_load(src + 4));
      }
    } else if (cols == GEMM_NR && b->row_stride == 1) {
      /* Column-major B: each column is contiguous along p; transpose 4x4 blocks. */
      for (uint32_t half = 0; half < 2; half++) {
        const float* c0 = b->data + (size_t)(j + half * 4) * b->col_stride + p0;
        const float* c1 = c0 + b->col_stride;
        const float* c2 = c1 + b->col_stride;
        const float* c3 = c2 + b->col_stride;
        uint32_t p = 0;
        for (; p + 4 <= kc; p += 4) {
          v128_t x0 = wasm_v128_load(c0 + p), x1 = wasm_v128_load(c1 + p), x2 = wasm_v128_load(c2 + p), x3 = wasm_v128_load(c3 + p);
          v128_t t0 = wasm_i32x4_shuffle(x0, x1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(x2, x3, 0, 4, 1, 5);
          v128_t t2 = wasm_i32x4_shuffle(x0, x1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(x2, x3, 2, 6, 3, 7);
          float* d = dst + p * 8 + half * 4;
          wasm_v128_store(d, wasm_i64x2_shuffle(t0, t1, 0, 2));
          wasm_v128_store(d + 8, wasm_i64x2_shuffle(t0, t1, 1, 3));
          wasm_v128_store(d + 16, wasm_i64x2_shuffle(t2, t3, 0, 2));
          wasm_v128_store(d + 24, wasm_i64x2_shuffle(t2, t3, 1, 3));
        }
        for (; p < kc; p++) {
          float* d = dst + p * 8 + half * 4;
          d[0] = c0[p];
          d[1] = c1[p];
          d[2] = c2[p];
          d[3] = c3[p];
        }
      }
    } else {
      for (uint32_t p = 0; p < kc; p++) {
        for (uint32_t c = 0; c < GEMM_NR; c++) {
          dst[p * 8 + c] = c < cols ? b->data[(size_t)(p0 + p) * b->row_stride + (size_t)(j + c) * b->col_stride] : 0.0f;
        }
      }
    }
  }
}

/* ---- micro-kernel ---- */

/* One step of a C row: its two accumulators += A value r of the step times the B vectors. */
#define GEMM_ROW_STEP(r)                                        \
  do {                                                          \
    v128_t ar = wasm_v128_load32_splat(a + (r));                \
    c##r##0 = wasm_f32x4_add(c##r##0, wasm_f32x4_mul(ar, b0)); \
    c##r##1 = wasm_f32x4_add(c##r##1, wasm_f32x4_mul(ar, b1)); \
  } while (0)

/* Row r of the tile to C (row stride ldc), added to what C holds when accumulating. */
#define GEMM_ROW_STORE(r)                                                     \
  do {                                                                        \
    float* cr = c + (size_t)(r) * ldc;                                        \
    if (accumulate) {                                                         \
      c##r##0 = wasm_f32x4_add(c##r##0, wasm_v128_load(cr));                  \
      c##r##1 = wasm_f32x4_add(c##r##1, wasm_v128_load(cr + 4));              \
    }                                                                         \
    wasm_v128_store(cr, c##r##0);                                             \
    wasm_v128_store(cr + 4, c##r##1);                                         \
  } while (0)

/* c (5 x 8, row stride ldc) = or += an A tile (kc x 5) times a B panel (kc x 8). */
static KILN_NOINLINE void micro_5x8(uint32_t kc, const float* a, const float* b, float* c, uint32_t ldc, int accumulate) {
  v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00;
  for (uint32_t p = 0; p < kc; p++, a += GEMM_MR, b += GEMM_NR) {
    v128_t b0 = wasm_v128_load(b);
    v128_t b1 = wasm_v128_load(b + 4);
    GEMM_ROW_STEP(0);
    GEMM_ROW_STEP(1);
    GEMM_ROW_STEP(2);
    GEMM_ROW_STEP(3);
    GEMM_ROW_STEP(4);
  }
  GEMM_ROW_STORE(0);
  GEMM_ROW_STORE(1);
  GEMM_ROW_STORE(2);
  GEMM_ROW_STORE(3);
  GEMM_ROW_STORE(4);
}

/* A partial tile (fewer than 5 rows or 8 columns): computed in a buffer, then copied. */
static void micro_edge(uint32_t kc, const float* a, const float* b, float* c, uint32_t ldc, uint32_t rows, uint32_t cols, int accumulate) {
  float tile[GEMM_MR * GEMM_NR];
  micro_5x8(kc, a, b, tile, GEMM_NR, 0);
  for (uint32_t r = 0; r < rows; r++) {
    for (uint32_t j = 0; j < cols; j++) {
      float v = tile[r * GEMM_NR + j];
      c[(size_t)r * ldc + j] = accumulate ? c[(size_t)r * ldc + j] + v : v;
    }
  }
}

/* ---- the blocked product ---- */

typedef struct {
  const GemmProblem* problem;
  float* packed_b;      /* kc x n_padded for the current slab */
  float* packed_a;      /* per thread: GEMM_MC x GEMM_KC */
  uint32_t p0, kc;
  uint32_t mc; /* rows per A block: GEMM_MC, or fewer so that threads get enough blocks */
  uint32_t m_blocks, n_slices, panels_per_slice;
} Slab;

static void pack_b_task(void* context, uint32_t begin, uint32_t end, uint32_t thread) {
  (void)thread;
  Slab* slab = (Slab*)context;
  const GemmProblem* g = slab->problem;
  /* Tasks are panels of GEMM_NR columns. */
  uint32_t j0 = begin * GEMM_NR;
  uint32_t nc = (end - begin) * GEMM_NR;
  g->pack_b(g->b, slab->packed_b + (size_t)begin * slab->kc * GEMM_NR, g->n, slab->p0, slab->kc, j0, nc);
}

static void block_task(void* context, uint32_t begin, uint32_t end, uint32_t thread) {
  Slab* slab = (Slab*)context;
  const GemmProblem* g = slab->problem;
  float* packed_a = slab->packed_a + (size_t)thread * GEMM_MC * GEMM_KC;
  uint32_t packed_block = 0xffffffffu;
  uint32_t panels = (g->n + GEMM_NR - 1) / GEMM_NR;
  int accumulate = slab->p0 > 0;
  for (uint32_t task = begin; task < end; task++) {
    uint32_t block = task / slab->n_slices;
    uint32_t slice = task % slab->n_slices;
    uint32_t i0 = block * slab->mc;
    uint32_t mc = KILN_MIN(slab->mc, g->m - i0);
    if (block != packed_block) {
      g->pack_a(g->a, packed_a, g->m, i0, (mc + GEMM_MR - 1) / GEMM_MR * GEMM_MR, slab->p0, slab->kc);
      packed_block = block;
    }
    uint32_t q_begin = slice * slab->panels_per_slice;
    uint32_t q_end = KILN_MIN(panels, q_begin + slab->panels_per_slice);
    for (uint32_t q = q_begin; q < q_end; q++) {
      const float* bp = slab->packed_b + (size_t)q * slab->kc * GEMM_NR;
      uint32_t j = q * GEMM_NR;
      uint32_t cols = KILN_MIN(GEMM_NR, g->n - j);
      for (uint32_t ir = 0; ir < mc; ir += GEMM_MR) {
        const float* ap = packed_a + (size_t)ir * slab->kc;
        float* c = g->c + (size_t)(i0 + ir) * g->ldc + j;
        uint32_t rows = KILN_MIN(GEMM_MR, mc - ir);
        if (rows == GEMM_MR && cols == GEMM_NR) micro_5x8(slab->kc, ap, bp, c, g->ldc, accumulate);
        else micro_edge(slab->kc, ap, bp, c, g->ldc, rows, cols, accumulate);
      }
    }
  }
}

uint32_t gemm_threads(uint32_t m, uint32_t n, uint32_t k) {
  /* About 2 MFLOP per extra thread covers waking it. */
  double flops = 2.0 * m * n * k;
  return kiln_threads_for_work(flops / 1e5);
}

/* Zeroes C for a product with k = 0; returns whether there is nothing else to do. */
static int trivial(const GemmProblem* g) {
  if (g->m == 0 || g->n == 0) return 1;
  if (g->k != 0) return 0;
  for (uint32_t i = 0; i < g->m; i++) memset(g->c + (size_t)i * g->ldc, 0, g->n * sizeof(float));
  return 1;
}

uint32_t gemm_scratch_bytes(uint32_t n, uint32_t k) {
  uint32_t panels = (n + GEMM_NR - 1) / GEMM_NR;
  uint32_t kc_max = KILN_MIN(GEMM_KC, KILN_MAX(k, 1));
  return (panels * GEMM_NR * kc_max + GEMM_MC * GEMM_KC) * (uint32_t)sizeof(float);
}

static void run_slabs(Slab* slab, uint32_t panels, uint32_t threads) {
  const GemmProblem* g = slab->problem;
  /* Slabs of equal depth (784 = 4 x 196, not 3 x 256 + 16): no short last slab. */
  uint32_t slabs = (g->k + GEMM_KC - 1) / GEMM_KC;
  uint32_t depth = (g->k + slabs - 1) / slabs;
  for (uint32_t p0 = 0; p0 < g->k; p0 += depth) {
    slab->p0 = p0;
    slab->kc = KILN_MIN(depth, g->k - p0);
    if (threads <= 1) {
      pack_b_task(slab, 0, panels, 0);
      block_task(slab, 0, slab->m_blocks * slab->n_slices, 0);
    } else {
      kiln_parallel_for(pack_b_task, slab, panels, panels >= 8 * threads ? threads : 1);
      kiln_parallel_for(block_task, slab, slab->m_blocks * slab->n_slices, threads);
    }
  }
}

void kiln_gemm_into(const GemmProblem* g, float* scratch) {
  if (trivial(g)) return;
  uint32_t panels = (g->n + GEMM_NR - 1) / GEMM_NR;
  Slab slab;
  slab.problem = g;
  slab.mc = GEMM_MC;
  slab.m_blocks = (g->m + GEMM_MC - 1) / GEMM_MC;
  slab.n_slices = 1;
  slab.panels_per_slice = panels;
  slab.packed_a = scratch;
  slab.packed_b = scratch + GEMM_MC * GEMM_KC;
  run_slabs(&slab, panels, 1);
}

/*
 * Rows per A block for `threads` threads: GEMM_MC, or, when M has fewer than 6 blocks per
 * thread, equal blocks (a multiple of GEMM_MR, at least 4 tiles) so that threads claiming
 * blocks finish together even when one starts late. M = 256 on two threads: 11 blocks of
 * 25 rows instead of 80 + 80 + 80 + 16 (at best 160 : 96 rows). A block's height does not
 * change any element's sum, so results stay bit-identical across thread counts.
 */
static uint32_t block_rows(uint32_t m, uint32_t threads) {
  uint32_t blocks = (m + GEMM_MC - 1) / GEMM_MC;
  if (threads <= 1 || blocks >= 6 * threads) return GEMM_MC;
  uint32_t most = (m + 4 * GEMM_MR - 1) / (4 * GEMM_MR);
  blocks = KILN_MIN(6 * threads, KILN_MAX(most, 1));
  uint32_t rows = (m + blocks - 1) / blocks;
  return KILN_MIN(GEMM_MC, (rows + GEMM_MR - 1) / GEMM_MR * GEMM_MR);
}

int32_t kiln_gemm(const GemmProblem* g, uint32_t threads) {
  if (trivial(g)) return KILN_OK;
  uint32_t panels = (g->n + GEMM_NR - 1) / GEMM_NR;
  if (threads < 1) threads = 1;
  uint32_t mc = block_rows(g->m, threads);
  uint32_t m_blocks = (g->m + mc - 1) / mc;
  /* Enough tasks for every thread: when M has few blocks, slice the panels too. */
  uint32_t n_slices = 1;
  if (m_blocks < 2 * threads && threads > 1) {
    n_slices = (2 * threads + m_blocks - 1) / m_blocks;
    if (n_slices > panels) n_slices = panels;
  }
  Slab slab;
  slab.problem = g;
  slab.mc = mc;
  slab.m_blocks = m_blocks;
  slab.n_slices = n_slices;
  slab.panels_per_slice = (panels + n_slices - 1) / n_slices;
  uint32_t kc_max = KILN_MIN(GEMM_KC, g->k);
  slab.packed_b = kiln_scratch_alloc((uint32_t)((size_t)panels * GEMM_NR * kc_max * sizeof(float)));
  slab.packed_a = kiln_scratch_alloc(threads * GEMM_MC * GEMM_KC * sizeof(float));
  if (!slab.packed_b || !slab.packed_a) {
    uint32_t bytes = (uint32_t)kiln_error_detail[0];
    kiln_scratch_free(slab.packed_b);
    kiln_scratch_free(slab.packed_a);
    kiln_error_detail[0] = (int32_t)bytes;
    return KILN_ERR_NO_MEMORY;
  }
  run_slabs(&slab, panels, threads);
  kiln_scratch_free(slab.packed_b);
  kiln_scratch_free(slab.packed_a);
  return KILN_OK;
}
