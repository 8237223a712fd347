/*
 * Conv2D and its two gradients as GEMMs over implicit im2col matrices: the packing
 * functions handed to the GEMM read the image (or the output gradient) directly, so no
 * patch matrix is ever stored.
 *
 * - forward:       y[pixels, outC] = patches(x)[pixels, fh*fw*C] * W[fh*fw*C, outC]
 * - filter grad:   dW[fh*fw*C, outC] = patches(x)^T * dy[pixels, outC]
 * - input grad:    cols[pixels, fh*fw*C] = dy[pixels, outC] * W^T, then each row of cols is
 *                  added back onto the input pixels its window read (col2im), one image per
 *                  task (images are disjoint in dx, so threads never write the same element)
 *                  in chunks of rows that stay in L2. Unlike the transposed convolution as a
 *                  GEMM, no multiply is spent on the zero taps at the borders or between strides.
 */
#include "threads.h"
#include "gemm.h"
#include "window.h"

/*
 * Short copies and fills of patch runs (a few channels each): inline SIMD instead of
 * memcpy/memset, which V8 runs as calls out of the generated code. no_builtin keeps clang
 * from turning the loops back into those calls.
 */
__attribute__((no_builtin("memcpy", "memset"))) static void copy_run(float* dst, const float* src, uint32_t n) {
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_v128_load(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

__attribute__((no_builtin("memcpy", "memset"))) static void zero_run(float* dst, uint32_t n) {
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_f32x4_splat(0.0f));
  for (; i < n; i++) dst[i] = 0.0f;
}

typedef struct {
  Window w;
  const float* image; /* x for forward and filter grad, dy for input grad */
  const float* filter;
} ConvSource;

/*
 * Writes columns [p0, p0 + count) of patch row `pixel` (an output pixel) into `row`:
 * column p is (ky, kx, c) of the window, zero over the padding.
 */
static void patch_row(const Window* w, const float* x, uint32_t pixel, uint32_t p0, uint32_t count, float* row) {
  uint32_t pixels = (uint32_t)(w->out_h * w->out_w);
  uint32_t n = pixel / pixels;
  uint32_t rest = pixel % pixels;
  int32_t y0 = (int32_t)(rest / (uint32_t)w->out_w) * w->stride_h - w->pad_top;
  int32_t x0 = (int32_t)(rest % (uint32_t)w->out_w) * w->stride_w - w->pad_left;
  uint32_t C = (uint32_t)w->channels;
  /* Walk the taps (ky, kx) from the one holding column p0, one channel run each. */
  uint32_t tap = p0 / C, c = p0 % C;
  int32_t ky = (int32_t)(tap / (uint32_t)w->filter_w), kx = (int32_t)(tap % (uint32_t)w->filter_w);
  const float* image = x + (size_t)n * w->in_h * w->in_w * C;
  while (count > 0) {
    uint32_t run = KILN_MIN(C - c, count);
    int32_t iy = y0 + ky * w->dilation_h, ix = x0 + kx * w->dilation_w;
    if (iy < 0 || iy >= w->in_h || ix < 0 || ix >= w->in_w) zero_run(row, run);
    else copy_run(row, image + ((size_t)iy * w->in_w + ix) * C + c, run);
    row += run;
    count -= run;
    c = 0;
    if (++kx == w->filter_w) {
      kx = 0;
      ky++;
    }
  }
}

typedef void (*row_fn)(const Window* w, const float* image, uint32_t pixel, uint32_t p0, uint32_t count, float* row);

/* Packs A tiles from GEMM_MR rows produced by `fill` (rows at or past m are zero). */
static void pack_rows(const ConvSource* s, row_fn fill, float* dst, uint32_t m, uint32_t i0, uint32_t mc, uint32_t p0, uint32_t kc) {
  float rows[GEMM_MR][GEMM_KC + 4];
  const float* row_ptrs[GEMM_MR];
  for (uint32_t r = 0; r < GEMM_MR; r++) row_ptrs[r] = rows[r];
  for (uint32_t t = 0; t < mc; t += GEMM_MR, dst += (size_t)kc * GEMM_MR) {
    for (uint32_t r = 0; r < GEMM_MR; r++) {
      if (i0 + t + r < m) fill(&s->w, s->image, i0 + t + r, p0, kc, rows[r]);
      else zero_run(rows[r], kc);
    }
    gemm_pack_a_rows(row_ptrs, dst, kc);
  }
}

static void pack_patches(const void* source, float* dst, uint32_t m, uint32_t i0, uint32_t mc, uint32_t p0, uint32_t kc) {
  pack_rows((const ConvSource*)source, patch_row, dst, m, i0, mc, p0, kc);
}

/*
 * A = patches^T for the filter gradient: row i is patch column i, column q is output
 * pixel q. Each pixel's patch segment [i0, i0 + mc) is GEMM_MR values per tile.
 */
static void pack_patches_transposed(const void* source, float* dst, uint32_t m, uint32_t i0, uint32_t mc, uint32_t p0, uint32_t kc) {
  const ConvSource* s = (const ConvSource*)source;
  float segment[GEMM_MC + 4];
  uint32_t valid = m > i0 ? KILN_MIN(mc, m - i0) : 0;
  for (uint32_t q = 0; q < kc; q++) {
    patch_row(&s->w, s->image, p0 + q, i0, valid, segment);
    for (uint32_t r = valid; r < mc; r++) segment[r] = 0.0f;
    for (uint32_t t = 0; t < mc; t += GEMM_MR) {
      float* d = dst + (size_t)t * kc + q * GEMM_MR;
      wasm_v128_store(d, wasm_v128_load(segment + t));
      d[4] = segment[t + 4];
    }
  }
}

/* Rows of the patch-gradient matrix per chunk of the input gradient (kept in L2). */
#define COL2IM_ROWS 128u

/* Adds row `pixel` of a patch-gradient matrix onto the input pixels its window read. */
__attribute__((no_builtin("memcpy", "memset"))) static void add_patch_row(const Window* w, const float* row, uint32_t pixel, float* dx) {
  uint32_t pixels = (uint32_t)(w->out_h * w->out_w);
  uint32_t n = pixel / pixels, rest = pixel % pixels;
  int32_t y0 = (int32_t)(rest / (uint32_t)w->out_w) * w->stride_h - w->pad_top;
  int32_t x0 = (int32_t)(rest % (uint32_t)w->out_w) * w->stride_w - w->pad_left;
  uint32_t C = (uint32_t)w->channels;
  float* image = dx + (size_t)n * w->in_h * w->in_w * C;
  for (int32_t ky = 0; ky < w->filter_h; ky++) {
    int32_t iy = y0 + ky * w->dilation_h;
    for (int32_t kx = 0; kx < w->filter_w; kx++, row += C) {
      int32_t ix = x0 + kx * w->dilation_w;
      if (iy < 0 || iy >= w->in_h || ix < 0 || ix >= w->in_w) continue;
      float* d = image + ((size_t)iy * w->in_w + ix) * C;
      uint32_t c = 0;
      for (; c + 4 <= C; c += 4) wasm_v128_store(d + c, wasm_f32x4_add(wasm_v128_load(d + c), wasm_v128_load(row + c)));
      for (; c < C; c++) d[c] += row[c];
    }
  }
}

typedef struct {
  const Window* w;
  const float* dy;
  const float* filter;
  float* dx;
  float* scratch; /* per thread: cols chunk, then GEMM packing buffers */
  uint32_t scratch_floats;
} InputGradJob;

/* Images [begin, end) of the input gradient: GEMM a chunk of pixel rows, then col2im it. */
static void input_grad_task(void* context, uint32_t begin, uint32_t end, uint32_t thread) {
  const InputGradJob* job = (const InputGradJob*)context;
  const Window* w = job->w;
  uint32_t O = (uint32_t)w->out_channels, C = (uint32_t)w->channels;
  uint32_t depth = (uint32_t)(w->filter_h * w->filter_w) * C;
  uint32_t pixels = (uint32_t)(w->out_h * w->out_w);
  float* cols = job->scratch + (size_t)thread * job->scratch_floats;
  float* packing = cols + (size_t)COL2IM_ROWS * depth;
  StridedMatrix filter_t = {job->filter, 1, (int32_t)O}; /* W^T: element (o, p) is W[p * O + o] */
  for (uint32_t image = begin; image < end; image++) {
    for (uint32_t r0 = 0; r0 < pixels; r0 += COL2IM_ROWS) {
      uint32_t rows = KILN_MIN(COL2IM_ROWS, pixels - r0);
      uint32_t first = image * pixels + r0;
      StridedMatrix grad = {job->dy + (size_t)first * O, (int32_t)O, 1};
      GemmProblem g = {rows, depth, O, gemm_pack_a_strided, &grad, gemm_pack_b_strided, &filter_t, cols, depth};
      kiln_gemm_into(&g, packing);
      for (uint32_t r = 0; r < rows; r++) add_patch_row(w, cols + (size_t)r * depth, first + r, job->dx);
    }
  }
}

static int32_t conv_input_grad(const Window* w, const float* dy, const float* filter, float* dx) {
  uint32_t C = (uint32_t)w->channels, O = (uint32_t)w->out_channels;
  uint32_t depth = (uint32_t)(w->filter_h * w->filter_w) * C;
  memset(dx, 0, (size_t)w->batch * w->in_h * w->in_w * C * sizeof(float));
  if (w->out_h * w->out_w == 0 || O == 0) return KILN_OK;
  InputGradJob job = {w, dy, filter, dx, 0, COL2IM_ROWS * depth + gemm_scratch_bytes(depth, O) / (uint32_t)sizeof(float)};
  double flops = 2.0 * w->batch * w->out_h * w->out_w * depth * O;
  uint32_t threads = kiln_threads_for_work(flops / 1e5);
  if (threads > (uint32_t)w->batch) threads = (uint32_t)w->batch;
  if (threads < 1) threads = 1;
  job.scratch = kiln_scratch_alloc(threads * job.scratch_floats * (uint32_t)sizeof(float));
  if (!job.scratch) return KILN_ERR_NO_MEMORY;
  if (threads <= 1) input_grad_task(&job, 0, (uint32_t)w->batch, 0);
  else kiln_parallel_for(input_grad_task, &job, (uint32_t)w->batch, threads);
  kiln_scratch_free(job.scratch);
  return KILN_OK;
}

/**
 * Conv2D (mode 0), Conv2DBackpropFilter (mode 1) or Conv2DBackpropInput (mode 2). `frame`
 * (int32): [mode, out, image, filter_or_dy, window (15 int32)]. Mode 0: image = x, filter =
 * W, out = y. Mode 1: image = x, filter_or_dy = dy, out = dW. Mode 2: image = dy,
 * filter_or_dy = W, out = dx.
 */
int32_t KILN_EXPORT(kiln_conv2d)(const int32_t* frame) {
  int32_t mode = frame[0];
  float* out = (float*)frame[1];
  ConvSource source;
  source.image = (const float*)frame[2];
  const float* other = (const float*)frame[3];
  read_window(frame + 4, &source.w);
  const Window* w = &source.w;
  uint32_t out_pixels = (uint32_t)(w->batch * w->out_h * w->out_w);
  uint32_t depth = (uint32_t)(w->filter_h * w->filter_w * w->channels);
  uint32_t O = (uint32_t)w->out_channels;
  StridedMatrix matrix;
  GemmProblem g;
  if (mode == 0) {
    source.filter = other;
    matrix = (StridedMatrix){other, (int32_t)O, 1};
    g = (GemmProblem){out_pixels, O, depth, pack_patches, &source, gemm_pack_b_strided, &matrix, out, O};
  } else if (mode == 1) {
    matrix = (StridedMatrix){other, (int32_t)O, 1};
    g = (GemmProblem){depth, O, out_pixels, pack_patches_transposed, &source, gemm_pack_b_strided, &matrix, out, O};
  } else {
    return conv_input_grad(w, source.image, other, out);
  }
  return kiln_gemm(&g, gemm_threads(g.m, g.n, g.k));
}
