/**
 * The streams behind the stateless (tensor-seeded) random ops, `tf.statelessRandomUniform`,
 * `tf.statelessRandomNormal` and `tf.statelessTruncatedNormal`.
 *
 * They read the same Philox4x32-10 words as the seeded streams in `prng.ts` (element `i`
 * is word `i & 3` of block `i >> 2`, counter `[block low, block high, 0, 0]`, truncated
 * redraws from `[i low, i high, attempt, 0]`), with the key taken from the seed tensor:
 * `key = [seed[0], seed[1]]` as unsigned words. A seed `[lo, hi]` therefore reads the words
 * of the JS seed `hi * 2^32 + lo`.
 *
 * Their transforms differ: every step is one float32 operation (`+`, `-`, `*`, an exact
 * scaling by a power of two, a comparison, a reinterpretation of bits), with no library
 * `log`, `cos` or `sqrt`, so C, WGSL and JS compute the same bits and a backend never has
 * to read the seed back to the host. The logarithm and the sine and cosine are short
 * polynomials (absolute error below 1e-7), the square root three Newton steps. This file
 * is the contract: the C (`backend-wasm/csrc/random.c`) and WGSL ports follow it line by line.
 *
 * ```ts
 * const out = new Float32Array(4);
 * fillStatelessNormal(out, 1, 2, 0, 1, false); // the same four values on every backend
 * ```
 */
import { fillUniformIntKey, philox4x32, TRUNCATION_BOUND } from "./prng.js";

const f = Math.fround;
const TWO_POW_32 = 4294967296;

/** `ln(1 + t) = t * Q(t)` on `[sqrt(1/2) - 1, sqrt(2) - 1]`: Q's coefficients, lowest first (float32). */
export const LOG_COEFFS: readonly number[] = [
  1, -0.499999881, 0.333341837, -0.250021547, 0.199569777, -0.165606961, 0.149490952, -0.143773302, 0.0874394551,
].map(f);
/** Taylor coefficients of sin(x)/x and cos(x) in x^2 (float32), for |x| <= pi/4. */
export const SIN_COEFFS: readonly number[] = [1, -0.166666672, 0.00833333377, -0.000198412701, 2.75573188e-6].map(f);
export const COS_COEFFS: readonly number[] = [1, -0.5, 0.0416666679, -0.00138888892, 2.48015876e-5, -2.755732e-7].map(f);
const LN2 = f(0.693147182);
const HALF_PI = f(1.57079637);
const SQRT_HALF = f(0.707106769);
const SQRT_TWO = f(1.41421354);

/**
 * The Philox key of a seed tensor's two values: each as an unsigned 32-bit word.
 *
 * ```ts
 * statelessKey([-1, 3]); // [4294967295, 3]
 * ```
 */
export function statelessKey(seed: ArrayLike<number>): [number, number] {
  return [seed[0]! >>> 0, seed[1]! >>> 0];
}

/** `2^-e` for e in 0..25 (exact), so the log's scaling needs no `Math.pow`. */
const INVERSE_POWERS = Float64Array.from({ length: 26 }, (_, e) => 2 ** -e);

/** Horner's rule in float32 over `c[0..n-1]`: `c[0] + x * (c[1] + x * (...))`. */
function horner(c: Float64Array, x: number): number {
  let acc = c[c.length - 1]!;
  for (let k = c.length - 2; k >= 0; k--) acc = f(f(acc * x) + c[k]!);
  return acc;
}

const LOG = Float64Array.from(LOG_COEFFS);
const SIN = Float64Array.from(SIN_COEFFS);
const COS = Float64Array.from(COS_COEFFS);

/** `ln(k * 2^-24)` for an integer `k` in `[1, 2^24]`, in float32 steps. */
export function portableLog(k: number): number {
  let e = 31 - Math.clz32(k);
  let m = k * INVERSE_POWERS[e]!; // exact: k has at most 25 bits
  if (m > SQRT_TWO) {
    m *= 0.5;
    e += 1;
  }
  const t = f(m - 1); // exact
  return f(f((e - 24) * LN2) + f(t * horner(LOG, t)));
}

const bits = new Float32Array(1);
const words = new Uint32Array(bits.buffer);

/** `sqrt(x)` for `x > 0`: an initial guess from the bits, three Newton steps of 1/sqrt(x), then `x * y`. */
export function portableSqrt(x: number): number {
  if (!(x > 0)) return 0;
  bits[0] = x;
  words[0] = (0x5f3759df - (words[0]! >>> 1)) >>> 0;
  let y = bits[0]!;
  const half = f(x * 0.5);
  for (let i = 0; i < 3; i++) y = f(y * f(1.5 - f(half * f(y * y))));
  return f(x * y);
}

/**
 * Two standard normals from two Philox words (Box-Muller): `a` gives the radius from
 * `u = ((a >>> 8) + 1) * 2^-24` in `(0, 1]`, `b` the angle, its top two bits the quadrant and
 * the next 24 the position within it. Writes `out[at]` and `out[at + 1]`.
 */
export function portableNormalPair(a: number, b: number, out: Float64Array | Float32Array, at: number): void {
  const r = portableSqrt(f(-2 * portableLog((a >>> 8) + 1)));
  const quadrant = b >>> 30;
  const d = ((b >>> 6) & 0xffffff) * 2 ** -24 - 0.5; // exact, in [-0.5, 0.5)
  const theta = f(d * HALF_PI);
  const x2 = f(theta * theta);
  const s = f(theta * horner(SIN, x2));
  const c = horner(COS, x2);
  // The angle is quadrant * pi/2 + pi/4 + theta.
  const cq = f(f(c - s) * SQRT_HALF);
  const sq = f(f(c + s) * SQRT_HALF);
  const cosA = quadrant === 0 ? cq : quadrant === 1 ? -sq : quadrant === 2 ? -cq : sq;
  const sinA = quadrant === 0 ? sq : quadrant === 1 ? cq : quadrant === 2 ? -sq : -cq;
  out[at] = f(r * cosA);
  out[at + 1] = f(r * sinA);
}

/** The largest float32 strictly below the float32 `x`. */
function float32Below(x: number): number {
  if (x === 0) return -1.401298464324817e-45;
  bits[0] = x;
  words[0] = x > 0 ? words[0]! - 1 : words[0]! + 1;
  return bits[0]!;
}

/**
 * Uniform float32 values in `[minval, maxval)`: `u = (word >>> 9) * 2^-23`, then
 * `u * (maxval - minval) + minval` in float32 (TF's order); a value rounded up to `maxval`
 * becomes the float32 just below it. For `[0, 1)` the values equal `fillUniform`'s.
 */
export function fillStatelessUniform(out: Float32Array, k0: number, k1: number, minval: number, maxval: number): void {
  const lo = f(minval);
  const hi = f(maxval);
  const span = f(hi - lo);
  const below = float32Below(hi);
  const w = new Uint32Array(4);
  const n = out.length;
  for (let block = 0; block * 4 < n; block++) {
    philox4x32(block >>> 0, Math.floor(block / TWO_POW_32) >>> 0, 0, 0, k0, k1, w);
    const end = Math.min(4, n - block * 4);
    for (let j = 0; j < end; j++) {
      const v = f(f((w[j]! >>> 9) * 1.1920928955078125e-7 * span) + lo);
      out[block * 4 + j] = span > 0 && v >= hi ? below : v;
    }
  }
}

/** Uniform int32 values in `[minval, maxval)`: `minval + mulHi32(word, maxval - minval)`, as `fillUniformInt`. */
export function fillStatelessUniformInt(out: Int32Array, k0: number, k1: number, minval: number, maxval: number): void {
  fillUniformIntKey(out, k0, k1, minval, maxval);
}

/**
 * Normal float32 values `z * stdDev + mean` (float32 steps), `z` from `portableNormalPair`
 * on words (0, 1) and (2, 3) of each block. With `truncated`, a `z` with `|z| >= 2` is
 * redrawn from the element's own counters, taking the first of a block's four normals inside.
 */
export function fillStatelessNormal(out: Float32Array, k0: number, k1: number, mean: number, stdDev: number, truncated: boolean): void {
  const m = f(mean);
  const sd = f(stdDev);
  const w = new Uint32Array(4);
  const z = new Float32Array(4);
  const n = out.length;
  for (let block = 0; block * 4 < n; block++) {
    philox4x32(block >>> 0, Math.floor(block / TWO_POW_32) >>> 0, 0, 0, k0, k1, w);
    portableNormalPair(w[0]!, w[1]!, z, 0);
    portableNormalPair(w[2]!, w[3]!, z, 2);
    const end = Math.min(4, n - block * 4);
    for (let j = 0; j < end; j++) {
      const i = block * 4 + j;
      let v = z[j]!;
      if (truncated && !(Math.abs(v) < TRUNCATION_BOUND)) v = redraw(i, k0, k1);
      out[i] = f(f(v * sd) + m);
    }
  }
}

/** A truncated-normal redraw for element `i` (about 4.6% of elements). */
function redraw(i: number, k0: number, k1: number): number {
  const w = new Uint32Array(4);
  const z = new Float32Array(4);
  for (let attempt = 1; ; attempt++) {
    philox4x32(i >>> 0, Math.floor(i / TWO_POW_32) >>> 0, attempt, 0, k0, k1, w);
    portableNormalPair(w[0]!, w[1]!, z, 0);
    portableNormalPair(w[2]!, w[3]!, z, 2);
    for (let j = 0; j < 4; j++) if (Math.abs(z[j]!) < TRUNCATION_BOUND) return z[j]!;
  }
}
