/**
 * Scalar functions that elementwise kernels call per element where one JS expression is not
 * enough. They are plain top-level functions, so V8 inlines them into the generated loops
 * (a call site in one generated kernel only ever sees one of them). Float math runs in
 * double precision and is rounded to float32 once, when the kernel stores the result.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/** erf(x) for |x| < 2.5 by its all-positive Taylor series: (2/√π) e^(-x²) Σ (2x²)^n x / (2n+1)!!. */
function erfSeries(x: number): number {
  const twoXSquared = 2 * x * x;
  let term = x;
  let sum = x;
  // Terms grow until n ≈ x², then shrink geometrically; 1e-17 relative is below double precision.
  for (let n = 1; n < 200; n++) {
    term *= twoXSquared / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
}

/**
 * erfc(x) for x >= 2.5 by its continued fraction e^(-x²)/√π / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
 * evaluated from the tail; it keeps full relative precision where `1 - erf(x)` would cancel.
 */
function erfcContinuedFraction(x: number): number {
  // Fewer terms are needed as x grows; 60 terms give double precision at x = 2.5.
  const terms = x < 4 ? 60 : x < 8 ? 30 : 12;
  let f = x;
  for (let k = terms; k >= 1; k--) f = x + (0.5 * k) / f;
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

/** The Gauss error function, accurate to about 1e-15 (Math has no erf). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 2.5) return erfSeries(x);
  if (ax >= 6) return x > 0 ? 1 : -1; // erfc(6) ≈ 2e-17 is below double resolution at 1
  const tail = erfcContinuedFraction(ax);
  return x > 0 ? 1 - tail : tail - 1;
}

/** The complementary error function 1 - erf(x), with full relative precision for large x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x < 0.5) return 1 - erf(x);
  if (x < 2.5) return 1 - erfSeries(x);
  if (x > 27) return 0; // e^(-729) underflows double
  return erfcContinuedFraction(x);
}

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

/** float -> int32 conversion: truncates toward zero, saturates out of range, NaN -> 0. */
export function floatToInt32(x: number): number {
  return x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : x | 0;
}

/** Every helper by name, for the code generator to put in scope. */
export const elementwiseHelpers = {
  erf,
  erfc,
  roundHalfEven,
  remInt,
  floorDivInt,
  powFloat,
  powInt,
  floatToInt32,
};
