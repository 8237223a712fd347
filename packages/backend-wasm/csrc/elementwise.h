/* The generated elementwise kernels and what runs them (elementwise.c). */
#ifndef KILN_ELEMENTWISE_H
#define KILN_ELEMENTWISE_H

#include "simd_math.h"

/* One elementwise op on `n` elements: inputs and output contiguous in their storage dtype. */
typedef void (*kiln_ew_kernel)(const uint8_t* const* in, uint8_t* out, uint32_t n);

extern const kiln_ew_kernel kiln_ew_kernels[];
extern const uint32_t kiln_ew_kernel_count;

#endif
