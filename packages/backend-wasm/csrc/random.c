/*
 * The seeded random streams of @kiln/core (base/prng.ts), ported line for line so a
 * seeded op gives the same values on every backend: Philox4x32-10 counters, uniform floats
 * from the top 23 bits of a word, integers by Lemire's multiply-shift, Box-Muller normals
 * (in double precision, like the JS original), and truncated normals redrawn from their
 * own counters.
 */
#include <math.h>
#include "kiln.h"
#include "philox.h"

static void block_words(uint64_t block, uint32_t k0, uint32_t k1, uint32_t words[4]) {
  words[0] = (uint32_t)block;
  words[1] = (uint32_t)(block >> 32);
  words[2] = 0;
  words[3] = 0;
  kiln_philox(words, k0, k1);
}

/** Fills `n` uniform float32 in [minval, maxval); `below` is the largest float32 under maxval. */
void KILN_EXPORT(kiln_random_uniform)(float* out, uint32_t n, uint32_t k0, uint32_t k1, double minval, double maxval, float below) {
  double span = maxval - minval;
  uint32_t words[4];
  for (uint64_t block = 0; block * 4 < n; block++) {
    block_words(block, k0, k1, words);
    for (uint32_t j = 0; j < 4 && block * 4 + j < n; j++) {
      float v = (float)(minval + (double)(words[j] >> 9) * 1.1920928955078125e-7 * span);
      out[block * 4 + j] = span > 0 && v >= maxval ? below : v;
    }
  }
}

/** Fills `n` int32 uniform in [minval, maxval). */
void KILN_EXPORT(kiln_random_uniform_int)(int32_t* out, uint32_t n, uint32_t k0, uint32_t k1, int32_t minval, int32_t maxval) {
  uint32_t range = (uint32_t)maxval - (uint32_t)minval;
  uint32_t words[4];
  for (uint64_t block = 0; block * 4 < n; block++) {
    block_words(block, k0, k1, words);
    for (uint32_t j = 0; j < 4 && block * 4 + j < n; j++) {
      out[block * 4 + j] = (int32_t)((uint32_t)minval + (uint32_t)(((uint64_t)words[j] * range) >> 32));
    }
  }
}

static void box_muller(const uint32_t words[4], double normals[4]) {
  for (int p = 0; p < 4; p += 2) {
    double u1 = ((double)words[p] + 1.0) / 4294967296.0;
    double theta = 6.283185307179586 * ((double)words[p + 1] / 4294967296.0);
    double r = sqrt(-2.0 * log(u1));
    normals[p] = r * cos(theta);
    normals[p + 1] = r * sin(theta);
  }
}

static double redraw(uint64_t i, uint32_t k0, uint32_t k1) {
  uint32_t words[4];
  double normals[4];
  for (uint32_t attempt = 1;; attempt++) {
    words[0] = (uint32_t)i;
    words[1] = (uint32_t)(i >> 32);
    words[2] = attempt;
    words[3] = 0;
    kiln_philox(words, k0, k1);
    box_muller(words, normals);
    for (int j = 0; j < 4; j++) if (fabs(normals[j]) < 2.0) return normals[j];
  }
}

/** Fills `n` normal float32 (mean, stdDev); `truncated` redraws values outside two standard deviations. */
void KILN_EXPORT(kiln_random_normal)(float* out, uint32_t n, uint32_t k0, uint32_t k1, double mean, double std_dev, uint32_t truncated) {
  uint32_t words[4];
  double normals[4];
  for (uint64_t block = 0; block * 4 < n; block++) {
    block_words(block, k0, k1, words);
    box_muller(words, normals);
    for (uint32_t j = 0; j < 4 && block * 4 + j < n; j++) {
      double z = normals[j];
      if (truncated && !(fabs(z) < 2.0)) z = redraw(block * 4 + j, k0, k1);
      out[block * 4 + j] = (float)(mean + std_dev * z);
    }
  }
}
