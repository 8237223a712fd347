import { seededRandom } from "../context.js";

/**
 * Random inputs for the op fuzzer (`fuzz_ops.ts`): shapes (scalars and empty dims included),
 * broadcast-compatible shape sets, and values drawn from classes that exercise the edges of
 * each dtype. Everything is a plain JS value, so Kiln and tfjs receive identical inputs.
 */

export type FuzzDType = "float32" | "int32" | "bool";

export const INT_MIN = -2147483648;
export const INT_MAX = 2147483647;
export const FLT_MAX = 3.4028234663852886e38;

/** One input of a case: plain values (bool as 0/1), its shape and dtype. */
export interface FuzzInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: FuzzDType;
  readonly values: readonly number[];
}

/**
 * Float32 values every op meets sooner or later: NaN, infinities, signed zeros, the largest
 * and smallest normal and subnormal magnitudes, halves (rounding ties), exp/log boundaries,
 * integers float32 cannot hold exactly, and values just past the int32 range.
 */
export const SPECIAL_FLOATS: readonly number[] = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1.5,
  -2.5,
  FLT_MAX,
  -FLT_MAX,
  1e30,
  -1e30,
  1e-30,
  -1e-30,
  1.1754943508222875e-38, // smallest normal
  -1.1754943508222875e-38,
  1e-40, // subnormal
  1.401298464324817e-45, // smallest subnormal
  -1.401298464324817e-45,
  88.72283935546875, // exp overflows just above
  -87.33654022216797, // exp underflows to subnormals below
  -103.97,
  16777217, // not a float32: rounds to 16777216
  2147483648, // 2^31: just outside int32
  -2147483904,
  1e10,
  Math.PI,
].map(Math.fround);

/** int32 values at the edges: the extremes, their neighbours, and squares that wrap. */
export const SPECIAL_INTS: readonly number[] = [
  INT_MIN,
  INT_MAX,
  INT_MIN + 1,
  INT_MAX - 1,
  0,
  1,
  -1,
  2,
  -2,
  65536,
  -65536,
  46341,
  -46341,
  1073741824,
  16777217,
];

/** How float values are drawn for one input. */
export interface FloatProfile {
  /** Range of the ordinary values. */
  readonly lo?: number;
  readonly hi?: number;
  /** Whether special values (NaN, ±Infinity, -0, huge, tiny) may appear. */
  readonly special?: boolean;
  /** Special values allowed when `special` is on (default: all of SPECIAL_FLOATS). */
  readonly pool?: readonly number[];
}

/** How int32 values are drawn for one input. */
export interface IntProfile {
  /** Range of the ordinary values. */
  readonly lo?: number;
  readonly hi?: number;
  /** Whether edge values (`pool`, default SPECIAL_INTS: the int32 extremes) may appear. */
  readonly extremes?: boolean;
  readonly pool?: readonly number[];
  /** A second, wide range [-wide, wide] some tensors draw from (default: the whole int32 range). */
  readonly wide?: number;
}

/** A seeded source of random choices (mulberry32, the suite's generator). */
export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  /** Uniform in [0, 1). */
  random(): number {
    return this.next();
  }

  /** Uniform integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** A random subset of 0..n-1 (each index with probability `p`), sorted. */
  subset(n: number, p = 0.5): number[] {
    return Array.from({ length: n }, (_, i) => i).filter(() => this.chance(p));
  }

  /**
   * A random shape: rank in [minRank, maxRank], dims mostly 1..5, sometimes 0 (an empty
   * tensor) when `empty` is allowed, with at most `maxSize` elements. Without an explicit
   * `maxSize`, one shape in 16 is large (dims up to 40, up to 3000 elements), so kernels'
   * blocked and multi-pass paths run too.
   */
  shape(options: { minRank?: number; maxRank?: number; maxSize?: number; empty?: boolean; maxDim?: number } = {}): number[] {
    const large = options.maxSize === undefined && this.chance(1 / 16);
    const { minRank = 0, maxRank = 4, maxSize = large ? 3000 : 96, empty = true, maxDim = large ? 40 : 5 } = options;
    const rank = this.int(minRank, maxRank);
    const dims: number[] = [];
    let size = 1;
    for (let i = 0; i < rank; i++) {
      let d = empty && this.chance(0.06) ? 0 : this.int(1, maxDim);
      while (d > 1 && size * d > maxSize) d--;
      dims.push(d);
      size *= Math.max(d, 1);
    }
    return dims;
  }

  /**
   * `count` shapes that broadcast together (NumPy rules): each is a suffix of a common
   * output shape with some dims replaced by 1.
   */
  broadcastShapes(count: number, options: { maxRank?: number; maxSize?: number; empty?: boolean } = {}): number[][] {
    const out = this.shape({
      maxRank: options.maxRank ?? 4,
      empty: options.empty ?? true,
      ...(options.maxSize === undefined ? {} : { maxSize: options.maxSize }),
    });
    return Array.from({ length: count }, () => {
      const drop = this.chance(0.35) ? this.int(0, out.length) : 0;
      return out.slice(drop).map((d) => (this.chance(0.3) ? 1 : d));
    });
  }

  /** `n` float32 values: ordinary values in [lo, hi) mixed with whole and half numbers and, if allowed, special values. */
  floats(n: number, profile: FloatProfile = {}): number[] {
    const { lo = -5, hi = 5, special = true, pool = SPECIAL_FLOATS } = profile;
    // Per tensor: how often each class appears, so some tensors are all special values and most have none.
    const pSpecial = special ? this.pick([0, 0, 0.1, 0.3, 0.8]) : 0;
    const pWhole = this.pick([0, 0.2, 0.6]);
    return Array.from({ length: n }, () => {
      if (this.chance(pSpecial)) return this.pick(pool);
      if (this.chance(pWhole)) return Math.fround(Math.round((lo + (hi - lo) * this.next()) * 2) / 2);
      return Math.fround(lo + (hi - lo) * this.next());
    });
  }

  /** `n` int32 values in [lo, hi], with int32 extremes mixed in when allowed. */
  ints(n: number, profile: IntProfile = {}): number[] {
    const { lo = -20, hi = 20, extremes = true, pool = SPECIAL_INTS, wide = INT_MAX } = profile;
    const pExtreme = extremes ? this.pick([0, 0.1, 0.5]) : 0;
    const [a, b] = this.chance(0.25) ? [-wide, wide] : [lo, hi];
    return Array.from({ length: n }, () => (this.chance(pExtreme) ? this.pick(pool) : this.int(a, b)));
  }

  /** `n` booleans as 0/1. */
  bools(n: number): number[] {
    const p = this.pick([0.1, 0.5, 0.9]);
    return Array.from({ length: n }, () => (this.chance(p) ? 1 : 0));
  }

  /** Values of `dtype` for a tensor of `shape`. */
  values(shape: readonly number[], dtype: FuzzDType, floats: FloatProfile = {}, ints: IntProfile = {}): number[] {
    const n = sizeOf(shape);
    if (dtype === "float32") return this.floats(n, floats);
    if (dtype === "int32") return this.ints(n, ints);
    return this.bools(n);
  }

  /** An input named `name` with random values of `dtype`. */
  input(name: string, shape: readonly number[], dtype: FuzzDType, floats: FloatProfile = {}, ints: IntProfile = {}): FuzzInput {
    return { name, shape: [...shape], dtype, values: this.values(shape, dtype, floats, ints) };
  }
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The NumPy broadcast of `shapes` (they are known to be compatible). */
export function broadcastOf(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i];
      if (v !== undefined && v !== 1) d = v;
    }
    return d;
  });
}

/** Formats one value so NaN, ±Infinity and -0 survive copying into a test. */
export function formatValue(v: number): string {
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

/** Formats a value list as a JS array literal. */
export function formatValues(values: readonly number[], limit = 4096): string {
  const shown = values.slice(0, limit).map(formatValue).join(", ");
  return `[${shown}${values.length > limit ? `, ... (${values.length - limit} more)` : ""}]`;
}

/** A deterministic 32-bit hash of a seed, a name and an index (FNV-1a then a mix), for per-case seeds. */
export function caseSeed(seed: number, name: string, index: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (const ch of `${name}#${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
