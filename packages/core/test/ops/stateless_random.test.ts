import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

// The stateless (tensor-seeded) random ops in core: their float32-only transforms against
// the library functions they stand for, tracing (a seed from the graph, run-time shapes,
// SPEC D4), graph rewrites they allow (pure functions of their inputs), gradients (none, like
// TF), and bad seeds. Bit-identity across backends is the conformance suite's.

describe("portable float32 transforms (base/prng_stateless.ts)", () => {
  it("the log polynomial is within 2e-6 of ln(k / 2^24) over the whole range of k", () => {
    let worst = 0;
    for (let k = 1; k <= 2 ** 24; k += k < 4096 ? 1 : 977)
      worst = Math.max(worst, Math.abs(tf.prng.portableLog(k) - Math.log(k / 2 ** 24)));
    expect(worst).toBeLessThan(2e-6);
    expect(tf.prng.portableLog(2 ** 24)).toBe(0);
  });

  it("the Newton square root is within 3e-7 (relative) of Math.sqrt on the radii Box-Muller meets; 0 gives 0", () => {
    let worst = 0;
    for (let x = 1e-7; x < 34; x *= 1.001) {
      const xf = Math.fround(x);
      worst = Math.max(worst, Math.abs(tf.prng.portableSqrt(xf) - Math.sqrt(xf)) / Math.sqrt(xf));
    }
    expect(worst).toBeLessThan(3e-7);
    expect(tf.prng.portableSqrt(0)).toBe(0);
    expect(tf.prng.portableSqrt(-0)).toBe(0);
  });

  it("a normal pair lies on the circle of radius sqrt(-2 ln u) at angle 2 pi v (the Box-Muller definition)", () => {
    const out = new Float64Array(2);
    for (const [a, b] of [
      [0, 0],
      [0x12345678, 0x9abcdef0],
      [0xffffffff, 0x40000000],
      [0x80000000, 0xc0000000],
      [7, 0x7fffffff],
    ] as const) {
      tf.prng.portableNormalPair(a, b, out, 0);
      const r = Math.sqrt(-2 * Math.log(((a >>> 8) + 1) / 2 ** 24));
      const angle = (2 * Math.PI * (b >>> 6)) / 2 ** 26; // the top two bits pick the quadrant
      expect(Math.hypot(out[0]!, out[1]!)).toBeCloseTo(r, 5);
      if (r > 1e-3) {
        expect(out[0]! / r).toBeCloseTo(Math.cos(angle), 5);
        expect(out[1]! / r).toBeCloseTo(Math.sin(angle), 5);
      }
    }
  });
});

describe("stateless random ops in traced functions", () => {
  it("D4: a run-time shape (tf.shape of a relaxed input) draws the eager values of the concrete shape", () => {
    const f = tf.function((x: tf.Tensor, seed: tf.Tensor) => tf.statelessRandomNormal(tf.shape(x), seed), {
      inputSignature: [new tf.TensorSpec([null, 3]), new tf.TensorSpec([2], "int32")],
    });
    const x = tf.zeros([5, 3]);
    const seed = tf.tensor([4, 9], [2], "int32");
    const traced = f(x, seed) as tf.Tensor;
    const eager = tf.statelessRandomNormal([5, 3], [4, 9]);
    expect(traced.shape).toEqual([5, 3]);
    expect(Array.from(traced.dataSync())).toEqual(Array.from(eager.dataSync()));
    tf.dispose([x, seed, traced, eager]);
    f.dispose();
  });

  it("the ops are pure: two draws with the same seed tensor are one value; different seeds stay different", () => {
    const f = tf.function((seed: tf.Tensor) => {
      const a = tf.statelessRandomUniform([6], seed);
      const b = tf.statelessRandomUniform([6], seed);
      const c = tf.statelessRandomUniform([6], tf.add(seed, tf.tensor([1, 0], [2], "int32")));
      return [tf.sub(a, b), tf.sub(a, c)];
    });
    const seed = tf.tensor([1, 1], [2], "int32");
    const [same, other] = f(seed) as tf.Tensor[];
    expect(Array.from(same!.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(other!.dataSync()).some((v) => v !== 0)).toBe(true);
    tf.dispose([seed, same!, other!]);
    f.dispose();
  });

  it("no gradient flows through a draw (TF: non-differentiable): the noise is a constant of the derivative", () => {
    const noise = tf.statelessRandomUniform([4], [2, 3]);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, tf.statelessRandomUniform([4], [2, 3]))));
    const x = tf.ones([4]);
    const g = grad(x);
    expect(Array.from(g.dataSync())).toEqual(Array.from(noise.dataSync()));
    expect(tf.StatelessRandomUniform.grad).toBe("none");
    tf.dispose([noise, x, g]);
  });

  it("a seed whose length is unknown when traced is checked when the function runs", () => {
    const f = tf.function((seed: tf.Tensor) => tf.statelessRandomUniform([2], seed), {
      inputSignature: [new tf.TensorSpec([null], "int32")],
    });
    const good = tf.tensor([1, 2], [2], "int32");
    const bad = tf.tensor([1, 2, 3], [3], "int32");
    const r = f(good) as tf.Tensor;
    expect(r.shape).toEqual([2]);
    expect(() => f(bad)).toThrow(/statelessRandomUniform: seed must be an int32 tensor of shape \[2\], received shape \[3\]/);
    tf.dispose([good, bad, r]);
    f.dispose();
  });

  it("bad seeds are typed errors naming the op, what was received and what is valid", () => {
    const scalar = tf.scalar(3, "int32");
    expect(() => tf.statelessRandomUniform([2], scalar)).toThrow(tf.ShapeError);
    expect(() => tf.statelessRandomUniform([2], scalar)).toThrow(
      /statelessRandomUniform: seed must be an int32 tensor of shape \[2\], received shape \[\]/,
    );
    const b = tf.tensor([true, false], [2], "bool");
    expect(() => tf.statelessTruncatedNormal([2], b)).toThrow(
      /statelessTruncatedNormal: seed must be an int32 tensor of shape \[2\], received dtype bool/,
    );
    expect(() => tf.statelessRandomNormal([2], [1.5, 2])).toThrow(tf.KilnError);
    tf.dispose([scalar, b]);
  });
});
