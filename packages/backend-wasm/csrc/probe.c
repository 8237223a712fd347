/*
 * Micro-benchmarks of the machine's limits, for the benchmark table (bench/limits.ts):
 * the SIMD128 mul+add ceiling of one thread, measured with the GEMM's own instruction mix
 * on data that stays in L1, and the memory read bandwidth.
 */
#include "kiln.h"

/**
 * Runs `rounds` passes of a 5x8 mul+add micro-kernel over L1-resident panels (`panels`
 * must hold 5 * 256 + 256 * 8 floats): 80 floating-point operations per step, 256 steps
 * per pass. Returns a checksum so the work cannot be optimised away.
 */
float KILN_EXPORT(kiln_probe_peak)(const float* panels, uint32_t rounds) {
  v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00;
  for (uint32_t r = 0; r < rounds; r++) {
    const float* a = panels;
    const float* b = panels + 5 * 256;
    for (uint32_t p = 0; p < 256; p++, a += 5, b += 8) {
      v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
      v128_t a0 = wasm_v128_load32_splat(a);
      c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a0, b0));
      c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a0, b1));
      v128_t a1 = wasm_v128_load32_splat(a + 1);
      c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a1, b0));
      c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a1, b1));
      v128_t a2 = wasm_v128_load32_splat(a + 2);
      c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a2, b0));
      c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a2, b1));
      v128_t a3 = wasm_v128_load32_splat(a + 3);
      c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a3, b0));
      c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a3, b1));
      v128_t a4 = wasm_v128_load32_splat(a + 4);
      c40 = wasm_f32x4_add(c40, wasm_f32x4_mul(a4, b0));
      c41 = wasm_f32x4_add(c41, wasm_f32x4_mul(a4, b1));
    }
  }
  v128_t s = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(c00, c01), wasm_f32x4_add(c10, c11)), wasm_f32x4_add(wasm_f32x4_add(c20, c21), wasm_f32x4_add(c30, c31)));
  s = wasm_f32x4_add(s, wasm_f32x4_add(c40, c41));
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) + wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3);
}

/** Reads `n` floats (n a multiple of 16) with four SIMD accumulators; returns their sum. */
float KILN_EXPORT(kiln_probe_read)(const float* x, uint32_t n) {
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
  for (uint32_t i = 0; i < n; i += 16) {
    s0 = wasm_f32x4_add(s0, wasm_v128_load(x + i));
    s1 = wasm_f32x4_add(s1, wasm_v128_load(x + i + 4));
    s2 = wasm_f32x4_add(s2, wasm_v128_load(x + i + 8));
    s3 = wasm_f32x4_add(s3, wasm_v128_load(x + i + 12));
  }
  v128_t s = wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3));
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) + wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3);
}
