/*
 * The stateless (tensor-seeded) random streams of @kiln/core (base/prng_stateless.ts),
 * ported line for line: the key is read from the seed tensor, and every transform step is
 * one float32 operation (no libm log, cos or sqrt), so the values equal the cpu backend's
 * bit for bit. Contraction into fused multiply-adds is off: each product is rounded.
 */
#pragma clang fp contract(off)
#include "kiln.h"
#include "philox.h"

static const float LOG_COEFFS[9] = {1.0f, -0.499999881f, 0.333341837f, -0.250021547f, 0.199569777f,
                                    -0.165606961f, 0.149490952f, -0.143773302f, 0.0874394551f};
static const float SIN_COEFFS[5] = {1.0f, -0.166666672f, 0.00833333377f, -0.000198412701f, 2.75573188e-6f};
static const float COS_COEFFS[6] = {1.0f, -0.5f, 0.0416666679f, -0.00138888892f, 2.48015876e-5f, -2.755732e-7f};
#define LN2 0.693147182f
#define HALF_PI 1.57079637f
#define SQRT_HALF 0.707106769f
#define SQRT_TWO 1.41421354f

static float horner(const float* c, int n, float x) {
  float acc = c[n - 1];
  for (int k = n - 2; k >= 0; k--) {
    float p = acc * x;
    acc = p + c[k];
  }
  return acc;
}

static float from_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static uint32_t to_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

/* ln(k * 2^-24) for k in [1, 2^24]. */
static float portable_log(uint32_t k) {
  int32_t e = 31 - __builtin_clz(k);
  float m = (float)k * from_bits((uint32_t)(127 - e) << 23);
  if (m > SQRT_TWO) {
    m = m * 0.5f;
    e += 1;
  }
  float t = m - 1.0f;
  float a = (float)(e - 24) * LN2;
  float b = t * horner(LOG_COEFFS, 9, t);
  return a + b;
}

static float portable_sqrt(float x) {
  if (!(x > 0.0f)) return 0.0f;
  float y = from_bits(0x5f3759dfu - (to_bits(x) >> 1));
  float half = x * 0.5f;
  for (int i = 0; i < 3; i++) {
    float yy = y * y;
    float hyy = half * yy;
    float d = 1.5f - hyy;
    y = y * d;
  }
  return x * y;
}

static void normal_pair(uint32_t a, uint32_t b, float* out) {
  float l = portable_log((a >> 8) + 1u);
  float r = portable_sqrt(-2.0f * l);
  uint32_t quadrant = b >> 30;
  float d = (float)((b >> 6) & 0xffffffu) * 5.9604644775390625e-8f - 0.5f;
  float theta = d * HALF_PI;
  float x2 = theta * theta;
  float s = theta * horner(SIN_COEFFS, 5, x2);
  float c = horner(COS_COEFFS, 6, x2);
  float cq = (c - s) * SQRT_HALF;
  float sq = (c + s) * SQRT_HALF;
  float cos_a = quadrant == 0 ? cq : quadrant == 1 ? -sq : quadrant == 2 ? -cq : sq;
  float sin_a = quadrant == 0 ? sq : quadrant == 1 ? cq : quadrant == 2 ? -sq : -cq;
  out[0] = r * cos_a;
  out[1] = r * sin_a;
}

static void counter_words(uint64_t counter, uint32_t attempt, uint32_t k0, uint32_t k1, uint32_t words[4]) {
  words[0] = (uint32_t)counter;
  words[1] = (uint32_t)(counter >> 32);
  words[2] = attempt;
  words[3] = 0;
  kiln_philox(words, k0, k1);
}

/** Fills `n` uniform float32 in [minval, maxval) from the seed at `seed` (two int32). */
void KILN_EXPORT(kiln_stateless_uniform)(float* out, uint32_t n, const uint32_t* seed, float minval, float maxval, float below) {
  float span = maxval - minval;
  uint32_t words[4];
  for (uint64_t block = 0; block * 4 < n; block++) {
    counter_words(block, 0, seed[0], seed[1], words);
    for (uint32_t j = 0; j < 4 && block * 4 + j < n; j++) {
      float u = (float)(words[j] >> 9) * 1.1920928955078125e-7f;
      float p = u * span;
      float v = p + minval;
      out[block * 4 + j] = span > 0.0f && v >= maxval ? below : v;
    }
  }
}

/** Fills `n` int32 uniform in [minval, maxval) from the seed at `seed`. */
void KILN_EXPORT(kiln_stateless_uniform_int)(int32_t* out, uint32_t n, const uint32_t* seed, int32_t minval, int32_t maxval) {
  uint32_t range = (uint32_t)maxval - (uint32_t)minval;
  uint32_t words[4];
  for (uint64_t block = 0; block * 4 < n; block++) {
    counter_words(block, 0, seed[0], seed[1], words);
    for (uint32_t j = 0; j < 4 && block * 4 + j < n; j++) {
      out[block * 4 + j] = (int32_t)((uint32_t)minval + (uint32_t)(((uint64_t)words[j] * range) >> 32));
    }
  }
}

static float redraw(uint64_t i, uint32_t k0, uint32_t k1) {
  uint32_t words[4];
  float z[4];
  for (uint32_t attempt = 1;; attempt++) {
    counter_words(i, attempt, k0, k1, words);
    normal_pair(words[0], words[1], z);
    normal_pair(words[2], words[3], z + 2);
    for (int j = 0; j < 4; j++) if (__builtin_fabsf(z[j]) < 2.0f) return z[j];
  }
}

/** Fills `n` normal float32 `z * std_dev + mean`; `truncated` redraws |z| >= 2. */
void KILN_EXPORT(kiln_stateless_normal)(float* out, uint32_t n, const uint32_t* seed, float mean, float std_dev, uint32_t truncated) {
  uint32_t words[4];
  float z[4];
  for (uint64_t block = 0; block * 4 < n; block++) {
    counter_words(block, 0, seed[0], seed[1], words);
    normal_pair(words[0], words[1], z);
    normal_pair(words[2], words[3], z + 2);
    for (uint32_t j = 0; j < 4 && block * 4 + j < n; j++) {
      float v = z[j];
      if (truncated && !(__builtin_fabsf(v) < 2.0f)) v = redraw(block * 4 + j, seed[0], seed[1]);
      float p = v * std_dev;
      out[block * 4 + j] = p + mean;
    }
  }
}
