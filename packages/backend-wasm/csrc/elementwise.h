/* The generated elementwise kernels and what runs them (elementwise.c). */
#ifndef KILN_ELEMENTWISE_H
#define KILN_ELEMENTWISE_H

#include "simd_math.h"

/* One elementwise op on `n` elements: inputs and output contiguous in their storage dtype. */
typedef void (*kiln_ew_kernel)(const uint8_t* const* in, uint8_t* out, uint32_t n);

extern const kiln_ew_kernel kiln_ew_kernels[];
extern const uint32_t kiln_ew_kernel_count;

/* The longest register run (generated/elementwise_runs.c). */
#define KILN_EW_MAX_RUN 64

/* Per kernel id: the roles it can take in a register run (bit 0: the running value is x0, bit 1: x1); 0 if none. */
extern const uint8_t kiln_ew_run_roles[];

/*
 * A register run: `count` cheap ops applied in turn to a running value held in registers,
 * sixteen elements at a time, with no buffer between them. The value starts as `first`;
 * op k is case codes[k] = 2 * kernel + (1 if the running value is the kernel's x1), and
 * reads its other argument, if any, from operands[k] (element i at operands[k] + 4 i);
 * the result goes to `out`. All lanes are four bytes. Every case is the kernel's own C, so
 * the result equals the kernels run one by one bit for bit, except that a NaN result's sign
 * and payload may differ (wasm leaves them to the engine, and V8 may order a commutative
 * instruction's operands differently here); `out` may be `first`.
 *
 *   // y = relu(x * w + b) on n floats
 *   uint32_t codes[3] = {2 * MUL, 2 * ADD, 2 * RELU};
 *   const uint8_t* operands[3] = {w, b, x};
 *   kiln_ew_run(codes, operands, 3, x, y, n);
 */
void kiln_ew_run(const uint32_t* codes, const uint8_t* const* operands, uint32_t count, const uint8_t* first, uint8_t* out, uint32_t n);

#endif
