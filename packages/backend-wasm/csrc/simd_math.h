/*
 * float32 math on four lanes at a time, used by the generated elementwise kernels.
 *
 * exp, expm1, log, log1p and tanh are SIMD128 polynomials accurate to about 1-3 float32
 * ulps (core's scalar table asks for "a few ulps"; measured over every float32 input: exp
 * 1.3, tanh 2.7): Cody-Waite range reduction and minimax polynomials (log: the classic
 * Cephes coefficients; exp and expm1 share one degree-6 fit). The rarely hot functions (sin,
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

/*
 * -x and |x| as bit operations on the sign bit, exactly what f32x4.neg and f32x4.abs do
 * (NaN payloads included), but one instruction each in V8, whose lowering of those two
 * rebuilds the sign mask (two more instructions) at every use.
 */
KILN_INLINE vec v_neg_f32(vec x) { return wasm_v128_xor(x, v_i32((int32_t)0x80000000)); }
KILN_INLINE vec v_abs_f32(vec x) { return wasm_v128_and(x, v_i32(0x7fffffff)); }

/* 2^k for integer lanes k in [-126, 127]. */
KILN_INLINE vec v_pow2i(vec k) { return wasm_i32x4_shl(wasm_i32x4_add(k, v_i32(127)), 23); }

/*
 * a * b + c, in two roundings (SIMD128 has no fused multiply-add). With KILN_RELAXED_MADD
 * (only bench/relaxed_fma.c defines it: no shipped binary does) it is relaxed SIMD's
 * f32x4.relaxed_madd, fused where the CPU has FMA.
 */
#ifdef KILN_RELAXED_MADD
KILN_INLINE vec v_madd(vec a, vec b, vec c) { return wasm_f32x4_relaxed_madd(a, b, c); }
#else
KILN_INLINE vec v_madd(vec a, vec b, vec c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }
#endif

/*
 * e^r - 1 on |r| <= ln2/2 as r + r^2 P(r), P of degree 4 (a minimax fit of the relative
 * error of e^r, 0.05 * 2^-24), evaluated in Estrin's order: a shorter dependency chain
 * than Horner's, which is what bounds these kernels on an out-of-order core.
 */
KILN_INLINE vec v_expm1_poly(vec r) {
  vec r2 = wasm_f32x4_mul(r, r);
  vec lo = v_madd(v_f32(0x1.555492p-3f), r, v_f32(0x1.fffffcp-2f));
  vec hi = v_madd(v_f32(0x1.1239d4p-7f), r, v_f32(0x1.5558f2p-5f));
  hi = v_madd(v_f32(0x1.6a244cp-10f), r2, hi);
  return wasm_f32x4_add(r, wasm_f32x4_mul(r2, v_madd(hi, r2, lo)));
}

/* e^r on |r| <= ln2/2: (1 + r) + r^2 P(r), so the exact leading terms are added last. */
KILN_INLINE vec v_exp_reduced(vec r) {
  vec r2 = wasm_f32x4_mul(r, r);
  vec lo = v_madd(v_f32(0x1.555492p-3f), r, v_f32(0x1.fffffcp-2f));
  vec hi = v_madd(v_f32(0x1.1239d4p-7f), r, v_f32(0x1.5558f2p-5f));
  hi = v_madd(v_f32(0x1.6a244cp-10f), r2, hi);
  return wasm_f32x4_add(wasm_f32x4_add(v_f32(1.0f), r), wasm_f32x4_mul(r2, v_madd(hi, r2, lo)));
}

/*
 * x = k ln2 + r with |r| <= ln2/2; returns r and t, whose low mantissa bits hold the integer
 * k: t = x log2(e) + 1.5 * 2^23 rounds x log2(e) to an integer, so shifting t left by 23
 * puts k in the exponent field (cheaper in V8 than a saturating conversion). r itself
 * takes k from f32x4.nearest of the same product, which rounds the same way (ties to even)
 * but is one instruction after the multiply instead of two: r is on the critical path, t is
 * only needed at the end. ln2 is split in two (Cody-Waite): k * LN2_HI is exact for
 * |k| < 2^9. |x| must be below 2^22.
 */
KILN_INLINE vec v_reduce_ln2(vec x, vec* t_out) {
  vec z = wasm_f32x4_mul(x, v_f32(0x1.715476p+0f));
  vec k = wasm_f32x4_nearest(z);
  *t_out = wasm_f32x4_add(z, v_f32(0x1.8p23f));
  vec r = wasm_f32x4_sub(x, wasm_f32x4_mul(k, v_f32(0x1.62e4p-1f)));
  return wasm_f32x4_sub(r, wasm_f32x4_mul(k, v_f32(0x1.7f7d1cp-20f)));
}

/* The integer k held in t (see v_reduce_ln2). */
KILN_INLINE vec v_reduced_k(vec t) { return wasm_i32x4_sub(t, v_i32(0x4b400000)); }

/* 2^k as a float for k held in t (see v_reduce_ln2), -126 <= k <= 127. */
KILN_INLINE vec v_reduced_scale(vec t) { return wasm_i32x4_add(wasm_i32x4_shl(t, 23), v_i32(0x3f800000)); }

/*
 * Clamps x to [lo, hi] keeping NaN: pmin/pmax (single instructions, unlike min/max) return
 * their first operand when the comparison fails, as it does for NaN.
 */
KILN_INLINE vec v_clamp(vec x, float lo, float hi) { return wasm_f32x4_pmax(wasm_f32x4_pmin(x, v_f32(hi)), v_f32(lo)); }

/*
 * Whether every lane has |x| <= 87 (so e^x and its scale factor are normal floats, and no
 * lane is NaN): x^2 <= 87^2 is false for NaN and infinities, and one i32x4.bitmask is
 * fewer instructions in V8 than f32x4.abs plus i32x4.all_true.
 */
KILN_INLINE int v_moderate(vec x) { return wasm_i32x4_bitmask(wasm_f32x4_le(wasm_f32x4_mul(x, x), v_f32(7569.0f))) == 15; }

/*
 * e^x for any input: NaN stays NaN, overflow gives +Infinity, underflow rounds through the
 * subnormals to 0. Lanes that are moderate get exactly what v_exp's common case gives them,
 * so a lane's result never depends on its neighbours.
 */
static KILN_NOINLINE vec v_exp_any(vec x) {
  vec t;
  vec r = v_reduce_ln2(v_clamp(x, -110.0f, 89.0f), &t);
  vec p = v_exp_reduced(r);
  /* 2^k as two factors so k down to -159 and up to 128 stay representable. */
  vec k = v_reduced_k(t);
  vec k1 = wasm_i32x4_shr(k, 1);
  vec k2 = wasm_i32x4_sub(k, k1);
  return wasm_f32x4_mul(wasm_f32x4_mul(p, v_pow2i(k1)), v_pow2i(k2));
}

/*
 * e^x, within 1.3 ulp of the exact value. The common case (every lane moderate) scales by
 * 2^k by adding k to the exponent field; other vectors take the careful path.
 */
KILN_INLINE vec v_exp(vec x) {
  if (!v_moderate(x)) return v_exp_any(x);
  vec t;
  vec p = v_exp_reduced(v_reduce_ln2(x, &t));
  return wasm_i32x4_add(p, wasm_i32x4_shl(t, 23));
}

/*
 * The logistic function 1 / (1 + e^-x), bit for bit what that formula gives with v_exp
 * (checked over all 2^32 inputs), without v_exp's range test. With u = -x clamped to
 * [-85, 88.75], e^u = e^r 2^k with 2^(k-1) a normal float (k in [-123, 128]); the product
 * p 2^(k-1) is exact and finite, and doubling it overflows to Infinity exactly where e^u
 * does (giving 0). Below -85, e^u no longer changes 1 + e^u. The negation is folded into
 * the reduction (rounding is symmetric, so r is the same float), and NaN lanes stay NaN
 * through the product p 2^(k-1) whatever their scale. The gain over the branching form is
 * mostly register pressure: V8 keeps hoisted vector constants in stack slots once the
 * four interleaved copies fill the 16 registers, and this form has fewer live values.
 * The rounding constant carries the exponent bias too: t = z + (1.5 * 2^23 + 126) holds
 * k + 126 in its low mantissa bits, so t << 23 is 2^(k-1) with no add and one constant
 * fewer (8% less time; the constant stays even, so ties round to the k that nearest gives:
 * the same bits over all 2^32 inputs).
 *
 * ```c
 * v_sigmoid(v_f32(0.0f)); // 0.5 in every lane
 * ```
 */
KILN_INLINE vec v_sigmoid(vec x) {
  vec a = v_clamp(x, -88.75f, 85.0f);
  vec z = wasm_f32x4_mul(a, v_f32(-0x1.715476p+0f)); /* u log2(e) for u = -a */
  vec k = wasm_f32x4_nearest(z);
  vec t = wasm_f32x4_add(z, v_f32(0x1.8p23f + 126.0f));
  vec r = wasm_f32x4_sub(wasm_f32x4_sub(wasm_f32x4_mul(k, v_f32(-0x1.62e4p-1f)), a), wasm_f32x4_mul(k, v_f32(0x1.7f7d1cp-20f)));
  vec half_scale = wasm_i32x4_shl(t, 23); /* 2^(k-1) */
  vec e = wasm_f32x4_mul(v_exp_reduced(r), half_scale);
  return wasm_f32x4_div(v_f32(1.0f), wasm_f32x4_add(v_f32(1.0f), wasm_f32x4_add(e, e)));
}

/* e^x - 1 for any input, accurate near 0: 2^k (e^r - 1) + (2^k - 1). */
static KILN_NOINLINE vec v_expm1_any(vec x) {
  vec t;
  vec r = v_reduce_ln2(v_clamp(x, -30.0f, 88.0f), &t);
  vec em1 = v_expm1_poly(r);
  vec k = v_reduced_k(t);
  vec scale = v_pow2i(k);
  vec result = v_madd(scale, em1, wasm_f32x4_sub(scale, v_f32(1.0f)));
  /*
   * k = 0 keeps the unscaled value (and the sign of -0). Above 88 (where 2^k would leave the
   * exponent field) e^x - 1 is e^x in float32: finite up to ln(FLT_MAX) = 88.72, then
   * Infinity, as v_exp_any's two-factor scaling gives it.
   */
  result = wasm_v128_bitselect(em1, result, wasm_i32x4_eq(k, v_i32(0)));
  return wasm_v128_bitselect(v_exp_any(x), result, wasm_f32x4_gt(x, v_f32(88.0f)));
}

/* e^x - 1; moderate vectors skip the clamps and the overflow test. */
KILN_INLINE vec v_expm1(vec x) {
  if (!v_moderate(x)) return v_expm1_any(x);
  vec t;
  vec em1 = v_expm1_poly(v_reduce_ln2(x, &t));
  vec scale = v_reduced_scale(t);
  vec result = v_madd(scale, em1, wasm_f32x4_sub(scale, v_f32(1.0f)));
  return wasm_v128_bitselect(em1, result, wasm_i32x4_eq(t, v_f32(0x1.8p23f)));
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
 * Hyperbolic tangent, within 2.7 ulp: tanh |x| = e / (e + 2) with e = e^2|x| - 1, which is
 * accurate near 0 (expm1 has no cancellation) and needs one exponential and one division;
 * the sign of x is then copied, so tanh(-0) is -0. |x| is clamped to 9, where tanh is 1 in
 * float32, so e^2|x| is always a normal float (no range test) and NaN stays NaN. At k = 0
 * the scaled form 1 * (e^r - 1) + 0 is e^r - 1 itself, so no select is needed.
 */
KILN_INLINE vec v_tanh(vec x) {
  vec a = wasm_f32x4_pmin(wasm_v128_and(x, v_i32(0x7fffffff)), v_f32(9.0f));
  /*
   * v_reduce_ln2(a + a), with 2a computed beside the product (2 a log2(e) = a (2 log2(e))
   * exactly) and k ln2 as one product: its rounding error (under 2^-24 of 2a <= 18) shows
   * in e^2a but is damped by 2 / (e + 2) in tanh (the maximum error over every float in
   * [0.17, 9], where k >= 1, is 2.25 ulp either way). The rounding constant carries the
   * exponent bias (t << 23 is 2^k, no add), and k is read back from t, so k and the scale
   * always agree. The constant is odd, so a tie (z exactly n + 1/2: 28 values of |x|, the
   * first z = 0.5 at |x| = 0x1.62e43p-3) takes the odd k, not nearest's even one; r then
   * differs by ln 2 and the result does not: the same bits as rounding with f32x4.nearest
   * over all 2^32 inputs (checked exhaustively), one constant and one add fewer.
   */
  vec z = wasm_f32x4_mul(a, v_f32(0x1.715476p+1f));
  vec t = wasm_f32x4_add(z, v_f32(0x1.8p23f + 127.0f));
  vec k = wasm_f32x4_sub(t, v_f32(0x1.8p23f + 127.0f));
  vec r = wasm_f32x4_sub(wasm_f32x4_add(a, a), wasm_f32x4_mul(k, v_f32(0x1.62e430p-1f)));
  vec em1 = v_expm1_poly(r);
  vec scale = wasm_i32x4_shl(t, 23);
  vec e = v_madd(scale, em1, wasm_f32x4_sub(scale, v_f32(1.0f)));
  vec y = wasm_f32x4_div(e, wasm_f32x4_add(e, v_f32(2.0f)));
  return wasm_v128_or(y, wasm_v128_and(x, v_i32((int32_t)0x80000000)));
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
