/*
 * What relaxed SIMD's fused multiply-add would give Kiln's transcendental kernels: the
 * production polynomials (csrc/simd_math.h, whose v_madd becomes f32x4.relaxed_madd when
 * KILN_RELAXED_MADD is defined) in the generated kernels' loop shape (four vectors per step),
 * and the 10-op chain as the op program runs it (256-element blocks: a register run,
 * exp, a register run, sigmoid, tanh). bench/relaxed_fma.ts builds this file twice with
 * clang-19 (with and without KILN_RELAXED_MADD) and times both builds side by side.
 */
#include "../csrc/simd_math.h"

#define BLOCK 256u

#define FOUR_PER_STEP(name, f)                                                  \
  static __attribute__((noinline)) void name(const float* in, float* out, uint32_t n) { \
    for (uint32_t i = 0; i < n; i += 16) {                                      \
      vec a = wasm_v128_load(in + i), b = wasm_v128_load(in + i + 4);           \
      vec c = wasm_v128_load(in + i + 8), d = wasm_v128_load(in + i + 12);      \
      wasm_v128_store(out + i, f(a));                                           \
      wasm_v128_store(out + i + 4, f(b));                                       \
      wasm_v128_store(out + i + 8, f(c));                                       \
      wasm_v128_store(out + i + 12, f(d));                                      \
    }                                                                           \
  }

FOUR_PER_STEP(exp_loop, v_exp)
FOUR_PER_STEP(sigmoid_loop, v_sigmoid)
FOUR_PER_STEP(tanh_loop, v_tanh)

/* -relu((x + y) * 0.5), the chain's first register run. */
static __attribute__((noinline)) void head_run(const float* x, const float* y, float* out, uint32_t n) {
  for (uint32_t i = 0; i < n; i += 4) {
    vec v = wasm_f32x4_mul(wasm_f32x4_add(wasm_v128_load(x + i), wasm_v128_load(y + i)), v_f32(0.5f));
    wasm_v128_store(out + i, v_neg_f32(wasm_f32x4_pmax(v, v_f32(0.0f))));
  }
}

/* sqrt(|e - y|), the chain's second register run. */
static __attribute__((noinline)) void middle_run(const float* e, const float* y, float* out, uint32_t n) {
  for (uint32_t i = 0; i < n; i += 4) {
    vec v = wasm_f32x4_sub(wasm_v128_load(e + i), wasm_v128_load(y + i));
    wasm_v128_store(out + i, wasm_f32x4_sqrt(v_abs_f32(v)));
  }
}

static float block_a[BLOCK] __attribute__((aligned(16)));
static float block_b[BLOCK] __attribute__((aligned(16)));

/* n must be a multiple of BLOCK. */
__attribute__((export_name("chain"))) void chain(const float* x, const float* y, float* out, uint32_t n) {
  for (uint32_t s = 0; s < n; s += BLOCK) {
    head_run(x + s, y + s, block_a, BLOCK);
    exp_loop(block_a, block_b, BLOCK);
    middle_run(block_b, y + s, block_a, BLOCK);
    sigmoid_loop(block_a, block_b, BLOCK);
    tanh_loop(block_b, out + s, BLOCK);
  }
}

/* n must be a multiple of 16. */
__attribute__((export_name("exp"))) void exp_op(const float* in, float* out, uint32_t n) { exp_loop(in, out, n); }
__attribute__((export_name("sigmoid"))) void sigmoid_op(const float* in, float* out, uint32_t n) { sigmoid_loop(in, out, n); }
__attribute__((export_name("tanh"))) void tanh_op(const float* in, float* out, uint32_t n) { tanh_loop(in, out, n); }
