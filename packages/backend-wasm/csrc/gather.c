/*
 * Gather and scatter. Index values are data, so every index is range-checked before any
 * output is written; a bad one returns KILN_ERR_INDEX with
 * detail = [flat position in indices, value, bound, entry within the tuple].
 */
#include "kiln.h"

static int32_t index_error(uint32_t position, int32_t value, int32_t bound, uint32_t entry) {
  kiln_error_detail[0] = (int32_t)position;
  kiln_error_detail[1] = value;
  kiln_error_detail[2] = bound;
  kiln_error_detail[3] = (int32_t)entry;
  return KILN_ERR_INDEX;
}

/**
 * GatherV2 over params viewed as [batch, outer, dim, inner] and indices [batch, count]:
 * each (batch, outer, index) copies one block of `inner` elements of `size` bytes.
 */
int32_t KILN_EXPORT(kiln_gather)(uint8_t* out, const uint8_t* params, const int32_t* indices, uint32_t size, uint32_t batch, uint32_t outer,
                                 uint32_t dim, uint32_t inner, uint32_t count) {
  uint32_t total = batch * count;
  for (uint32_t i = 0; i < total; i++) {
    if (indices[i] < 0 || (uint32_t)indices[i] >= dim) return index_error(i, indices[i], (int32_t)dim, 0);
  }
  size_t block = (size_t)inner * size;
  uint8_t* q = out;
  for (uint32_t b = 0; b < batch; b++) {
    for (uint32_t o = 0; o < outer; o++) {
      const uint8_t* base = params + ((size_t)b * outer + o) * dim * block;
      const int32_t* row = indices + (size_t)b * count;
      if (block == 4) {
        for (uint32_t i = 0; i < count; i++, q += 4) memcpy(q, base + (size_t)row[i] * 4, 4);
      } else {
        for (uint32_t i = 0; i < count; i++, q += block) memcpy(q, base + (size_t)row[i] * block, block);
      }
    }
  }
  return KILN_OK;
}

/* Checks index tuples against `target` dims and writes their flat element offsets. */
static int32_t tuple_offsets(const int32_t* indices, uint32_t tuples, uint32_t depth, const int32_t* target, uint32_t* offsets) {
  for (uint32_t t = 0; t < tuples; t++) {
    uint32_t offset = 0;
    for (uint32_t j = 0; j < depth; j++) {
      int32_t v = indices[(size_t)t * depth + j];
      if (v < 0 || v >= target[j]) return index_error(t, v, target[j], j);
      offset = offset * (uint32_t)target[j] + (uint32_t)v;
    }
    offsets[t] = offset;
  }
  return KILN_OK;
}

/**
 * GatherNd / ScatterNd. `frame` (int32): [out, src, indices, size, tuples, depth, inner,
 * dtype (0 f32, 1 i32, 2 bool), scatter (0/1), out_elements, target[depth]]. A gather copies
 * the block of `inner` elements at each tuple; a scatter zeroes the output and adds each
 * update block at its tuple (int32 wraps, bool ORs).
 */
int32_t KILN_EXPORT(kiln_gather_nd)(const int32_t* frame) {
  uint8_t* out = (uint8_t*)frame[0];
  const uint8_t* src = (const uint8_t*)frame[1];
  const int32_t* indices = (const int32_t*)frame[2];
  uint32_t size = (uint32_t)frame[3];
  uint32_t tuples = (uint32_t)frame[4];
  uint32_t depth = (uint32_t)frame[5];
  uint32_t inner = (uint32_t)frame[6];
  int32_t dtype = frame[7];
  int32_t scatter = frame[8];
  uint32_t out_elements = (uint32_t)frame[9];
  const int32_t* target = frame + 10;
  uint32_t* offsets = kiln_scratch_alloc(tuples * 4 + 4);
  if (!offsets) return KILN_ERR_NO_MEMORY;
  int32_t status = tuple_offsets(indices, tuples, depth, target, offsets);
  if (status != KILN_OK) {
    kiln_scratch_free(offsets);
    return status;
  }
  size_t block = (size_t)inner * size;
  if (!scatter) {
    for (uint32_t t = 0; t < tuples; t++) memcpy(out + (size_t)t * block, src + (size_t)offsets[t] * block, block);
  } else {
    memset(out, 0, (size_t)out_elements * size);
    for (uint32_t t = 0; t < tuples; t++) {
      uint8_t* q = out + (size_t)offsets[t] * block;
      const uint8_t* p = src + (size_t)t * block;
      if (dtype == 0) for (uint32_t i = 0; i < inner; i++) ((float*)q)[i] += ((const float*)p)[i];
      else if (dtype == 1) for (uint32_t i = 0; i < inner; i++) ((uint32_t*)q)[i] += ((const uint32_t*)p)[i];
      else for (uint32_t i = 0; i < inner; i++) q[i] |= p[i];
    }
  }
  kiln_scratch_free(offsets);
  return KILN_OK;
}

/** OneHot: each index gets a row of `depth` off values with the on value at the index (none when out of range). */
void KILN_EXPORT(kiln_one_hot)(uint8_t* out, const int32_t* indices, uint32_t n, uint32_t depth, uint32_t size, uint32_t on, uint32_t off) {
  for (uint32_t i = 0; i < n; i++) {
    uint8_t* row = out + (size_t)i * depth * size;
    for (uint32_t j = 0; j < depth; j++) memcpy(row + (size_t)j * size, &off, size);
    int32_t v = indices[i];
    if (v >= 0 && (uint32_t)v < depth) memcpy(row + (size_t)v * size, &on, size);
  }
}
