import { describe, expect, it } from "vitest";
import { flat, tf } from "../context.js";

const N = 10_000;

function stats(data: readonly number[]): { mean: number; std: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / data.length;
  let sq = 0;
  for (const v of data) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / data.length), min, max };
}

/** The values every backend must produce for a seed: core's shared Philox streams, run on the host. */
function hostStream(kind: "uniform" | "normal" | "truncated", n: number, seed: number, a: number, b: number): number[] {
  const out = new Float32Array(n);
  if (kind === "uniform") tf.prng.fillUniform(out, seed, a, b);
  else if (kind === "normal") tf.prng.fillNormal(out, seed, a, b);
  else tf.prng.fillTruncatedNormal(out, seed, a, b);
  return Array.from(out);
}

/** Random ops: RandomUniform, RandomStandardNormal, TruncatedNormal. */
export function randomSuite(): void {
  describe("random", () => {
    it("the shared generator is Philox4x32-10 (Random123 known-answer vectors)", () => {
      const out = new Uint32Array(4);
      tf.prng.philox4x32(0, 0, 0, 0, 0, 0, out);
      expect([...out]).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
      tf.prng.philox4x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, out);
      expect([...out]).toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
      tf.prng.philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
      expect([...out]).toEqual([0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
    });

    it("random ops are stateful, so graphs never fold or deduplicate them", () => {
      expect(tf.RandomUniform.stateful).toBe(true);
      expect(tf.RandomStandardNormal.stateful).toBe(true);
      expect(tf.TruncatedNormal.stateful).toBe(true);
    });

    describe("seeds", () => {
      it("the same seed gives the same values, equal to the shared host stream (so every backend agrees)", async () => {
        const a = await flat(() => tf.randomUniform([3, 5], -2, 3, "float32", 42));
        const b = await flat(() => tf.randomUniform([3, 5], -2, 3, "float32", 42));
        expect(a).toEqual(b);
        expect(a.data).toEqual(hostStream("uniform", 15, 42, -2, 3));
        expect((await flat(() => tf.randomNormal([7], 1, 2, "float32", 5))).data).toEqual(hostStream("normal", 7, 5, 1, 2));
        expect((await flat(() => tf.truncatedNormal([9], 0, 3, "float32", -11))).data).toEqual(hostStream("truncated", 9, -11, 0, 3));
        const ints = new Int32Array(6);
        tf.prng.fillUniformInt(ints, 9, -3, 4);
        expect((await flat(() => tf.randomUniform([6], -3, 4, "int32", 9))).data).toEqual([...ints]);
      });

      it("different seeds give different values; large and negative seeds work", async () => {
        const a = (await flat(() => tf.randomUniform([8], 0, 1, "float32", 1))).data;
        const b = (await flat(() => tf.randomUniform([8], 0, 1, "float32", 2))).data;
        const c = (await flat(() => tf.randomUniform([8], 0, 1, "float32", 2 ** 40 + 1))).data;
        const d = (await flat(() => tf.randomUniform([8], 0, 1, "float32", -1))).data;
        expect(a).not.toEqual(b);
        expect(a).not.toEqual(c);
        expect(new Set([a, b, c, d].map(String)).size).toBe(4);
      });

      it("a seeded prefix does not depend on the total size (counter-based streams)", async () => {
        const small = (await flat(() => tf.randomNormal([5], 0, 1, "float32", 3))).data;
        const large = (await flat(() => tf.randomNormal([2, 50], 0, 1, "float32", 3))).data;
        expect(large.slice(0, 5)).toEqual(small);
      });

      it("unseeded calls draw fresh values each time", async () => {
        for (const draw of [() => tf.randomUniform([16]), () => tf.randomNormal([16]), () => tf.truncatedNormal([16]), () => tf.randomUniform([16], 0, 1000, "int32")]) {
          expect((await flat(draw)).data).not.toEqual((await flat(draw)).data);
        }
      });
    });

    describe("randomUniform", () => {
      it("float32 over 10k samples: bounds [minval, maxval), mean and std of a uniform", async () => {
        for (const [lo, hi, seed] of [[0, 1, 1], [-3, 5, 2]] as const) {
          const r = await flat(() => tf.randomUniform([100, 100], lo, hi, "float32", seed));
          expect(r).toMatchObject({ shape: [100, 100], dtype: "float32" });
          const s = stats(r.data);
          expect(s.min).toBeGreaterThanOrEqual(lo);
          expect(s.max).toBeLessThan(hi);
          expect(Math.abs(s.mean - (lo + hi) / 2)).toBeLessThan(0.02 * (hi - lo));
          expect(Math.abs(s.std - (hi - lo) / Math.sqrt(12))).toBeLessThan(0.02 * (hi - lo));
          // Spread over the whole interval, not clumped.
          expect(s.min - lo).toBeLessThan(0.01 * (hi - lo));
          expect(hi - s.max).toBeLessThan(0.01 * (hi - lo));
        }
        const unseeded = stats((await flat(() => tf.randomUniform([N]))).data);
        expect(unseeded.min).toBeGreaterThanOrEqual(0);
        expect(unseeded.max).toBeLessThan(1);
      });

      it("never returns maxval, even where float32 rounding would reach it", async () => {
        const r = (await flat(() => tf.randomUniform([N], 1e8, 1e8 + 8, "float32", 3))).data;
        expect(Math.max(...r)).toBeLessThan(1e8 + 8);
        expect(Math.min(...r)).toBeGreaterThanOrEqual(1e8);
      });

      it("int32 draws integers in [minval, maxval), each value about equally often", async () => {
        const r = await flat(() => tf.randomUniform([N], -5, 5, "int32", 17));
        expect(r.dtype).toBe("int32");
        const counts = new Map<number, number>();
        for (const v of r.data) counts.set(v, (counts.get(v) ?? 0) + 1);
        expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-5, -4, -3, -2, -1, 0, 1, 2, 3, 4]);
        for (const c of counts.values()) expect(Math.abs(c - N / 10)).toBeLessThan(150);
        const wide = (await flat(() => tf.randomUniform([1000], -2147483648, 2147483647, "int32", 1))).data;
        expect(wide.every((v) => Number.isInteger(v) && v >= -2147483648 && v < 2147483647)).toBe(true);
        expect(stats(wide).std).toBeGreaterThan(1e9);
        expect((await flat(() => tf.randomUniform([20], 7, 8, "int32"))).data).toEqual(new Array(20).fill(7));
      });

      it("handles rank 0 and empty shapes", async () => {
        expect((await flat(() => tf.randomUniform([], 0, 1, "float32", 1))).shape).toEqual([]);
        expect(await flat(() => tf.randomUniform([0, 4]))).toEqual({ shape: [0, 4], dtype: "float32", data: [] });
        expect((await flat(() => tf.truncatedNormal([3, 0]))).data).toEqual([]);
      });

      it("rejects bad shapes, dtypes, bounds and seeds", () => {
        expect(() => tf.randomUniform([-2])).toThrow(tf.ShapeError);
        expect(() => tf.randomUniform([2.5])).toThrow(/randomUniform: expected a shape.*\[2\.5\]/);
        expect(() => tf.randomUniform([2], 0, 1, "bool")).toThrow(tf.DTypeError);
        expect(() => tf.randomUniform([2], 0, 1, "bool")).toThrow(/randomUniform: dtype bool is not supported; use float32 or int32/);
        expect(() => tf.randomUniform([2], 0, 1, "float16" as tf.DType)).toThrow(tf.DTypeError);
        expect(() => tf.randomUniform([2], 0, undefined, "int32")).toThrow(/randomUniform: .*maxval must be given explicitly/);
        expect(() => tf.randomUniform([2], 5, 5, "int32")).toThrow(tf.ArgumentError);
        expect(() => tf.randomUniform([2], 5, 5, "int32")).toThrow(/minval must be less than maxval; received minval 5, maxval 5/);
        expect(() => tf.randomUniform([2], 0.5, 5, "int32")).toThrow(/minval 0.5 must be an int32 integer/);
        expect(() => tf.randomUniform([2], 0, 2 ** 32, "int32")).toThrow(tf.ArgumentError);
        expect(() => tf.randomUniform([2], 0, 1, "float32", 1.5)).toThrow(/randomUniform: seed must be an integer/);
        expect(() => tf.randomUniform([2], "0" as unknown as number)).toThrow(/randomUniform: minval must be a number/);
      });
    });

    describe("randomNormal", () => {
      it("10k samples have the requested mean and standard deviation", async () => {
        for (const [mean, std, seed] of [[0, 1, 1], [2, 3, 2], [-1, 0.01, 3]] as const) {
          const s = stats((await flat(() => tf.randomNormal([N], mean, std, "float32", seed))).data);
          expect(Math.abs(s.mean - mean)).toBeLessThan(0.04 * std);
          expect(Math.abs(s.std - std)).toBeLessThan(0.04 * std);
          // Normal tails: a 10k sample reaches beyond 3 std on both sides.
          expect(s.min).toBeLessThan(mean - 3 * std);
          expect(s.max).toBeGreaterThan(mean + 3 * std);
        }
        const unseeded = stats((await flat(() => tf.randomNormal([N]))).data);
        expect(Math.abs(unseeded.mean)).toBeLessThan(0.05);
        expect(Math.abs(unseeded.std - 1)).toBeLessThan(0.05);
      });

      it("stdDev 0 gives the mean everywhere", async () => {
        expect((await flat(() => tf.randomNormal([4], 5, 0))).data).toEqual([5, 5, 5, 5]);
      });

      it("is float32 only and rejects bad shapes and seeds", () => {
        expect(() => tf.randomNormal([2], 0, 1, "int32")).toThrow(tf.DTypeError);
        expect(() => tf.randomNormal([2], 0, 1, "int32")).toThrow(/randomNormal: normal values are float32 only, received dtype int32/);
        expect(() => tf.randomNormal([-1])).toThrow(tf.ShapeError);
        expect(() => tf.randomNormal([2], 0, 1, "float32", Number.NaN)).toThrow(tf.ArgumentError);
      });
    });

    describe("truncatedNormal", () => {
      it("keeps every one of 10k samples strictly within 2 std, with the truncated distribution's moments", async () => {
        for (const [mean, std, seed] of [[0, 1, 1], [10, 0.5, 2]] as const) {
          const s = stats((await flat(() => tf.truncatedNormal([N], mean, std, "float32", seed))).data);
          expect(s.min).toBeGreaterThan(mean - 2 * std - 1e-6);
          expect(s.max).toBeLessThan(mean + 2 * std + 1e-6);
          expect(Math.abs(s.mean - mean)).toBeLessThan(0.04 * std);
          // A standard normal truncated at +-2 has standard deviation 0.8796.
          expect(Math.abs(s.std - 0.8796 * std)).toBeLessThan(0.03 * std);
          // Resampled, not clipped: no pile-up at the bounds.
          expect(s.max).toBeGreaterThan(mean + 1.9 * std);
        }
        const unseeded = (await flat(() => tf.truncatedNormal([N], 0, 2))).data;
        expect(unseeded.every((v) => Math.abs(v) < 4)).toBe(true);
      });

      it("is float32 only and rejects bad shapes", () => {
        expect(() => tf.truncatedNormal([2], 0, 1, "bool")).toThrow(/truncatedNormal: normal values are float32 only/);
        expect(() => tf.truncatedNormal([1, -1])).toThrow(tf.ShapeError);
      });
    });
  });
}
