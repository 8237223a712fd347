/*
 * One Philox4x32-10 block (core's base/prng.ts `philox4x32`): the counter `c` is replaced
 * by the block's four output words under the key (k0, k1). Shared by the seeded streams
 * (random.c) and the stateless ones (stateless_random.c).
 */
#ifndef KILN_PHILOX_H
#define KILN_PHILOX_H

#include <stdint.h>

static inline void kiln_philox(uint32_t c[4], uint32_t k0, uint32_t k1) {
  for (int round = 0; round < 10; round++) {
    uint64_t p0 = (uint64_t)0xd2511f53u * c[0];
    uint64_t p1 = (uint64_t)0xcd9e8d57u * c[2];
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k0;
    uint32_t n2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k1;
    c[1] = (uint32_t)p1;
    c[3] = (uint32_t)p0;
    c[0] = n0;
    c[2] = n2;
    k0 += 0x9e3779b9u;
    k1 += 0xbb67ae85u;
  }
}

#endif
