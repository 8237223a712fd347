/*
 * DepthwiseConv2dNative and its two gradients, directly: no channel mixing means no GEMM
 * to reuse. Output channel q = c * multiplier + j reads input channel c. The forward pass
 * and the input gradient gather (each output element is written once); the filter
 * gradient sums over the whole batch in double precision, like the cpu backend.
 */
#include "window.h"

/* The in-bounds taps of output pixel (n, oy, ox): input pixel offsets and filter tap indices. */
static uint32_t window_taps(const Window* w, int32_t n, int32_t oy, int32_t ox, int32_t* srcs, int32_t* taps) {
  int32_t y0 = oy * w->stride_h - w->pad_top, x0 = ox * w->stride_w - w->pad_left;
  uint32_t count = 0;
  for (int32_t ky = 0; ky < w->filter_h; ky++) {
    int32_t iy = y0 + ky * w->dilation_h;
    if (iy < 0 || iy >= w->in_h) continue;
    for (int32_t kx = 0; kx < w->filter_w; kx++) {
      int32_t ix = x0 + kx * w->dilation_w;
      if (ix < 0 || ix >= w->in_w) continue;
      srcs[count] = ((n * w->in_h + iy) * w->in_w + ix) * w->channels;
      taps[count++] = ky * w->filter_w + kx;
    }
  }
  return count;
}

/* The taps that read input pixel (n, iy, ix): output pixel offsets and filter tap indices. */
static uint32_t reader_taps(const Window* w, int32_t n, int32_t iy, int32_t ix, int32_t* dys, int32_t* taps) {
  uint32_t count = 0;
  for (int32_t ky = 0; ky < w->filter_h; ky++) {
    int32_t y = iy + w->pad_top - ky * w->dilation_h;
    if (y < 0 || y % w->stride_h != 0 || y / w->stride_h >= w->out_h) continue;
    for (int32_t kx = 0; kx < w->filter_w; kx++) {
      int32_t x = ix + w->pad_left - kx * w->dilation_w;
      if (x < 0 || x % w->stride_w != 0 || x / w->stride_w >= w->out_w) continue;
      dys[count] = (n * w->out_h + y / w->stride_h) * w->out_w + x / w->stride_w;
      taps[count++] = ky * w->filter_w + kx;
    }
  }
  return count;
}

/**
 * Depthwise convolution: mode 0 forward (a = x, b = filter, out = y), mode 1 filter
 * gradient (a = x, b = dy, out = dfilter), mode 2 input gradient (a = filter, b = dy,
 * out = dx). `frame` (int32): [mode, out, a, b, window (15 int32; out_channels = multiplier)].
 */
int32_t KILN_EXPORT(kiln_depthwise)(const int32_t* frame) {
  int32_t mode = frame[0];
  float* out = (float*)frame[1];
  const float* a = (const float*)frame[2];
  const float* b = (const float*)frame[3];
  Window w;
  read_window(frame + 4, &w);
  int32_t m = w.out_channels, C = w.channels, Q = C * m;
  int32_t taps_max = w.filter_h * w.filter_w;
  int32_t* srcs = kiln_scratch_alloc((uint32_t)taps_max * 8);
  if (!srcs) return KILN_ERR_NO_MEMORY;
  int32_t* taps = srcs + taps_max;
  if (mode == 0) {
    float* y = out;
    for (int32_t n = 0; n < w.batch; n++)
      for (int32_t oy = 0; oy < w.out_h; oy++)
        for (int32_t ox = 0; ox < w.out_w; ox++, y += Q) {
          uint32_t count = window_taps(&w, n, oy, ox, srcs, taps);
          for (int32_t q = 0; q < Q; q++) {
            float sum = 0;
            for (uint32_t t = 0; t < count; t++) sum += a[srcs[t] + q / m] * b[taps[t] * Q + q];
            y[q] = sum;
          }
        }
  } else if (mode == 1) {
    double* sums = kiln_scratch_alloc((uint32_t)(taps_max * Q) * 8);
    if (!sums) {
      kiln_scratch_free(srcs);
      return KILN_ERR_NO_MEMORY;
    }
    memset(sums, 0, (size_t)taps_max * Q * 8);
    const float* dy = b;
    for (int32_t n = 0; n < w.batch; n++)
      for (int32_t oy = 0; oy < w.out_h; oy++)
        for (int32_t ox = 0; ox < w.out_w; ox++, dy += Q) {
          uint32_t count = window_taps(&w, n, oy, ox, srcs, taps);
          for (uint32_t t = 0; t < count; t++)
            for (int32_t q = 0; q < Q; q++) sums[taps[t] * Q + q] += (double)a[srcs[t] + q / m] * dy[q];
        }
    for (int32_t i = 0; i < taps_max * Q; i++) out[i] = (float)sums[i];
    kiln_scratch_free(sums);
  } else {
    float* dx = out;
    for (int32_t n = 0; n < w.batch; n++)
      for (int32_t iy = 0; iy < w.in_h; iy++)
        for (int32_t ix = 0; ix < w.in_w; ix++, dx += C) {
          uint32_t count = reader_taps(&w, n, iy, ix, srcs, taps);
          for (int32_t c = 0; c < C; c++) {
            float sum = 0;
            for (uint32_t t = 0; t < count; t++)
              for (int32_t j = 0; j < m; j++) sum += b[srcs[t] * Q + c * m + j] * a[taps[t] * Q + c * m + j];
            dx[c] = sum;
          }
        }
  }
  kiln_scratch_free(srcs);
  return KILN_OK;
}
