import { erfcf, erff } from "./float32_math/erf.js";
import { expf, expm1f, tanhf } from "./float32_math/exp.js";
import { log1pf, logf } from "./float32_math/log.js";

/**
 * Scalar functions that elementwise kernels call per element where one JS expression is not
 * enough. They are plain top-level functions, so V8 inlines them into the generated loops
 * (a call site in one generated kernel only ever sees one of them). Float math runs in
 * double precision and is rounded to float32 once, when the kernel stores the result. The
 * float32-accurate transcendentals (`expf`, `logf`, `erff`, ...) live in `float32_math/`.
 */

/** Round half to even (banker's rounding), like TensorFlow's Round. Keeps -0 and NaN. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // halves go up (toward +Infinity)
  // A half that went up to an odd number goes down to the even one instead.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Truncated remainder for int32 (C's %); x % 0 is 0, and -2147483648 % -1 is 0 (not -0). */
export function remInt(a: number, b: number): number {
  return b === 0 ? 0 : (a % b) | 0;
}

/** Floored division for int32; x / 0 is 0 and -2147483648 / -1 wraps to -2147483648. */
export function floorDivInt(a: number, b: number): number {
  return b === 0 ? 0 : Math.floor(a / b) | 0;
}

/**
 * Float power with C's special cases, which JS's `**` lacks: pow(1, y) is 1 for any y
 * (even NaN) and pow(-1, ±Infinity) is 1.
 */
export function powFloat(a: number, b: number): number {
  if (a === 1 || (a === -1 && (b === Infinity || b === -Infinity))) return 1;
  return a ** b;
}

/**
 * int32 power by squaring with wrapping multiplies, exact like C. A negative exponent gives
 * the truncated result: ±1 for a base of ±1, otherwise 0 (tfjs's result; TF raises).
 */
export function powInt(a: number, b: number): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? ((b & 1) === 0 ? 1 : -1) : 0;
  let result = 1;
  let base = a;
  for (let e = b; e > 0; e >>>= 1) {
    if ((e & 1) !== 0) result = Math.imul(result, base);
    base = Math.imul(base, base);
  }
  return result;
}

const PAIR = new Float64Array(2);

/**
 * `c ? a : b` for floats without a branch: both values go into a two-element array and `c`
 * picks one. V8 compiles a float ternary (and Math.max) to a conditional jump, which
 * mispredicts about every other element when `c` depends on random data (relu on
 * activations): about 4 ns per element. This costs two stores and a load instead.
 *
 * ```ts
 * selectFloat(x < 0, 0, x); // relu, -0 and NaN kept
 * ```
 */
export function selectFloat(c: boolean, a: number, b: number): number {
  PAIR[0] = b;
  PAIR[1] = a;
  return PAIR[+c]!;
}

/** float -> int32 conversion: truncates toward zero, saturates out of range, NaN -> 0. */
export function floatToInt32(x: number): number {
  return x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : x | 0;
}

/**
 * A call to one of the float32 math helpers in generated JS. V8 inlines each call as a few
 * dozen instructions, so fused loops keep at most one such op per inner loop (`fused_loop.ts`).
 */
export const INLINED_HELPERS = /\b(?:expf|expm1f|logf|log1pf|tanhf|erff|erfcf)\(/;

/** Every helper by name, for the code generator to put in scope. */
export const elementwiseHelpers = {
  selectFloat,
  expf,
  expm1f,
  logf,
  log1pf,
  tanhf,
  erff,
  erfcf,
  roundHalfEven,
  remInt,
  floorDivInt,
  powFloat,
  powInt,
  floatToInt32,
};
