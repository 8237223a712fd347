/**
 * Double-precision references for the float32 transcendentals' accuracy tests: Math has no
 * erf, so these are the cpu backend's former implementations (a Taylor series and a
 * continued fraction, about 1e-15 relative error), slow but exact enough that their float32
 * rounding is the correctly rounded result. Everything else is compared with `Math`.
 *
 * ```ts
 * Math.fround(erfReference(0.5)); // the float32 nearest erf(0.5)
 * ```
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/** erf(x) for |x| < 2.5 by its all-positive Taylor series: (2/√π) e^(-x²) Σ (2x²)^n x / (2n+1)!!. */
function erfSeries(x: number): number {
  const twoXSquared = 2 * x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= twoXSquared / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
}

/** erfc(x) for x >= 2.5 by its continued fraction e^(-x²)/√π / (x + (1/2)/(x + 1/(x + ...))), from the tail. */
function erfcContinuedFraction(x: number): number {
  const terms = x < 4 ? 60 : x < 8 ? 30 : 12;
  let f = x;
  for (let k = terms; k >= 1; k--) f = x + (0.5 * k) / f;
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

/** The Gauss error function to about 1e-15. */
export function erfReference(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 2.5) return erfSeries(x);
  if (ax >= 6) return x > 0 ? 1 : -1;
  const tail = erfcContinuedFraction(ax);
  return x > 0 ? 1 - tail : tail - 1;
}

/** 1 - erf(x), with full relative precision for large x. */
export function erfcReference(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x < 0.5) return 1 - erfReference(x);
  if (x < 2.5) return 1 - erfSeries(x);
  if (x > 27) return 0;
  return erfcContinuedFraction(x);
}
