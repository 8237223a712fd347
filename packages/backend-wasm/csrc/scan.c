/*
 * Cumsum over [outer, size, inner]: float32 running sums in double precision (rounded when
 * stored, as on the cpu backend), int32 (and bool, counted in int32) wrapping. `exclusive` stores the sum before adding
 * the element; `reverse` walks each block from its last row to its first.
 */
#include "kiln.h"

int32_t KILN_EXPORT(kiln_cumsum)(uint8_t* out, const uint8_t* src, uint32_t src_dtype, uint32_t outer, uint32_t size, uint32_t inner,
                              uint32_t exclusive, uint32_t reverse) {
  double* acc = kiln_scratch_alloc(inner * 8);
  if (!acc) return KILN_ERR_NO_MEMORY;
  for (uint32_t o = 0; o < outer; o++) {
    for (uint32_t j = 0; j < inner; j++) acc[j] = 0;
    uint32_t* iacc = (uint32_t*)acc;
    for (uint32_t step = 0; step < size; step++) {
      uint32_t k = reverse ? size - 1 - step : step;
      size_t s = ((size_t)o * size + k) * inner;
      if (src_dtype == 0) {
        const float* x = (const float*)src + s;
        float* y = (float*)out + s;
        for (uint32_t j = 0; j < inner; j++) {
          if (exclusive) {
            y[j] = (float)acc[j];
            acc[j] += x[j];
          } else {
            acc[j] += x[j];
            y[j] = (float)acc[j];
          }
        }
      } else {
        uint32_t* y = (uint32_t*)out + s;
        for (uint32_t j = 0; j < inner; j++) {
          uint32_t v = src_dtype == 1 ? ((const uint32_t*)src)[s + j] : src[s + j];
          if (exclusive) {
            y[j] = iacc[j];
            iacc[j] += v;
          } else {
            iacc[j] += v;
            y[j] = iacc[j];
          }
        }
      }
    }
  }
  kiln_scratch_free(acc);
  return KILN_OK;
}
