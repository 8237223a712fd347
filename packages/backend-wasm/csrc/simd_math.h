/*
 * float32 math on four lanes at a time, used by the generated elementwise kernels.
 *
 * exp, expm1, log, log1p and tanh are SIMD128 polynomials accurate to about 1-2 float32
 * ulps (core's scalar table asks for "a few ulps"): Cody-Waite range reduction and
 * minimax polynomials (the classic Cephes coefficients). The rarely hot functions (sin,
 * cos, atan2, erf, erfc, pow, fmod) run per lane in double precision through libc, so
 * they round exactly like the cpu backend's JS Math calls. Integer helpers implement the
 * table's int32 rules (division by zero gives 0, INT_MIN / -1 wraps).
 */
#ifndef KILN_SIMD_MATH_H
#define KILN_SIMD_MATH_H

#include <math.h>
#include "kiln.h"

typedef v128_t vec;

KILN_INLINE vec v_f32(float x) { return wasm_f32x4_splat(x); }
KILN_INLINE vec v_i32(int32_t x) { return wasm_i32x4_splat(x); }

/* 2^k for integer lanes k in [-126, 127]. */
KILN_INLINE vec v_pow2i(vec k) { return wasm_i32x4_shl(wasm_i32x4_add(k, v_i32(127)), 23); }

/* e^r - 1 - r over r^2 on |r| <= ln2/2 (Cephes expf). */
KILN_INLINE vec v_exp_poly(vec r) {
  vec p = v_f32(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), v_f32(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), v_f32(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), v_f32(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), v_f32(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), v_f32(5.0000001201e-1f));
  return p;
}

/*
 * x = k ln2 + r with |r| <= ln2/2; returns r and the integer k. k is rounded with the
 * 1.5 * 2^23 trick (adding it leaves round(x log2 e) in the low mantissa bits), which is
 * cheaper in V8 than f32x4.nearest plus a saturating conversion. |x| must be below 2^22.
 */
KILN_INLINE vec v_reduce_ln2(vec x, vec* k_out) {
  vec t = wasm_f32x4_add(wasm_f32x4_mul(x, v_f32(1.44269504088896341f)), v_f32(12582912.0f));
  vec k = wasm_f32x4_sub(t, v_f32(12582912.0f));
  vec r = wasm_f32x4_sub(x, wasm_f32x4_mul(k, v_f32(0.693359375f)));
  r = wasm_f32x4_add(r, wasm_f32x4_mul(k, v_f32(2.12194440e-4f)));
  *k_out = wasm_i32x4_sub(t, v_i32(0x4b400000));
  return r;
}

/*
 * Clamps x to [lo, hi] keeping NaN: pmin/pmax (single instructions, unlike min/max) return
 * their first operand when the comparison fails, as it does for NaN.
 */
KILN_INLINE vec v_clamp(vec x, float lo, float hi) { return wasm_f32x4_pmax(wasm_f32x4_pmin(x, v_f32(hi)), v_f32(lo)); }

/* e^x for any input: NaN stays NaN, overflow gives +Infinity, underflow rounds through the subnormals to 0. */
static KILN_NOINLINE vec v_exp_any(vec x) {
  vec k;
  vec r = v_reduce_ln2(v_clamp(x, -110.0f, 89.0f), &k);
  vec p = wasm_f32x4_add(wasm_f32x4_add(v_f32(1.0f), r), wasm_f32x4_mul(wasm_f32x4_mul(r, r), v_exp_poly(r)));
  /* 2^k as two factors so k down to -159 and up to 128 stay representable. */
  vec k1 = wasm_i32x4_shr(k, 1);
  vec k2 = wasm_i32x4_sub(k, k1);
  return wasm_f32x4_mul(wasm_f32x4_mul(p, v_pow2i(k1)), v_pow2i(k2));
}

/* Whether every lane has |x| <= 87 (so e^x and its scale factor are normal floats, and no lane is NaN). */
KILN_INLINE int v_moderate(vec x) { return wasm_i32x4_all_true(wasm_f32x4_le(wasm_f32x4_abs(x), v_f32(87.0f))); }

/*
 * e^x. The common case (every lane moderate) scales by 2^k by adding k to the exponent
 * field, with no clamping; other vectors take the careful path.
 */
KILN_INLINE vec v_exp(vec x) {
  if (!v_moderate(x)) return v_exp_any(x);
  vec k;
  vec r = v_reduce_ln2(x, &k);
  vec p = wasm_f32x4_add(wasm_f32x4_add(v_f32(1.0f), r), wasm_f32x4_mul(wasm_f32x4_mul(r, r), v_exp_poly(r)));
  return wasm_i32x4_add(p, wasm_i32x4_shl(k, 23));
}

/* e^x - 1 for any input, accurate near 0: 2^k (e^r - 1) + (2^k - 1) with e^r - 1 = r + r^2 P(r). */
static KILN_NOINLINE vec v_expm1_any(vec x) {
  vec k;
  vec r = v_reduce_ln2(v_clamp(x, -30.0f, 88.0f), &k);
  vec em1 = wasm_f32x4_add(r, wasm_f32x4_mul(wasm_f32x4_mul(r, r), v_exp_poly(r)));
  vec scale = v_pow2i(k);
  vec result = wasm_f32x4_add(wasm_f32x4_mul(scale, em1), wasm_f32x4_sub(scale, v_f32(1.0f)));
  /* k = 0 keeps the unscaled value (and the sign of -0); above 88 the result overflows. */
  result = wasm_v128_bitselect(em1, result, wasm_i32x4_eq(k, v_i32(0)));
  return wasm_v128_bitselect(v_f32(INFINITY), result, wasm_f32x4_gt(x, v_f32(88.0f)));
}

/* e^x - 1; moderate vectors skip the clamps and the overflow test. */
KILN_INLINE vec v_expm1(vec x) {
  if (!v_moderate(x)) return v_expm1_any(x);
  vec k;
  vec r = v_reduce_ln2(x, &k);
  vec em1 = wasm_f32x4_add(r, wasm_f32x4_mul(wasm_f32x4_mul(r, r), v_exp_poly(r)));
  vec scale = v_pow2i(k);
  vec result = wasm_f32x4_add(wasm_f32x4_mul(scale, em1), wasm_f32x4_sub(scale, v_f32(1.0f)));
  return wasm_v128_bitselect(em1, result, wasm_i32x4_eq(k, v_i32(0)));
}

/* Natural logarithm: log(0) = -Infinity, negative or NaN gives NaN, log(Infinity) = Infinity. */
KILN_INLINE vec v_log(vec x) {
  /* Subnormals: scale by 2^23 so the exponent field is meaningful. */
  vec tiny = wasm_f32x4_lt(x, v_f32(1.17549435e-38f));
  vec xs = wasm_v128_bitselect(wasm_f32x4_mul(x, v_f32(8388608.0f)), x, tiny);
  vec bias = wasm_v128_and(tiny, v_i32(23));
  vec bits = xs;
  vec e = wasm_i32x4_sub(wasm_i32x4_sub(wasm_u32x4_shr(bits, 23), v_i32(127)), bias);
  vec m = wasm_v128_or(wasm_v128_and(bits, v_i32(0x007fffff)), v_i32(0x3f800000)); /* [1, 2) */
  vec big = wasm_f32x4_gt(m, v_f32(1.41421356f));
  m = wasm_v128_bitselect(wasm_f32x4_mul(m, v_f32(0.5f)), m, big);
  e = wasm_i32x4_sub(e, big); /* big is -1 where true */
  vec ef = wasm_f32x4_convert_i32x4(e);
  vec f = wasm_f32x4_sub(m, v_f32(1.0f));
  vec z = wasm_f32x4_mul(f, f);
  vec p = v_f32(7.0376836292e-2f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), v_f32(-1.1514610310e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), v_f32(1.1676998740e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), v_f32(-1.2420140846e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), v_f32(1.4249322787e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), v_f32(-1.6668057665e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), v_f32(2.0000714765e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), v_f32(-2.4999993993e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), v_f32(3.3333331174e-1f));
  vec y = wasm_f32x4_mul(wasm_f32x4_mul(f, z), p);
  y = wasm_f32x4_add(y, wasm_f32x4_mul(ef, v_f32(-2.12194440e-4f)));
  y = wasm_f32x4_sub(y, wasm_f32x4_mul(z, v_f32(0.5f)));
  vec result = wasm_f32x4_add(wasm_f32x4_add(f, y), wasm_f32x4_mul(ef, v_f32(0.693359375f)));
  result = wasm_v128_bitselect(v_f32(-INFINITY), result, wasm_f32x4_eq(x, v_f32(0.0f)));
  result = wasm_v128_bitselect(v_f32(INFINITY), result, wasm_f32x4_eq(x, v_f32(INFINITY)));
  vec invalid = wasm_v128_or(wasm_f32x4_lt(x, v_f32(0.0f)), wasm_f32x4_ne(x, x));
  return wasm_v128_bitselect(v_f32(NAN), result, invalid);
}

/* log(1 + x) without cancellation: log(u) * x / (u - 1) for u = 1 + x (Goldberg). */
KILN_INLINE vec v_log1p(vec x) {
  vec u = wasm_f32x4_add(v_f32(1.0f), x);
  vec d = wasm_f32x4_sub(u, v_f32(1.0f));
  vec scaled = wasm_f32x4_mul(v_log(u), wasm_f32x4_div(x, d));
  vec exact = wasm_f32x4_eq(d, v_f32(0.0f));
  vec result = wasm_v128_bitselect(x, scaled, exact);
  result = wasm_v128_bitselect(v_f32(INFINITY), result, wasm_f32x4_eq(x, v_f32(INFINITY)));
  return wasm_v128_bitselect(v_f32(-INFINITY), result, wasm_f32x4_eq(x, v_f32(-1.0f)));
}

/*
 * Hyperbolic tangent as e / (e + 2) with e = e^2x - 1: accurate near 0 (expm1 has no
 * cancellation) and needing one exponential and one division. |x| is clamped to 9, where
 * tanh is 1 in float32; the sign of x is copied so tanh(-0) is -0.
 */
KILN_INLINE vec v_tanh(vec x) {
  vec c = v_clamp(x, -9.0f, 9.0f);
  vec e = v_expm1(wasm_f32x4_add(c, c));
  vec t = wasm_f32x4_div(e, wasm_f32x4_add(e, v_f32(2.0f)));
  return wasm_v128_or(wasm_f32x4_abs(t), wasm_v128_and(x, v_i32((int32_t)0x80000000)));
}

/* Per-lane helpers: apply a scalar function to each lane. */
#define KILN_LANES_F1(name, expr)                                     \
  KILN_INLINE vec name(vec a) {                                       \
    float r[4];                                                       \
    for (int l = 0; l < 4; l++) {                                     \
      double x = (double)((float*)&a)[l];                             \
      r[l] = (float)(expr);                                           \
    }                                                                 \
    return wasm_v128_load(r);                                         \
  }
#define KILN_LANES_F2(name, expr)                                     \
  KILN_INLINE vec name(vec a, vec b) {                                \
    float r[4];                                                       \
    for (int l = 0; l < 4; l++) {                                     \
      double x = (double)((float*)&a)[l];                             \
      double y = (double)((float*)&b)[l];                             \
      r[l] = (float)(expr);                                           \
    }                                                                 \
    return wasm_v128_load(r);                                         \
  }
#define KILN_LANES_I2(name, expr)                                     \
  KILN_INLINE vec name(vec a, vec b) {                                \
    int32_t r[4];                                                     \
    for (int l = 0; l < 4; l++) {                                     \
      int32_t x = ((int32_t*)&a)[l];                                  \
      int32_t y = ((int32_t*)&b)[l];                                  \
      r[l] = (expr);                                                  \
    }                                                                 \
    return wasm_v128_load(r);                                         \
  }

KILN_LANES_F1(v_sin, sin(x))
KILN_LANES_F1(v_cos, cos(x))
KILN_LANES_F1(v_erf, erf(x))
KILN_LANES_F1(v_erfc, erfc(x))
KILN_LANES_F2(v_atan2, atan2(x, y))
/* C's pow has the table's special cases (pow(1, y) = 1, pow(-1, +-Infinity) = 1). */
KILN_LANES_F2(v_pow_f32, pow(x, y))
/* fmod is exact, so computing it on the doubles gives the float32 result. */
KILN_LANES_F2(v_rem_f32, fmod(x, y))

KILN_INLINE int32_t kiln_rem_i32(int32_t a, int32_t b) { return (b == 0 || b == -1) ? 0 : a % b; }

KILN_INLINE int32_t kiln_floordiv_i32(int32_t a, int32_t b) {
  if (b == 0) return 0;
  if (b == -1) return (int32_t)(0u - (uint32_t)a); /* wraps for INT_MIN */
  int32_t q = a / b;
  return (q * b != a && ((a < 0) != (b < 0))) ? q - 1 : q;
}

KILN_INLINE int32_t kiln_pow_i32(int32_t a, int32_t b) {
  if (b < 0) return a == 1 ? 1 : a == -1 ? ((b & 1) == 0 ? 1 : -1) : 0;
  uint32_t result = 1, base = (uint32_t)a;
  for (uint32_t e = (uint32_t)b; e > 0; e >>= 1) {
    if (e & 1) result *= base;
    base *= base;
  }
  return (int32_t)result;
}

KILN_LANES_I2(v_rem_i32, kiln_rem_i32(x, y))
KILN_LANES_I2(v_floordiv_i32, kiln_floordiv_i32(x, y))
KILN_LANES_I2(v_pow_i32, kiln_pow_i32(x, y))

/* Loads and stores of four elements in each dtype's storage; bools become lane masks. */
KILN_INLINE vec ld_f32(const void* p) { return wasm_v128_load(p); }
KILN_INLINE vec ld_i32(const void* p) { return wasm_v128_load(p); }
KILN_INLINE vec ld_bool(const void* p) {
  vec bytes = wasm_v128_load32_zero(p);
  vec wide = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(bytes));
  return wasm_i32x4_ne(wide, wasm_i32x4_splat(0));
}
KILN_INLINE void st_f32(void* p, vec v) { wasm_v128_store(p, v); }
KILN_INLINE void st_i32(void* p, vec v) { wasm_v128_store(p, v); }
KILN_INLINE void st_bool(void* p, vec mask) {
  vec ones = wasm_v128_and(mask, wasm_i32x4_splat(1));
  vec narrow = wasm_u8x16_narrow_i16x8(wasm_u16x8_narrow_i32x4(ones, ones), wasm_u16x8_narrow_i32x4(ones, ones));
  wasm_v128_store32_lane(p, narrow, 0);
}

#endif
