/**
 * Float32 ulp distances for the accuracy tests: how many representable float32 values lie
 * between two results, after both are rounded to float32.
 *
 * ```ts
 * ulpDistance(1, 1 + 2 ** -23); // 1
 * ulpDistance(NaN, NaN);        // 0
 * ulpDistance(0, -0);           // Infinity: a wrong sign of zero is never close
 * ```
 */

const FLOAT = new Float32Array(1);
const BITS = new Int32Array(FLOAT.buffer);

/** The float32 nearest `x` as an integer that orders like the values (-0 and +0 both map to 0). */
function ordinal(x: number): number {
  FLOAT[0] = x;
  const bits = BITS[0]!;
  return bits >= 0 ? bits : -(bits & 0x7fffffff);
}

/** Ulps between the float32 roundings of `a` and `b`; NaN only matches NaN, zeros must share a sign. */
export function ulpDistance(a: number, b: number): number {
  const fa = Math.fround(a);
  const fb = Math.fround(b);
  if (Number.isNaN(fa) || Number.isNaN(fb)) return Number.isNaN(fa) && Number.isNaN(fb) ? 0 : Infinity;
  if (fa === 0 && fb === 0) return Object.is(fa, fb) ? 0 : Infinity;
  return Math.abs(ordinal(fa) - ordinal(fb));
}

/** The float32 whose bit pattern is `bits` (as an int32 or uint32). */
export function float32FromBits(bits: number): number {
  BITS[0] = bits | 0;
  return FLOAT[0]!;
}

/**
 * The float32 values from `from` to `to` (inclusive, same sign, `from` nearer 0): all of them,
 * or `limit` evenly spaced ones where there are more.
 */
export function float32Range(from: number, to: number, limit = Infinity): number[] {
  FLOAT[0] = from;
  const start = BITS[0]!;
  FLOAT[0] = to;
  const end = BITS[0]!;
  const step = Math.max(1, Math.ceil((end - start + 1) / limit));
  const values: number[] = [];
  for (let bits = start; bits <= end; bits += step) values.push(float32FromBits(bits));
  return values;
}

/** The worst ulp distance of `fn` against `reference` over `inputs`, where it occurred, and how many differ at all. */
export interface Accuracy {
  maxUlps: number;
  worstInput: number;
  differing: number;
  count: number;
}

/** Measures `fn` against `reference` (both rounded to float32) on each input. */
export function measure(fn: (x: number) => number, reference: (x: number) => number, inputs: Iterable<number>): Accuracy {
  const result: Accuracy = { maxUlps: 0, worstInput: Number.NaN, differing: 0, count: 0 };
  for (const x of inputs) {
    const ulps = ulpDistance(fn(x), reference(x));
    result.count++;
    if (ulps > 0) result.differing++;
    if (ulps > result.maxUlps) {
      result.maxUlps = ulps;
      result.worstInput = x;
    }
  }
  return result;
}

/**
 * Every `stride`-th float32 bit pattern over the whole range (both signs, denormals, NaNs and
 * ±Infinity included), each moved by a pseudo-random amount below `stride` so the low
 * mantissa bits vary too.
 */
export function* float32Sweep(stride: number): Generator<number> {
  let seed = 12345;
  for (let base = 0; base < 2 ** 32; base += stride) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    yield float32FromBits(base + (seed % stride));
  }
}
