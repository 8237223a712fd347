/*
 * Folding reductions (Sum, Prod, Max, Min, Mean, All, Any) over an `[outer, size, inner]`
 * view, one pass per run of reduced axes (the TS side plans the passes, largest first).
 * Accumulators: sums and products with a float32 result (float32 input, the mean of int32 or
 * bool) in double precision, rounded once at the end like the cpu backend; float32 max/min in
 * float32 with NaN propagating; int32 and bool sums and products in int32 (wrapping); int32
 * max/min in int32 and bool max/min (Any/All) in bytes.
 *
 * Sums of long rows are split into fixed chunks of CHUNK elements whose partial sums are
 * added in order, so results do not depend on the number of threads.
 */
#include <math.h>
#include "kiln.h"
#include "threads.h"

enum { SUM = 0, PROD = 1, MAX = 2, MIN = 3, MEAN = 4 };
enum { T_F32 = 0, T_I32 = 1, T_U8 = 2, T_F64 = 3 };

#define CHUNK 16384u
#define MAX_PASSES 8

static double load(const uint8_t* p, int type, size_t i) {
  switch (type) {
    case T_F32: return ((const float*)p)[i];
    case T_I32: return ((const int32_t*)p)[i];
    case T_U8: return p[i];
    default: return ((const double*)p)[i];
  }
}

static uint32_t type_size(int type) { return type == T_U8 ? 1 : type == T_F64 ? 8 : 4; }

/* Sum of n float32 in double precision, two f64x2 accumulators. */
static double sum_f32_row(const float* x, uint32_t n) {
  v128_t a0 = wasm_f64x2_splat(0), a1 = a0;
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    a0 = wasm_f64x2_add(a0, wasm_f64x2_promote_low_f32x4(v));
    a1 = wasm_f64x2_add(a1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)));
  }
  v128_t a = wasm_f64x2_add(a0, a1);
  double s = wasm_f64x2_extract_lane(a, 0) + wasm_f64x2_extract_lane(a, 1);
  for (; i < n; i++) s += x[i];
  return s;
}

/* dst[j] += x[j] for j < n, float32 into double. */
static void add_f32_into_f64(double* dst, const float* x, uint32_t n) {
  uint32_t j = 0;
  for (; j + 4 <= n; j += 4) {
    v128_t v = wasm_v128_load(x + j);
    wasm_v128_store(dst + j, wasm_f64x2_add(wasm_v128_load(dst + j), wasm_f64x2_promote_low_f32x4(v)));
    wasm_v128_store(dst + j + 2, wasm_f64x2_add(wasm_v128_load(dst + j + 2), wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3))));
  }
  for (; j < n; j++) dst[j] += x[j];
}

/* The float max/min step of the cpu backend: take v when it beats m, or is NaN, unless m is already NaN. */
KILN_INLINE float step_max(float m, float v) { return (!(v <= m) && m == m) ? v : m; }
KILN_INLINE float step_min(float m, float v) { return (!(v >= m) && m == m) ? v : m; }

KILN_INLINE v128_t step_max4(v128_t m, v128_t v) {
  v128_t take = wasm_v128_and(wasm_v128_not(wasm_f32x4_le(v, m)), wasm_f32x4_eq(m, m));
  return wasm_v128_bitselect(v, m, take);
}
KILN_INLINE v128_t step_min4(v128_t m, v128_t v) {
  v128_t take = wasm_v128_and(wasm_v128_not(wasm_f32x4_ge(v, m)), wasm_f32x4_eq(m, m));
  return wasm_v128_bitselect(v, m, take);
}

typedef struct {
  int kind;
  int src_type, acc_type;
  const uint8_t* src;
  uint8_t* dst;
  uint32_t outer, size, inner;
} Pass;

/* Rows [begin, end) of a pass with inner == 1: each row folds `size` contiguous elements. */
static void rows_task(void* context, uint32_t begin, uint32_t end, uint32_t thread) {
  (void)thread;
  const Pass* p = (const Pass*)context;
  for (uint32_t o = begin; o < end; o++) {
    size_t base = (size_t)o * p->size;
    if (p->acc_type == T_F64) {
      double acc;
      if ((p->kind == SUM || p->kind == MEAN) && p->src_type == T_F32) {
        acc = 0;
        for (uint32_t c = 0; c < p->size; c += CHUNK) acc += sum_f32_row((const float*)p->src + base + c, KILN_MIN(CHUNK, p->size - c));
      } else if (p->kind == PROD) {
        acc = 1;
        for (uint32_t k = 0; k < p->size; k++) acc *= load(p->src, p->src_type, base + k);
      } else {
        acc = 0;
        for (uint32_t k = 0; k < p->size; k++) acc += load(p->src, p->src_type, base + k);
      }
      ((double*)p->dst)[o] = acc;
    } else if (p->acc_type == T_F32) {
      const float* x = (const float*)p->src + base;
      int is_max = p->kind == MAX;
      v128_t m4 = wasm_f32x4_splat(is_max ? -INFINITY : INFINITY);
      uint32_t k = 0;
      for (; k + 4 <= p->size; k += 4) m4 = is_max ? step_max4(m4, wasm_v128_load(x + k)) : step_min4(m4, wasm_v128_load(x + k));
      float m = is_max ? -INFINITY : INFINITY;
      for (int l = 0; l < 4; l++) {
        float v = ((float*)&m4)[l];
        m = is_max ? step_max(m, v) : step_min(m, v);
      }
      for (; k < p->size; k++) m = is_max ? step_max(m, x[k]) : step_min(m, x[k]);
      ((float*)p->dst)[o] = m;
    } else if (p->acc_type == T_I32) {
      uint32_t acc = p->kind == PROD ? 1u : p->kind == MAX ? 0x80000000u : p->kind == MIN ? 0x7fffffffu : 0u;
      for (uint32_t k = 0; k < p->size; k++) {
        int32_t v = (int32_t)load(p->src, p->src_type, base + k);
        if (p->kind == SUM || p->kind == MEAN) acc += (uint32_t)v;
        else if (p->kind == PROD) acc *= (uint32_t)v;
        else if (p->kind == MAX) acc = v > (int32_t)acc ? (uint32_t)v : acc;
        else acc = v < (int32_t)acc ? (uint32_t)v : acc;
      }
      ((int32_t*)p->dst)[o] = (int32_t)acc;
    } else {
      uint8_t acc = p->kind == MAX ? 0 : 1;
      for (uint32_t k = 0; k < p->size; k++) {
        uint8_t v = p->src[base + k];
        acc = p->kind == MAX ? (v > acc ? v : acc) : (v < acc ? v : acc);
      }
      p->dst[o] = acc;
    }
  }
}

/* Blocks [begin, end) of a pass with inner > 1: whole rows of `inner` elements are combined. */
static void columns_task(void* context, uint32_t begin, uint32_t end, uint32_t thread) {
  (void)thread;
  const Pass* p = (const Pass*)context;
  uint32_t inner = p->inner;
  for (uint32_t o = begin; o < end; o++) {
    size_t s = (size_t)o * p->size * inner;
    size_t d = (size_t)o * inner;
    if (p->acc_type == T_F64) {
      double* dst = (double*)p->dst + d;
      double init = p->kind == PROD ? 1.0 : 0.0;
      for (uint32_t j = 0; j < inner; j++) dst[j] = init;
      for (uint32_t k = 0; k < p->size; k++, s += inner) {
        if (p->kind != PROD && p->src_type == T_F32) add_f32_into_f64(dst, (const float*)p->src + s, inner);
        else if (p->kind == PROD) for (uint32_t j = 0; j < inner; j++) dst[j] *= load(p->src, p->src_type, s + j);
        else for (uint32_t j = 0; j < inner; j++) dst[j] += load(p->src, p->src_type, s + j);
      }
    } else if (p->acc_type == T_F32) {
      float* dst = (float*)p->dst + d;
      const float* x = (const float*)p->src + s;
      memcpy(dst, x, (size_t)inner * 4);
      int is_max = p->kind == MAX;
      for (uint32_t k = 1; k < p->size; k++) {
        x += inner;
        uint32_t j = 0;
        for (; j + 4 <= inner; j += 4) {
          v128_t m = wasm_v128_load(dst + j);
          wasm_v128_store(dst + j, is_max ? step_max4(m, wasm_v128_load(x + j)) : step_min4(m, wasm_v128_load(x + j)));
        }
        for (; j < inner; j++) dst[j] = is_max ? step_max(dst[j], x[j]) : step_min(dst[j], x[j]);
      }
    } else if (p->acc_type == T_I32) {
      int32_t* dst = (int32_t*)p->dst + d;
      for (uint32_t j = 0; j < inner; j++) dst[j] = (int32_t)load(p->src, p->src_type, s + j);
      for (uint32_t k = 1; k < p->size; k++) {
        s += inner;
        for (uint32_t j = 0; j < inner; j++) {
          int32_t v = (int32_t)load(p->src, p->src_type, s + j);
          if (p->kind == SUM || p->kind == MEAN) dst[j] = (int32_t)((uint32_t)dst[j] + (uint32_t)v);
          else if (p->kind == PROD) dst[j] = (int32_t)((uint32_t)dst[j] * (uint32_t)v);
          else if (p->kind == MAX) dst[j] = v > dst[j] ? v : dst[j];
          else dst[j] = v < dst[j] ? v : dst[j];
        }
      }
    } else {
      uint8_t* dst = p->dst + d;
      memcpy(dst, p->src + s, inner);
      for (uint32_t k = 1; k < p->size; k++) {
        s += inner;
        for (uint32_t j = 0; j < inner; j++) {
          uint8_t v = p->src[s + j];
          dst[j] = p->kind == MAX ? (v > dst[j] ? v : dst[j]) : (v < dst[j] ? v : dst[j]);
        }
      }
    }
  }
}

static void run_pass(Pass* p) {
  double work = (double)p->outer * p->size * p->inner / 2000.0;
  uint32_t threads = kiln_threads_for_work(work);
  kiln_task_fn task = p->inner == 1 ? rows_task : columns_task;
  if (threads <= 1) task(p, 0, p->outer, 0);
  else kiln_parallel_for(task, p, p->outer, threads);
}

/**
 * A reduction. `frame` (int32): [kind, src dtype, out dtype, src, dst, count (elements
 * reduced into each output), out elements, pass_count, (outer, size, inner) per pass].
 * dtypes: 0 float32, 1 int32, 2 bool. With no passes the input is only converted.
 */
int32_t KILN_EXPORT(kiln_reduce)(const int32_t* frame) {
  int kind = frame[0];
  int src_type = frame[1];
  int out_type = frame[2];
  const uint8_t* src = (const uint8_t*)frame[3];
  uint8_t* dst = (uint8_t*)frame[4];
  double count = (double)(uint32_t)frame[5];
  uint32_t out_elements = (uint32_t)frame[6];
  uint32_t pass_count = (uint32_t)frame[7];
  if (pass_count > MAX_PASSES) return KILN_ERR_ARGUMENT;
  /* max/min keep the input's dtype; sums and products accumulate in double when the result
   * is float32 (float32 input, and the mean of int32 or bool, which must not wrap), else in
   * int32 (wrapping, like C and tfjs). */
  int extremum = kind == MAX || kind == MIN;
  int acc_type = extremum ? (src_type == T_F32 ? T_F32 : src_type == T_U8 ? T_U8 : T_I32) : out_type == T_F32 ? T_F64 : T_I32;
  const uint8_t* data = src;
  int data_type = src_type;
  uint8_t* buffers[2] = {0, 0};
  for (uint32_t i = 0; i < pass_count; i++) {
    Pass p;
    p.kind = kind;
    p.src_type = data_type;
    p.acc_type = acc_type;
    p.src = data;
    p.outer = (uint32_t)frame[8 + 3 * i];
    p.size = (uint32_t)frame[9 + 3 * i];
    p.inner = (uint32_t)frame[10 + 3 * i];
    uint8_t* buffer = kiln_scratch_alloc(p.outer * p.inner * type_size(acc_type));
    if (!buffer) {
      kiln_scratch_free(buffers[0]);
      kiln_scratch_free(buffers[1]);
      return KILN_ERR_NO_MEMORY;
    }
    p.dst = buffer;
    run_pass(&p);
    kiln_scratch_free(buffers[i % 2]);
    buffers[i % 2] = buffer;
    data = buffer;
    data_type = acc_type;
  }
  for (uint32_t i = 0; i < out_elements; i++) {
    double v = load(data, data_type, i);
    if (kind == MEAN) v /= count;
    if (out_type == T_F32) ((float*)dst)[i] = (float)v;
    else if (out_type == T_I32) ((int32_t*)dst)[i] = data_type == T_I32 && kind != MEAN ? ((const int32_t*)data)[i] : (int32_t)v;
    else dst[i] = (uint8_t)v;
  }
  kiln_scratch_free(buffers[0]);
  kiln_scratch_free(buffers[1]);
  return KILN_OK;
}
