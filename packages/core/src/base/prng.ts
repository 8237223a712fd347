/**
 * The seeded random streams behind `randomUniform`, `randomNormal` and `truncatedNormal`.
 *
 * Every backend must produce the same values for the same seed, so the streams are defined
 * here once, as pure functions of (seed, element index): a backend either calls the `fill*`
 * functions on the host and uploads the result, or ports the few lines below to its own
 * language (Philox needs only 32-bit multiplies, so it ports to C and WGSL unchanged).
 *
 * The generator is Philox4x32-10 (Salmon et al., "Parallel Random Numbers: As Easy as
 * 1, 2, 3", SC'11), the counter-based generator TensorFlow also uses: each 128-bit counter
 * maps to four independent 32-bit words under a 64-bit key, with no state between calls,
 * so element `i` can be computed without computing elements `0..i-1`.
 *
 * Stream layout (the contract other backends port):
 * - key = the seed as a 64-bit two's-complement integer, `[low word, high word]`.
 * - Element `i` of uniform and normal streams reads word `i & 3` of block `i >> 2`, whose
 *   counter is `[block low word, block high word, 0, 0]`.
 * - A truncated-normal element outside two standard deviations is redrawn from the block
 *   with counter `[i low, i high, attempt, 0]` (attempt = 1, 2, ...), taking the first of
 *   its four normals that lies inside.
 *
 * ```ts
 * const out = new Float32Array(4);
 * fillUniform(out, 42, 0, 1); // the same four values on every backend
 * ```
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const M0_HI = M0 >>> 16;
const M0_LO = M0 & 0xffff;
const M1_HI = M1 >>> 16;
const M1_LO = M1 & 0xffff;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO_POW_32 = 4294967296;
const TWO_PI = 2 * Math.PI;
/** Truncated normals keep values strictly inside this many standard deviations, like TF. */
export const TRUNCATION_BOUND = 2;

/**
 * One Philox4x32-10 block: writes the four output words of counter `c0..c3` under key
 * `(k0, k1)` into `out[0..3]` as unsigned 32-bit integers.
 *
 * ```ts
 * const out = new Uint32Array(4);
 * philox4x32(0, 0, 0, 0, 0, 0, out); // 6627e8d5 e169c58d bc57ac4c 9b00dbd8 (Random123 KAT)
 * ```
 */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array): void {
  // Words are kept as signed int32 (`| 0`) inside the loop so the JIT uses integer
  // registers; XOR and Math.imul see the same bits either way.
  c0 |= 0;
  c1 |= 0;
  c2 |= 0;
  c3 |= 0;
  k0 |= 0;
  k1 |= 0;
  for (let round = 0; round < 10; round++) {
    // High words of the 32x32 -> 64-bit products from 16-bit partial products (each
    // exact in a double); the low words are Math.imul.
    const a0Lo = c0 & 0xffff;
    const a0Hi = c0 >>> 16;
    const p0lh = a0Lo * M0_HI;
    const p0hl = a0Hi * M0_LO;
    const mid0 = ((a0Lo * M0_LO) >>> 16) + (p0lh & 0xffff) + (p0hl & 0xffff);
    const hi0 = (a0Hi * M0_HI + (p0lh >>> 16) + (p0hl >>> 16) + (mid0 >>> 16)) | 0;
    const lo0 = Math.imul(c0, M0);
    const a2Lo = c2 & 0xffff;
    const a2Hi = c2 >>> 16;
    const p2lh = a2Lo * M1_HI;
    const p2hl = a2Hi * M1_LO;
    const mid2 = ((a2Lo * M1_LO) >>> 16) + (p2lh & 0xffff) + (p2hl & 0xffff);
    const hi1 = (a2Hi * M1_HI + (p2lh >>> 16) + (p2hl >>> 16) + (mid2 >>> 16)) | 0;
    const lo1 = Math.imul(c2, M1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    // The key schedule bump after the last round is unused; computing it is harmless.
    k0 = (k0 + W0) | 0;
    k1 = (k1 + W1) | 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/** The high 32 bits of the 64-bit product of two unsigned 32-bit integers. */
export function mulHi32(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lh = aLo * bHi;
  const hl = aHi * bLo;
  const mid = ((aLo * bLo) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aHi * bHi + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** The Philox key for a seed: the seed as a 64-bit two's-complement integer, low word first. */
export function seedKey(seed: number): [number, number] {
  return [seed >>> 0, Math.floor(seed / TWO_POW_32) >>> 0];
}

/**
 * A fresh random seed for ops called without one, so each call draws new values. It only
 * needs to differ between calls, not to be reproducible, so `Math.random` is enough.
 */
export function freshSeed(): number {
  return Math.floor(Math.random() * TWO_POW_32) * 2097152 + Math.floor(Math.random() * 2097152);
}

/** A seed is any safe integer (negative too), like TF's int64 seeds within JS's exact range. */
export function isSeed(value: unknown): value is number {
  return Number.isSafeInteger(value);
}

/**
 * Fills `out` with uniform floats in `[minval, maxval)`. Each word keeps its top 23 bits,
 * so the unit value is an exact float32 in `[0, 1)` (TF does the same).
 */
export function fillUniform(out: Float32Array, seed: number, minval: number, maxval: number): void {
  const [k0, k1] = seedKey(seed);
  const words = new Uint32Array(4);
  const span = maxval - minval;
  // Rounding `minval + u * span` to float32 can land on maxval; the largest float32 below
  // it keeps the interval half-open.
  const below = float32Below(maxval);
  const n = out.length;
  for (let block = 0; block * 4 < n; block++) {
    philox4x32(block >>> 0, Math.floor(block / TWO_POW_32) >>> 0, 0, 0, k0, k1, words);
    const end = Math.min(4, n - block * 4);
    for (let j = 0; j < end; j++) {
      const v = Math.fround(minval + (words[j]! >>> 9) * 1.1920928955078125e-7 * span);
      out[block * 4 + j] = span > 0 && v >= maxval ? below : v;
    }
  }
}

/**
 * Fills `out` with integers uniform in `[minval, maxval)` (requires `minval < maxval`,
 * both int32). Uses the high word of `word * range` (Lemire's multiply-shift), whose bias
 * is below `range / 2^32` and which needs no rejection loop, so it stays counter-based.
 */
export function fillUniformInt(out: Int32Array, seed: number, minval: number, maxval: number): void {
  const [k0, k1] = seedKey(seed);
  fillUniformIntKey(out, k0, k1, minval, maxval);
}

/** `fillUniformInt` under the Philox key `(k0, k1)` (the stateless ops' entry, whose key comes from a seed tensor). */
export function fillUniformIntKey(out: Int32Array, k0: number, k1: number, minval: number, maxval: number): void {
  const words = new Uint32Array(4);
  const range = (maxval - minval) >>> 0;
  const n = out.length;
  for (let block = 0; block * 4 < n; block++) {
    philox4x32(block >>> 0, Math.floor(block / TWO_POW_32) >>> 0, 0, 0, k0, k1, words);
    const end = Math.min(4, n - block * 4);
    for (let j = 0; j < end; j++) out[block * 4 + j] = (minval + mulHi32(words[j]!, range)) | 0;
  }
}

/**
 * Fills `out` with normal values of the given mean and standard deviation. Each block's
 * four words make two Box-Muller pairs; the first word of a pair maps to `(0, 1]` so the
 * logarithm is always finite.
 */
export function fillNormal(out: Float32Array, seed: number, mean: number, stdDev: number): void {
  const [k0, k1] = seedKey(seed);
  const words = new Uint32Array(4);
  const normals = new Float64Array(4);
  const n = out.length;
  for (let block = 0; block * 4 < n; block++) {
    philox4x32(block >>> 0, Math.floor(block / TWO_POW_32) >>> 0, 0, 0, k0, k1, words);
    boxMuller(words, normals);
    const end = Math.min(4, n - block * 4);
    for (let j = 0; j < end; j++) out[block * 4 + j] = mean + stdDev * normals[j]!;
  }
}

/**
 * Fills `out` with normal values redrawn until they lie strictly within two standard
 * deviations of the mean, like TF's `TruncatedNormal`. Elements already inside equal those
 * of `fillNormal` with the same seed; the others are redrawn from their own counters, so
 * every element is still a pure function of (seed, index).
 */
export function fillTruncatedNormal(out: Float32Array, seed: number, mean: number, stdDev: number): void {
  const [k0, k1] = seedKey(seed);
  const words = new Uint32Array(4);
  const normals = new Float64Array(4);
  const n = out.length;
  for (let block = 0; block * 4 < n; block++) {
    philox4x32(block >>> 0, Math.floor(block / TWO_POW_32) >>> 0, 0, 0, k0, k1, words);
    boxMuller(words, normals);
    const end = Math.min(4, n - block * 4);
    for (let j = 0; j < end; j++) {
      const i = block * 4 + j;
      let z = normals[j]!;
      if (!(Math.abs(z) < TRUNCATION_BOUND)) z = redraw(i, k0, k1);
      out[i] = mean + stdDev * z;
    }
  }
}

/** Redraws truncated-normal element `i`: rare (about 4.6% of elements), so kept out of the main loop. */
function redraw(i: number, k0: number, k1: number): number {
  const words = new Uint32Array(4);
  const normals = new Float64Array(4);
  // Each attempt has four chances of about 95%: more than a handful of attempts never happens.
  for (let attempt = 1; ; attempt++) {
    philox4x32(i >>> 0, Math.floor(i / TWO_POW_32) >>> 0, attempt, 0, k0, k1, words);
    boxMuller(words, normals);
    for (let j = 0; j < 4; j++) if (Math.abs(normals[j]!) < TRUNCATION_BOUND) return normals[j]!;
  }
}

function boxMuller(words: Uint32Array, normals: Float64Array): void {
  for (let p = 0; p < 4; p += 2) {
    const u1 = (words[p]! + 1) / TWO_POW_32;
    const theta = TWO_PI * (words[p + 1]! / TWO_POW_32);
    const r = Math.sqrt(-2 * Math.log(u1));
    normals[p] = r * Math.cos(theta);
    normals[p + 1] = r * Math.sin(theta);
  }
}

/** The largest float32 strictly below `x`. */
function float32Below(x: number): number {
  const f = new Float32Array([x]);
  if (f[0]! < x) return f[0]!; // rounding to nearest went down: nothing lies in between
  if (f[0] === 0) return -1.401298464324817e-45;
  const bits = new Int32Array(f.buffer);
  bits[0] = f[0]! > 0 ? bits[0]! - 1 : bits[0]! + 1;
  return f[0]!;
}
