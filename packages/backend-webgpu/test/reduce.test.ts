import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { gpu } from "./gpu.js";
import { maxRelativeError, onCpu, readAll, useWebGPU } from "./helpers.js";

// Reductions on webgpu against the cpu oracle, on every pass layout the kernel plans
// (reduce/reduce.ts): a serial loop per output, a workgroup tree per output, chunked rows
// whose partials a second pass merges, and several passes for reduced axes split by kept
// ones. float32 sums, means and cumsums are compensated, so they equal the oracle's
// double-precision sums rounded once where a plain float32 accumulator loses digits.
describe.runIf(gpu.available)("reductions on webgpu", () => {
  useWebGPU();

  /** The same computation's values on webgpu and on the cpu oracle. */
  async function both(fn: () => tf.Tensor | tf.Tensor[]): Promise<{ gpu: number[][]; cpu: number[][] }> {
    return { gpu: await readAll(fn), cpu: await onCpu(fn) };
  }

  /** `n` float32 values from a seeded stream, in [-1, 1) scaled by `scale`. */
  function values(n: number, seed: number, scale = 1): number[] {
    let s = seed >>> 0;
    return Array.from({ length: n }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return Math.fround(((s / 2 ** 32) * 2 - 1) * scale);
    });
  }

  it("ones added to 2^24 are kept: a plain float32 accumulator drops each, the compensated tree sum equals the oracle exactly", async () => {
    // 2^24 + 1 rounds back to 2^24 in float32; 4096 ones after it are 2^24 + 4096 exactly.
    const data = [2 ** 24, ...Array.from({ length: 4096 }, () => 1)];
    const { gpu: g, cpu: c } = await both(() => tf.sum(tf.tensor(data)));
    expect(c[0]).toEqual([2 ** 24 + 4096]);
    expect(g).toEqual(c);
  });

  it("a cancelling sum of a million elements (chunked, then a tree over the partial pairs) equals the oracle exactly", async () => {
    // [1e8, 1, -1e8, 1e8, 1, -1e8, ...]: the large terms cancel, the ones survive only with compensation.
    const n = 3 * 349525;
    const data = Float32Array.from({ length: n }, (_, i) => [1e8, 1, -1e8][i % 3]!);
    const { gpu: g, cpu: c } = await both(() => tf.sum(tf.tensor(data)));
    expect(c[0]).toEqual([n / 3]);
    expect(g).toEqual(c);
  });

  it("sums and means of 2^18 random floats (64 chunks, then a serial merge of the partial pairs) match the oracle to the last bit or one ulp", async () => {
    const x = values(1 << 18, 7, 1000);
    const { gpu: g, cpu: c } = await both(() => [tf.sum(tf.tensor(x)), tf.mean(tf.tensor(x))]);
    for (let i = 0; i < 2; i++) expect(Math.abs(g[i]![0]! - c[i]![0]!)).toBeLessThanOrEqual(ulp(c[i]![0]!));
  });

  it("every pass layout (serial, tree, chunked with serial merge, two passes) matches the oracle for sum, mean, max, min and prod", async () => {
    const cases: { shape: number[]; axis: number[] }[] = [
      { shape: [1100, 150], axis: [1] }, // one thread per output (1024 or more outputs)
      { shape: [3, 3000], axis: [1] }, // a workgroup tree per output
      { shape: [2, 30000], axis: [1] }, // chunks of 4096, then a serial pass over 8 partial pairs
      { shape: [3, 5000, 2], axis: [1] }, // chunked with an inner stride
      { shape: [6, 50, 4, 70], axis: [1, 3] }, // two passes: 70 first, then 50 over partials
      { shape: [300, 7], axis: [0] }, // a strided column reduction
      { shape: [5, 1, 4], axis: [1] }, // only a size-1 axis: a copy
    ];
    for (const { shape, axis } of cases) {
      const size = shape.reduce((a, b) => a * b, 1);
      const x = values(size, size, 4);
      const { gpu: g, cpu: c } = await both(() => {
        const t = tf.tensor(x, shape);
        return [tf.sum(t, axis), tf.mean(t, axis), tf.max(t, axis), tf.min(t, axis), tf.prod(tf.add(tf.mul(t, 0.01), 1), axis)];
      });
      const [sum, mean, max, min, prod] = g;
      expect(maxRelativeError(sum!, c[0]!), `sum ${shape} over ${axis}`).toBeLessThan(2 ** -22);
      expect(maxRelativeError(mean!, c[1]!), `mean ${shape} over ${axis}`).toBeLessThan(2 ** -22);
      expect(max, `max ${shape} over ${axis}`).toEqual(c[2]);
      expect(min, `min ${shape} over ${axis}`).toEqual(c[3]);
      // Products round at every step on both backends, in different orders.
      expect(maxRelativeError(prod!, c[4]!), `prod ${shape} over ${axis}`).toBeLessThan(1e-4);
    }
  });

  it("special values: infinities, NaN, empty axes and int32 wrap-around are the oracle's", async () => {
    const inf = Number.POSITIVE_INFINITY;
    const long = (v: number) => [v, ...values(5000, 3)];
    const { gpu: g, cpu: c } = await both(() => [
      tf.sum(tf.tensor(long(inf))), // inf + finite: no error term may turn it into NaN
      tf.sum(tf.tensor([inf, -inf, 1])),
      tf.sum(tf.tensor(long(Number.NaN))),
      tf.max(tf.tensor(long(Number.NaN))),
      tf.min(tf.tensor([3, -inf, 2])),
      tf.sum(tf.zeros([3, 0]), 1),
      tf.mean(tf.zeros([2, 0]), 1),
      tf.max(tf.zeros([2, 0]), 1),
      tf.sum(tf.tensor([2147483647, 1, 5], [3], "int32")),
      tf.sum(
        tf.tensor(
          Array.from({ length: 5000 }, (_, i) => 400000 * (i % 7)),
          [5000],
          "int32",
        ),
      ),
      tf.prod(tf.tensor([65536, 65536, 3], [3], "int32")),
      tf.sum(
        tf.tensor(
          Array.from({ length: 3000 }, (_, i) => i % 3 === 0),
          [3000],
          "bool",
        ),
      ),
      tf.all(tf.tensor([true, true, false, true], [2, 2], "bool"), 1),
      tf.any(tf.tensor([false, false, false, true], [2, 2], "bool"), 0),
    ]);
    expect(g).toEqual(c);
  });

  it("long float32 cumsums follow the oracle's running sum (forward, reverse, exclusive) within one ulp per prefix", async () => {
    const n = 20000;
    const x = Float32Array.from({ length: n }, (_, i) => (i === 0 ? 1e7 : i % 2 === 0 ? 0.1 : 0.3));
    for (const [exclusive, reverse] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const { gpu: g, cpu: c } = await both(() => tf.cumsum(tf.tensor(x), 0, exclusive, reverse));
      const worst = g[0]!.reduce((w, v, i) => Math.max(w, Math.abs(v - c[0]![i]!) / ulp(c[0]![i]!)), 0);
      expect(worst, `exclusive ${exclusive}, reverse ${reverse}`).toBeLessThanOrEqual(1);
    }
    const ints = Array.from({ length: 3000 }, (_, i) => (i * 1000003) % 2000000);
    const { gpu: gi, cpu: ci } = await both(() => tf.cumsum(tf.tensor(ints, [3, 1000], "int32"), 1));
    expect(gi).toEqual(ci);
  });
});

/** The spacing of float32 values at `v` (its unit in the last place). */
function ulp(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}
