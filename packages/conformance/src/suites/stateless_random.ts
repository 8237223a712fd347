import { describe, expect, it } from "vitest";
import { flat, tf } from "../context.js";

/**
 * The values every backend must produce for a seed tensor: core's stateless streams run on
 * the host, which is exactly what the cpu oracle's kernels run.
 */
function hostStream(kind: "uniform" | "int" | "normal" | "truncated", n: number, seed: readonly number[], a: number, b: number): number[] {
  const [k0, k1] = tf.prng.statelessKey(seed);
  if (kind === "int") {
    const out = new Int32Array(n);
    tf.prng.fillStatelessUniformInt(out, k0, k1, a, b);
    return Array.from(out);
  }
  const out = new Float32Array(n);
  if (kind === "uniform") tf.prng.fillStatelessUniform(out, k0, k1, a, b);
  else tf.prng.fillStatelessNormal(out, k0, k1, a, b, kind === "truncated");
  return Array.from(out);
}

function moments(data: readonly number[]): { mean: number; std: number; min: number; max: number } {
  const mean = data.reduce((s, v) => s + v, 0) / data.length;
  const std = Math.sqrt(data.reduce((s, v) => s + (v - mean) ** 2, 0) / data.length);
  return { mean, std, min: Math.min(...data), max: Math.max(...data) };
}

/** Stateless (tensor-seeded) random ops: StatelessRandomUniform, StatelessRandomNormal, StatelessTruncatedNormal. */
export function statelessRandomSuite(): void {
  describe("stateless random (tensor seeds)", () => {
    it("the ops are not stateful and have no gradient (like TF's stateless_* ops)", () => {
      for (const op of [tf.StatelessRandomUniform, tf.StatelessRandomNormal, tf.StatelessTruncatedNormal]) {
        expect(op.stateful).not.toBe(true);
        expect(op.grad).toBe("none");
      }
    });

    it("L1, L4: every backend gives the cpu oracle's values bit for bit (odd sizes, negative seed words)", async () => {
      const seed = [123, -7];
      const cases = [
        { kind: "uniform", n: 1003, a: -3, b: 5, draw: () => tf.statelessRandomUniform([1003], seed, { minval: -3, maxval: 5 }) },
        { kind: "uniform", n: 7, a: 0, b: 1, draw: () => tf.statelessRandomUniform([7], seed) },
        {
          kind: "int",
          n: 1001,
          a: -4,
          b: 9,
          draw: () => tf.statelessRandomUniform([1001], seed, { minval: -4, maxval: 9, dtype: "int32" }),
        },
        { kind: "normal", n: 1002, a: 2, b: 3, draw: () => tf.statelessRandomNormal([1002], seed, { mean: 2, stdDev: 3 }) },
        { kind: "truncated", n: 5001, a: 0.5, b: 0.1, draw: () => tf.statelessTruncatedNormal([5001], seed, { mean: 0.5, stdDev: 0.1 }) },
      ] as const;
      for (const c of cases) {
        const got = await flat(c.draw);
        expect(got.data, `${c.kind} [${c.n}]`).toEqual(hostStream(c.kind, c.n, seed, c.a, c.b));
      }
    });

    it("uniform [0, 1) reads the same Philox words as the seeded op: seed [lo, hi] is the JS seed hi * 2^32 + lo", async () => {
      const stateless = await flat(() => tf.statelessRandomUniform([9], [5, 3]));
      const seeded = await flat(() => tf.randomUniform([9], 0, 1, "float32", 3 * 2 ** 32 + 5));
      expect(stateless.data).toEqual(seeded.data);
      const ints = await flat(() => tf.statelessRandomUniform([9], [5, 3], { minval: -2, maxval: 40, dtype: "int32" }));
      expect(ints.data).toEqual((await flat(() => tf.randomUniform([9], -2, 40, "int32", 3 * 2 ** 32 + 5))).data);
    });

    it("a pure function of (seed values, shape): the same seed repeats, another seed differs, a seed tensor equals its JS values", async () => {
      const a = await flat(() => tf.statelessRandomNormal([16], [1, 2]));
      const b = await flat(() => tf.statelessRandomNormal([16], tf.tensor([1, 2], [2], "int32")));
      const c = await flat(() => tf.statelessRandomNormal([16], [1, 3]));
      const d = await flat(() => tf.statelessRandomNormal([16], [2, 2]));
      expect(b.data).toEqual(a.data);
      expect(c.data).not.toEqual(a.data);
      expect(d.data).not.toEqual(a.data);
      // A prefix property of counter-based streams: a longer draw starts with the shorter one.
      expect((await flat(() => tf.statelessRandomNormal([5], [1, 2]))).data).toEqual(a.data.slice(0, 5));
    });

    it("B4: inside tf.function a seed read from a variable (live, not frozen) gives the eager values, step by step", async () => {
      const init = tf.tensor([9, 0], [2], "int32");
      const state = tf.variable(init);
      init.dispose();
      const step = tf.function((x: tf.Tensor) => {
        const out = tf.statelessRandomUniform(tf.shape(x), state.read());
        state.assign(tf.add(state.read(), tf.tensor([0, 1], [2], "int32")));
        return out;
      });
      const x = tf.zeros([3, 5]);
      const traced = [await flat(() => step(x) as tf.Tensor), await flat(() => step(x) as tf.Tensor)];
      const eager = [
        await flat(() => tf.statelessRandomUniform([3, 5], [9, 0])),
        await flat(() => tf.statelessRandomUniform([3, 5], [9, 1])),
      ];
      expect(traced[0]).toEqual(eager[0]);
      expect(traced[1]).toEqual(eager[1]);
      expect(traced[1]!.data).not.toEqual(traced[0]!.data);
      x.dispose();
      state.dispose();
      step.dispose();
    });

    it("distributions: uniform in [minval, maxval) with mean (a+b)/2, normal mean/std, truncated within 2 std", async () => {
      const u = moments((await flat(() => tf.statelessRandomUniform([20000], [4, 4], { minval: -1, maxval: 3 }))).data);
      expect(u.min).toBeGreaterThanOrEqual(-1);
      expect(u.max).toBeLessThan(3);
      expect(Math.abs(u.mean - 1)).toBeLessThan(0.05);
      const n = moments((await flat(() => tf.statelessRandomNormal([20000], [4, 4], { mean: 1, stdDev: 2 }))).data);
      expect(Math.abs(n.mean - 1)).toBeLessThan(0.05);
      expect(Math.abs(n.std - 2)).toBeLessThan(0.05);
      const t = moments((await flat(() => tf.statelessTruncatedNormal([20000], [4, 4], { stdDev: 0.5 }))).data);
      expect(t.min).toBeGreaterThan(-1);
      expect(t.max).toBeLessThan(1);
      // A normal truncated at 2 sigma has a standard deviation of about 0.88 sigma.
      expect(Math.abs(t.std - 0.88 * 0.5)).toBeLessThan(0.02);
    });

    it("a float32 interval that rounds up to maxval stays half-open; empty and scalar shapes", async () => {
      const r = (await flat(() => tf.statelessRandomUniform([4000], [1, 1], { minval: 1e8, maxval: 1e8 + 8 }))).data;
      expect(Math.max(...r)).toBeLessThan(1e8 + 8);
      expect((await flat(() => tf.statelessRandomUniform([], [1, 1]))).shape).toEqual([]);
      expect(await flat(() => tf.statelessRandomNormal([0, 3], [1, 1]))).toEqual({ shape: [0, 3], dtype: "float32", data: [] });
    });

    it("bad seeds and arguments are typed errors naming the op", () => {
      expect(() => tf.statelessRandomUniform([2], [1, 2, 3])).toThrow(tf.ShapeError);
      expect(() => tf.statelessRandomUniform([2], [1, 2, 3])).toThrow(
        /statelessRandomUniform: seed must be an int32 tensor of shape \[2\], received shape \[3\]/,
      );
      const floatSeed = tf.tensor([1, 2]);
      expect(() => tf.statelessRandomNormal([2], floatSeed)).toThrow(tf.DTypeError);
      expect(() => tf.statelessRandomNormal([2], floatSeed)).toThrow(
        /statelessRandomNormal: seed must be an int32 tensor of shape \[2\], received dtype float32/,
      );
      floatSeed.dispose();
      expect(() => tf.statelessTruncatedNormal([2], [[1, 2]])).toThrow(/statelessTruncatedNormal: seed must be .* received shape \[1,2\]/);
      expect(() => tf.statelessRandomUniform([2], [1, 2], { dtype: "int32" })).toThrow(/maxval must be given explicitly/);
      expect(() => tf.statelessRandomUniform([2], [1, 2], { minval: 3, maxval: 3, dtype: "int32" })).toThrow(tf.ArgumentError);
      expect(() => tf.statelessRandomUniform([2], [1, 2], { dtype: "bool" })).toThrow(tf.DTypeError);
      expect(() => tf.statelessRandomNormal([2], [1, 2], { dtype: "int32" })).toThrow(
        /statelessRandomNormal: normal values are float32 only/,
      );
      expect(() => tf.statelessRandomUniform([-1], [1, 2])).toThrow(tf.ShapeError);
    });
  });
}
