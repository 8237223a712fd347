import { expf } from "./exp.js";
import { warmUp } from "./warm_up.js";

/**
 * The error function and its complement for the cpu backend's generated loops (Math has
 * neither), float32-accurate: relative error below 2e-10 before rounding, so stored results
 * are within one float32 ulp of the correctly rounded value. Plain top-level functions on
 * numbers, so V8 inlines them into each loop (exact GELU calls erfc per element).
 *
 * - |x| < 1: `erf(x) = x·P(x²)`, P a degree-8 minimax polynomial (relative error 8e-13);
 *   erfc is `1 - erf(x)` there (it is at least 0.157).
 * - |x| >= 1: `erfc(|x|) = t·exp(-x² + R(t))` with `t = 1/(1 + |x|/2)` (the form of Numerical
 *   Recipes' erfcc), R a degree-10 minimax polynomial fitted on [1, 11] (absolute error
 *   8.8e-11, which is the relative error of erfc); erf is `1 - erfc` there. This keeps
 *   erfc's relative precision down to its float32 underflow near x = 10.06, and beyond it
 *   the result keeps shrinking towards 0 (exp's argument is clamped at -150).
 *
 * ```ts
 * erff(0.5);  // 0.5204998778...
 * erfcf(10);  // 2.088487583e-45 (a float32 denormal once stored)
 * erfcf(-Infinity); // 2
 * ```
 */

// erf(x)/x = P(x²) on |x| <= 1.
const P0 = 1.128379167094586;
const P1 = -0.3761263888850534;
const P2 = 0.11283791285397639;
const P3 = -0.02686613141093366;
const P4 = 0.005223776412462409;
const P5 = -0.0008542489055146273;
const P6 = 0.00011954819792723584;
const P7 = -1.3898706094038492e-5;
const P8 = 1.056299050784838e-6;
// R(t) = log(erfc(x)/t) + x² with t = 1/(1 + x/2), x in [1, 11].
const R0 = -1.2655145579134028;
const R1 = 1.0000755413761324;
const R2 = 0.37400100082932386;
const R3 = 0.09060089329589693;
const R4 = -0.11669545547250752;
const R5 = -0.0753308970455914;
const R6 = -0.10906758304441583;
const R7 = -0.30666808322973294;
const R8 = 1.0590738334300862;
const R9 = -0.9188939617897518;
const R10 = 0.2689339830783882;

/** erf(x) for |x| < 1 (Estrin's scheme: shorter dependency chains than Horner's). */
function erfSmall(x: number): number {
  const z = x * x;
  const z2 = z * z;
  const z4 = z2 * z2;
  return x * (P0 + z * P1 + z2 * (P2 + z * P3) + z4 * (P4 + z * P5 + z2 * (P6 + z * P7) + z4 * P8));
}

/** erfc(a) for a >= 1, also +Infinity (0) and NaN. */
function erfcLarge(a: number): number {
  const t = 1 / (1 + 0.5 * a);
  const t2 = t * t;
  const t4 = t2 * t2;
  const t8 = t4 * t4;
  const r = R0 + t * R1 + t2 * (R2 + t * R3) + t4 * (R4 + t * R5 + t2 * (R6 + t * R7)) + t8 * (R8 + t * R9 + t2 * R10);
  return t * expf(r - a * a);
}

/** The Gauss error function: erf(±Infinity) is ±1, erf(-0) is -0, NaN stays NaN. */
export function erff(x: number): number {
  const a = Math.abs(x);
  if (a < 1) return erfSmall(x);
  const tail = erfcLarge(a);
  return x < 0 ? tail - 1 : 1 - tail;
}

/** The complementary error function 1 - erf(x), with full relative precision for large x. */
export function erfcf(x: number): number {
  const a = Math.abs(x);
  if (a < 1) return 1 - erfSmall(x);
  const tail = erfcLarge(a);
  return x < 0 ? 2 - tail : tail;
}

warmUp([erff, erfcf]);
