import { powersOfTwo } from "./pow2.js";
import { warmUp } from "./warm_up.js";

/**
 * `log` and `log1p` for the cpu backend's generated loops, float32-accurate and faster than
 * `Math.log`. Plain top-level functions on numbers, so V8 inlines them into each loop.
 *
 * `x = 2^k · m` with `m` in [√½, √2) (k read from the double's exponent bits through a
 * one-element typed-array view, m = x·2^-k exactly), then `log(m) = 2·atanh(s)` with
 * `s = (m - 1)/(m + 1)`, |s| <= 0.1716, as `2s + s³·P(s²)`: P is a degree-3 minimax
 * polynomial whose error contributes 1.7e-11 relative. Results, once stored, are within one
 * float32 ulp of the correctly rounded value, denormal float32 inputs included.
 *
 * ```ts
 * logf(Math.E); // 1
 * logf(0);      // -Infinity
 * log1pf(-0);   // -0
 * ```
 */

const BITS = new Float64Array(1);
const WORDS = new Int32Array(BITS.buffer);
/** Index of the word holding sign, exponent and top mantissa bits (1 on little-endian machines). */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
/** Doubles in [2^-250, 2^250) take the fast path; the rest (0, negatives, NaN, ±Infinity) use Math.log. */
const MAX_K = 250;
const FAST_LOW = (1023 - MAX_K) << 20;
const FAST_HIGH = (1023 + MAX_K) << 20;
/** Adding this to the high word carries into the exponent exactly when the mantissa is at least √2. */
const SQRT_HALF_SHIFT = 0x3ff00000 - 0x3fe6a09e;
const K_BIAS = 256;
const POW2 = powersOfTwo(K_BIAS);
// P(z) ≈ (2·atanh(s) - 2s)/s³ with z = s², |s| <= 0.1716 (Remez, absolute error 1.1e-9).
const P0 = 0.6666666655292498;
const P1 = 0.40000122833608764;
const P2 = 0.2855072798629032;
const P3 = 0.2333263170451803;

/** 2·atanh(s) = log((1 + s)/(1 - s)) for |s| <= 0.1716. */
function twoAtanh(s: number): number {
  const z = s * s;
  return 2 * s + s * z * (P0 + z * P1 + z * z * (P2 + z * P3));
}

/** Natural logarithm: log(0) is -Infinity, log of a negative number or NaN is NaN, log(Infinity) is Infinity. */
export function logf(x: number): number {
  BITS[0] = x;
  const high = WORDS[HIGH]!;
  if (!(high >= FAST_LOW && high < FAST_HIGH)) return Math.log(x);
  const k = ((high + SQRT_HALF_SHIFT) >> 20) - 1023;
  const f = x * POW2[K_BIAS - k]! - 1; // m - 1, exact
  // (0 - k) keeps an exact +0 for k = 0, so log(1) is +0.
  return twoAtanh(f / (2 + f)) - (0 - k) * Math.LN2;
}

/**
 * log(1 + x): near 0 (|x| < 0.25) as 2·atanh(x / (2 + x)), which keeps full relative
 * precision (and -0); elsewhere as log(1 + x), where rounding 1 + x costs nothing visible.
 * log1p(-1) is -Infinity and log1p(x < -1) is NaN.
 */
export function log1pf(x: number): number {
  if (Math.abs(x) < 0.25) return twoAtanh(x / (2 + x));
  return logf(1 + x);
}

warmUp([logf, log1pf]);
