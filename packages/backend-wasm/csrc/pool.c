/*
 * MaxPool, AvgPool and their gradients over NHWC images, vectorised over channels where
 * the layout allows. Windows are clipped to the image: padding never wins a max and never
 * counts toward a mean; a window wholly in padding has max -Infinity (int32: INT_MIN) and
 * mean NaN. Max ties keep the first element in row-major window order and a NaN wins
 * (the first NaN), matching the cpu backend and TF.
 */
#include <math.h>
#include "window.h"

typedef struct {
  int32_t y_start, y_end, x_start, x_end;
} Span;

static Span span_of(const Window* w, int32_t oy, int32_t ox) {
  Span s;
  int32_t y0 = oy * w->stride_h - w->pad_top, x0 = ox * w->stride_w - w->pad_left;
  s.y_start = KILN_MAX(y0, 0);
  s.y_end = KILN_MIN(y0 + w->filter_h, w->in_h);
  s.x_start = KILN_MAX(x0, 0);
  s.x_end = KILN_MIN(x0 + w->filter_w, w->in_w);
  return s;
}

/**
 * MaxPool (is_avg 0; dtype 0 float32, 1 int32) or AvgPool (is_avg 1, float32).
 * `frame` (int32): [out, x, is_avg, dtype, window (15 int32)].
 */
int32_t KILN_EXPORT(kiln_pool)(const int32_t* frame) {
  uint8_t* out = (uint8_t*)frame[0];
  const uint8_t* x = (const uint8_t*)frame[1];
  int32_t is_avg = frame[2], dtype = frame[3];
  Window w;
  read_window(frame + 4, &w);
  int32_t C = w.channels;
  double* sums = kiln_scratch_alloc((uint32_t)C * 8 + 8);
  if (!sums) return KILN_ERR_NO_MEMORY;
  size_t o = 0;
  for (int32_t n = 0; n < w.batch; n++)
    for (int32_t oy = 0; oy < w.out_h; oy++)
      for (int32_t ox = 0; ox < w.out_w; ox++, o += (size_t)C) {
        Span s = span_of(&w, oy, ox);
        if (is_avg) {
          for (int32_t c = 0; c < C; c++) sums[c] = 0;
          for (int32_t iy = s.y_start; iy < s.y_end; iy++)
            for (int32_t ix = s.x_start; ix < s.x_end; ix++) {
              const float* src = (const float*)x + (((size_t)n * w.in_h + iy) * w.in_w + ix) * C;
              for (int32_t c = 0; c < C; c++) sums[c] += src[c];
            }
          double count = (double)KILN_MAX(s.y_end - s.y_start, 0) * KILN_MAX(s.x_end - s.x_start, 0);
          for (int32_t c = 0; c < C; c++) ((float*)out)[o + c] = (float)(sums[c] / count);
        } else if (dtype == 0) {
          float* dst = (float*)out + o;
          for (int32_t c = 0; c < C; c++) dst[c] = -INFINITY;
          for (int32_t iy = s.y_start; iy < s.y_end; iy++)
            for (int32_t ix = s.x_start; ix < s.x_end; ix++) {
              const float* src = (const float*)x + (((size_t)n * w.in_h + iy) * w.in_w + ix) * C;
              int32_t c = 0;
              for (; c + 4 <= C; c += 4) {
                v128_t m = wasm_v128_load(dst + c), v = wasm_v128_load(src + c);
                /* take v when it is greater or NaN, unless m is already NaN */
                v128_t take = wasm_v128_and(wasm_v128_or(wasm_f32x4_gt(v, m), wasm_f32x4_ne(v, v)), wasm_f32x4_eq(m, m));
                wasm_v128_store(dst + c, wasm_v128_bitselect(v, m, take));
              }
              for (; c < C; c++) {
                float v = src[c], m = dst[c];
                if ((v > m || v != v) && m == m) dst[c] = v;
              }
            }
        } else {
          int32_t* dst = (int32_t*)out + o;
          for (int32_t c = 0; c < C; c++) dst[c] = (int32_t)0x80000000;
          for (int32_t iy = s.y_start; iy < s.y_end; iy++)
            for (int32_t ix = s.x_start; ix < s.x_end; ix++) {
              const int32_t* src = (const int32_t*)x + (((size_t)n * w.in_h + iy) * w.in_w + ix) * C;
              for (int32_t c = 0; c < C; c++) dst[c] = src[c] > dst[c] ? src[c] : dst[c];
            }
        }
      }
  kiln_scratch_free(sums);
  return KILN_OK;
}

/* For every pooled element, the flat index in x of its window's maximum, or -1 for an empty window. */
static void argmax_windows(const Window* w, const float* x, int32_t* positions) {
  int32_t C = w->channels;
  size_t o = 0;
  for (int32_t n = 0; n < w->batch; n++)
    for (int32_t oy = 0; oy < w->out_h; oy++)
      for (int32_t ox = 0; ox < w->out_w; ox++, o += (size_t)C) {
        Span s = span_of(w, oy, ox);
        if (s.y_start >= s.y_end || s.x_start >= s.x_end) {
          for (int32_t c = 0; c < C; c++) positions[o + c] = -1;
          continue;
        }
        int32_t first = ((n * w->in_h + s.y_start) * w->in_w + s.x_start) * C;
        for (int32_t c = 0; c < C; c++) positions[o + c] = first + c;
        for (int32_t iy = s.y_start; iy < s.y_end; iy++)
          for (int32_t ix = iy == s.y_start ? s.x_start + 1 : s.x_start; ix < s.x_end; ix++) {
            int32_t src = ((n * w->in_h + iy) * w->in_w + ix) * C;
            for (int32_t c = 0; c < C; c++) {
              float v = x[src + c], b = x[positions[o + c]];
              if (v > b || (v != v && b == b)) positions[o + c] = src + c;
            }
          }
      }
}

/**
 * Pooling gradients. mode 0 MaxPoolGrad (a = x, b = dy, out = dx), mode 1 MaxPoolGradGrad
 * (a = x, b = grad, out = pooled-shape result), mode 2 AvgPoolGrad (b = dy, out = dx).
 * `frame` (int32): [mode, out, a, b, window (15 int32)].
 */
int32_t KILN_EXPORT(kiln_pool_grad)(const int32_t* frame) {
  int32_t mode = frame[0];
  float* out = (float*)frame[1];
  const float* a = (const float*)frame[2];
  const float* b = (const float*)frame[3];
  Window w;
  read_window(frame + 4, &w);
  int32_t C = w.channels;
  size_t in_size = (size_t)w.batch * w.in_h * w.in_w * C;
  size_t pooled = (size_t)w.batch * w.out_h * w.out_w * C;
  if (mode == 2) {
    memset(out, 0, in_size * 4);
    float* share = kiln_scratch_alloc((uint32_t)C * 4 + 4);
    if (!share) return KILN_ERR_NO_MEMORY;
    size_t o = 0;
    for (int32_t n = 0; n < w.batch; n++)
      for (int32_t oy = 0; oy < w.out_h; oy++)
        for (int32_t ox = 0; ox < w.out_w; ox++, o += (size_t)C) {
          Span s = span_of(&w, oy, ox);
          if (s.y_start >= s.y_end || s.x_start >= s.x_end) continue;
          float count = (float)((s.y_end - s.y_start) * (s.x_end - s.x_start));
          for (int32_t c = 0; c < C; c++) share[c] = b[o + c] / count;
          for (int32_t iy = s.y_start; iy < s.y_end; iy++)
            for (int32_t ix = s.x_start; ix < s.x_end; ix++) {
              float* dst = out + (((size_t)n * w.in_h + iy) * w.in_w + ix) * C;
              for (int32_t c = 0; c < C; c++) dst[c] += share[c];
            }
        }
    kiln_scratch_free(share);
    return KILN_OK;
  }
  int32_t* positions = kiln_scratch_alloc((uint32_t)(pooled * 4));
  if (!positions) return KILN_ERR_NO_MEMORY;
  argmax_windows(&w, a, positions);
  if (mode == 0) {
    memset(out, 0, in_size * 4);
    for (size_t i = 0; i < pooled; i++)
      if (positions[i] >= 0) out[positions[i]] += b[i];
  } else {
    for (size_t i = 0; i < pooled; i++) out[i] = positions[i] >= 0 ? b[positions[i]] : 0.0f;
  }
  kiln_scratch_free(positions);
  return KILN_OK;
}
