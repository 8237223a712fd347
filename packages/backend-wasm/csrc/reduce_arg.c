/*
 * Reductions that return positions: ArgMax, ArgMin (ties keep the lowest index, the first
 * NaN wins, as on the cpu backend) and TopKV2 (a heap of the k best per row; larger values
 * first, NaN above every number, equal values by lower index).
 */
#include "kiln.h"

/**
 * ArgMax (is_max = 1) or ArgMin over [outer, size, inner], size >= 1; `dtype` 0 float32,
 * 1 int32, 2 bool. Writes int32 positions along the axis.
 */
void KILN_EXPORT(kiln_arg_reduce)(int32_t* out, const uint8_t* src, uint32_t dtype, uint32_t is_max, uint32_t outer, uint32_t size, uint32_t inner) {
  for (uint32_t o = 0; o < outer; o++) {
    for (uint32_t j = 0; j < inner; j++) {
      size_t s = (size_t)o * size * inner + j;
      int32_t index = 0;
      if (dtype == 0) {
        const float* x = (const float*)src;
        float best = x[s];
        if (best == best) {
          for (uint32_t k = 1; k < size; k++) {
            float v = x[s + (size_t)k * inner];
            if (is_max ? !(v <= best) : !(v >= best)) {
              best = v;
              index = (int32_t)k;
              if (v != v) break;
            }
          }
        }
      } else {
        int32_t best = dtype == 1 ? ((const int32_t*)src)[s] : src[s];
        for (uint32_t k = 1; k < size; k++) {
          size_t at = s + (size_t)k * inner;
          int32_t v = dtype == 1 ? ((const int32_t*)src)[at] : src[at];
          if (is_max ? v > best : v < best) {
            best = v;
            index = (int32_t)k;
          }
        }
      }
      out[(size_t)o * inner + j] = index;
    }
  }
}

/* Whether element a of a row ranks above element b (see top of file). */
static int ranks_above(const uint8_t* row, uint32_t dtype, int32_t a, int32_t b) {
  if (dtype == 0) {
    float va = ((const float*)row)[a], vb = ((const float*)row)[b];
    if (va > vb) return 1;
    if (va < vb) return 0;
    int a_nan = va != va, b_nan = vb != vb;
    if (a_nan != b_nan) return a_nan;
  } else if (dtype == 1) {
    int32_t va = ((const int32_t*)row)[a], vb = ((const int32_t*)row)[b];
    if (va != vb) return va > vb;
  } else if (row[a] != row[b]) {
    return row[a] > row[b];
  }
  return a < b;
}

static void sift_down(const uint8_t* row, uint32_t dtype, int32_t* heap, uint32_t count, uint32_t pos) {
  for (;;) {
    uint32_t left = 2 * pos + 1;
    if (left >= count) return;
    uint32_t right = left + 1;
    uint32_t lowest = ranks_above(row, dtype, heap[pos], heap[left]) ? left : pos;
    if (right < count && ranks_above(row, dtype, heap[lowest], heap[right])) lowest = right;
    if (lowest == pos) return;
    int32_t t = heap[pos];
    heap[pos] = heap[lowest];
    heap[lowest] = t;
    pos = lowest;
  }
}

static void sift_up(const uint8_t* row, uint32_t dtype, int32_t* heap, uint32_t pos) {
  while (pos > 0) {
    uint32_t parent = (pos - 1) / 2;
    if (!ranks_above(row, dtype, heap[parent], heap[pos])) return;
    int32_t t = heap[pos];
    heap[pos] = heap[parent];
    heap[parent] = t;
    pos = parent;
  }
}

/** TopKV2 over `rows` contiguous rows of length n (dtype 0 float32, 1 int32, 2 bool): values and int32 indices, best first. */
int32_t KILN_EXPORT(kiln_top_k)(uint8_t* values, int32_t* indices, const uint8_t* src, uint32_t dtype, uint32_t rows, uint32_t n, uint32_t k) {
  if (k == 0) return KILN_OK;
  int32_t* heap = kiln_scratch_alloc(k * 4);
  if (!heap) return KILN_ERR_NO_MEMORY;
  for (uint32_t r = 0; r < rows; r++) {
    uint32_t size = dtype == 2 ? 1 : 4;
    const uint8_t* row = src + (size_t)r * n * size;
    uint8_t* vout = values + (size_t)r * k * size;
    int32_t* iout = indices + (size_t)r * k;
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++) {
      if (count < k) {
        heap[count] = (int32_t)i;
        sift_up(row, dtype, heap, count++);
      } else if (ranks_above(row, dtype, (int32_t)i, heap[0])) {
        heap[0] = (int32_t)i;
        sift_down(row, dtype, heap, k, 0);
      }
    }
    for (int32_t p = (int32_t)k - 1; p >= 0; p--) {
      int32_t i = heap[0];
      iout[p] = i;
      memcpy(vout + (size_t)p * size, row + (size_t)i * size, size);
      heap[0] = heap[--count];
      sift_down(row, dtype, heap, count, 0);
    }
  }
  kiln_scratch_free(heap);
  return KILN_OK;
}
