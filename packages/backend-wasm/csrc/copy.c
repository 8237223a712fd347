/*
 * Copies and fills: strided copies (the engine of every movement op: transpose, slices,
 * reverse, tile, broadcast, pad, concat and split), constant fills, and the creation ops
 * (range, linspace, eye). Elements are moved as 4-byte or 1-byte units; nothing here
 * converts between dtypes (Cast is a generated elementwise kernel).
 */
#include "kiln.h"

#define MAX_RANK 12

/* Writes `n` copies of the element at `value` (4 or 1 bytes). */
static void fill_run(uint8_t* dst, const uint8_t* value, uint32_t size, uint32_t n) {
  if (size == 1) {
    memset(dst, *value, n);
    return;
  }
  uint32_t v;
  memcpy(&v, value, 4);
  v128_t splat = wasm_i32x4_splat((int32_t)v);
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + 4 * i, splat);
  for (; i < n; i++) memcpy(dst + 4 * i, &v, 4);
}

/** Fills `n` elements of `size` bytes at `dst` with the bits of `value`. Example: kiln_fill(p, 4, 0x3f800000, n). */
void KILN_EXPORT(kiln_fill)(uint8_t* dst, uint32_t size, uint32_t value, uint32_t n) {
  uint8_t bytes[4];
  memcpy(bytes, &value, 4);
  fill_run(dst, bytes, size, n);
}

/** Copies `bytes` bytes (regions do not overlap). */
void KILN_EXPORT(kiln_copy)(uint8_t* dst, const uint8_t* src, uint32_t bytes) { memcpy(dst, src, bytes); }

/* One inner run of a strided copy: `n` elements, `ss` and `ds` elements apart. */
static void copy_line(uint8_t* dst, int32_t ds, const uint8_t* src, int32_t ss, uint32_t n, uint32_t size) {
  if (ds == 1 && ss == 1) {
    memcpy(dst, src, (size_t)n * size);
  } else if (ss == 0) {
    if (ds == 1) fill_run(dst, src, size, n);
    else for (uint32_t i = 0; i < n; i++) memcpy(dst + (ptrdiff_t)i * ds * size, src, size);
  } else if (size == 4) {
    const uint32_t* s = (const uint32_t*)src;
    uint32_t* d = (uint32_t*)dst;
    for (uint32_t i = 0; i < n; i++) d[(ptrdiff_t)i * ds] = s[(ptrdiff_t)i * ss];
  } else {
    for (uint32_t i = 0; i < n; i++) dst[(ptrdiff_t)i * ds] = src[(ptrdiff_t)i * ss];
  }
}

/* A rows x cols block whose source rows are contiguous and columns `ss` apart (a transpose): 8x8 tiles. */
static void copy_transposed(uint8_t* dst, int32_t ds_row, const uint8_t* src, int32_t ss_col, uint32_t rows, uint32_t cols, uint32_t size) {
  /* dst element (r, c) at dst + (r * ds_row + c) * size; src element (r, c) at src + (r + c * ss_col) * size. */
  for (uint32_t r0 = 0; r0 < rows; r0 += 8) {
    uint32_t r1 = KILN_MIN(r0 + 8, rows);
    for (uint32_t c0 = 0; c0 < cols; c0 += 8) {
      uint32_t c1 = KILN_MIN(c0 + 8, cols);
      for (uint32_t r = r0; r < r1; r++) {
        if (size == 4) {
          uint32_t* d = (uint32_t*)dst + (size_t)r * ds_row;
          const uint32_t* s = (const uint32_t*)src + r;
          for (uint32_t c = c0; c < c1; c++) d[c] = s[(size_t)c * ss_col];
        } else {
          uint8_t* d = dst + (size_t)r * ds_row;
          const uint8_t* s = src + r;
          for (uint32_t c = c0; c < c1; c++) d[c] = s[(size_t)c * ss_col];
        }
      }
    }
  }
}

/**
 * Copies a strided view. `frame` (int32): [size, src, dst, rank, shape[rank],
 * src_strides[rank], dst_strides[rank]] with strides in elements (negative walks back,
 * 0 repeats). Dims are merged where both sides allow, so the inner loop is long.
 */
int32_t KILN_EXPORT(kiln_strided_copy)(const int32_t* frame) {
  uint32_t size = (uint32_t)frame[0];
  const uint8_t* src = (const uint8_t*)frame[1];
  uint8_t* dst = (uint8_t*)frame[2];
  uint32_t rank = (uint32_t)frame[3];
  if (rank > MAX_RANK) return KILN_ERR_ARGUMENT;
  uint32_t dims[MAX_RANK];
  int32_t ss[MAX_RANK], ds[MAX_RANK];
  uint32_t merged = 0;
  for (uint32_t i = 0; i < rank; i++) {
    uint32_t n = (uint32_t)frame[4 + i];
    int32_t s = frame[4 + rank + i];
    int32_t d = frame[4 + 2 * rank + i];
    if (n == 0) return KILN_OK;
    if (n == 1) continue;
    if (merged > 0 && ss[merged - 1] == s * (int32_t)n && ds[merged - 1] == d * (int32_t)n) {
      dims[merged - 1] *= n;
      ss[merged - 1] = s;
      ds[merged - 1] = d;
    } else {
      dims[merged] = n;
      ss[merged] = s;
      ds[merged] = d;
      merged++;
    }
  }
  if (merged == 0) {
    memcpy(dst, src, size);
    return KILN_OK;
  }
  uint32_t cols = dims[merged - 1];
  int32_t step = ss[merged - 1];
  int tiled = merged >= 2 && ss[merged - 2] == 1 && ds[merged - 1] == 1 && step != 1 && step != 0 && cols >= 8 && dims[merged - 2] >= 8;
  uint32_t outer = tiled ? merged - 2 : merged - 1;
  uint64_t count = 1;
  for (uint32_t d = 0; d < outer; d++) count *= dims[d];
  uint32_t index[MAX_RANK] = {0};
  ptrdiff_t p = 0, q = 0;
  for (uint64_t o = 0; o < count; o++) {
    if (tiled) copy_transposed(dst + q * (ptrdiff_t)size, ds[merged - 2], src + p * (ptrdiff_t)size, step, dims[merged - 2], cols, size);
    else copy_line(dst + q * (ptrdiff_t)size, ds[merged - 1], src + p * (ptrdiff_t)size, step, cols, size);
    for (int d = (int)outer - 1; d >= 0; d--) {
      p += ss[d];
      q += ds[d];
      if (++index[d] < dims[d]) break;
      p -= (ptrdiff_t)ss[d] * dims[d];
      q -= (ptrdiff_t)ds[d] * dims[d];
      index[d] = 0;
    }
  }
  return KILN_OK;
}

/** Range: out[i] = start + i * step, in float32 (f = 1) or int32 (f = 0). */
void KILN_EXPORT(kiln_range)(uint8_t* out, uint32_t is_float, double start, double step, uint32_t n) {
  if (is_float) for (uint32_t i = 0; i < n; i++) ((float*)out)[i] = (float)(start + (double)i * step);
  else for (uint32_t i = 0; i < n; i++) ((int32_t*)out)[i] = (int32_t)(start + (double)i * step);
}

/** LinSpace: n float32 values from start to stop, the last exactly stop. */
void KILN_EXPORT(kiln_linspace)(float* out, double start, double stop, uint32_t n) {
  if (n == 0) return;
  double step = n > 1 ? (stop - start) / (double)(n - 1) : 0.0;
  for (uint32_t i = 0; i + 1 < n; i++) out[i] = (float)(start + (double)i * step);
  out[n - 1] = (float)(n > 1 ? stop : start);
}

/** Eye: `batch` rows x cols identity matrices; `one` is the bits of 1 in the dtype. */
void KILN_EXPORT(kiln_eye)(uint8_t* out, uint32_t size, uint32_t one, uint32_t batch, uint32_t rows, uint32_t cols) {
  memset(out, 0, (size_t)batch * rows * cols * size);
  uint32_t diagonal = KILN_MIN(rows, cols);
  for (uint32_t b = 0; b < batch; b++)
    for (uint32_t i = 0; i < diagonal; i++) memcpy(out + ((size_t)b * rows * cols + (size_t)i * cols + i) * size, &one, size);
}
