import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { gpu } from "./gpu.js";
import { onCpu, readAll, useWebGPU } from "./helpers.js";

// Written-out float math on webgpu (wgsl/math.ts) at the edges of float32. sin and cos:
// Cody-Waite reduction below 8192, Payne-Hanek reduction with exact 12-bit products above,
// so huge arguments (up to the largest float32) reduce as exactly as the cpu oracle's
// double-precision Math.sin does. log and pow of subnormals: the exponent is taken from the
// bits, since devices may flush subnormals in arithmetic (SwiftShader does).
describe.runIf(gpu.available)("float math at the edges of float32 on webgpu", () => {
  useWebGPU();

  /** Arguments from 8192 (where the big reduction starts) to 3.4e38, some near multiples of pi/2. */
  function largeArguments(): number[] {
    const xs = [8192, 8192.5, 12345.678, 65536, 1e6, 1e10, 2 ** 32, 2 ** 32 + 512, 1e20, 1e30, 2 ** 100, 3.4028234663852886e38];
    // Float32 values closest to n * pi / 2 for large n: the hardest cancellations.
    for (const n of [10001, 123457, 9999991, 1 << 24]) xs.push(Math.fround((n * Math.PI) / 2));
    let s = 12345;
    for (let i = 0; i < 200; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const exponent = 13 + (s % 115);
      xs.push(Math.fround((1 + ((s >>> 8) & 0xffff) / 65536) * 2 ** exponent));
    }
    return [...xs, ...xs.map((x) => -x)].map((x) => Math.fround(x));
  }

  it("sin and cos of arguments from 8192 to 3.4e38 match the cpu oracle within 2^-22 absolute", async () => {
    const xs = largeArguments();
    const fn = () => [tf.sin(tf.tensor(xs)), tf.cos(tf.tensor(xs))];
    const g = await readAll(fn);
    const c = await onCpu(fn);
    for (let k = 0; k < 2; k++) {
      const worst = g[k]!.reduce((w, v, i) => Math.max(w, Math.abs(v - c[k]![i]!)), 0);
      expect(worst, k === 0 ? "sin" : "cos").toBeLessThan(2 ** -22);
    }
  });

  it("a traced (fused) sin of huge values equals the eager kernel bit for bit", async () => {
    const xs = largeArguments();
    const f = tf.function((x: tf.Tensor) => tf.mul(tf.sin(x), 2));
    const traced = await readAll(() => f(tf.tensor(xs)));
    const eager = await readAll(() => tf.mul(tf.sin(tf.tensor(xs)), 2));
    expect(traced).toEqual(eager);
    for (const cf of f.concreteFunctions()) cf.dispose();
  });

  it("log and pow of subnormal inputs match the cpu oracle (normalized on the bits, not by a multiply the device may flush)", async () => {
    const xs = [1.401298464324817e-45, 9.99994610111476e-41, 1.1754942106924411e-38, 2 ** -130];
    const fn = () => [tf.log(tf.tensor(xs)), tf.pow(tf.tensor(xs), tf.scalar(0.5)), tf.pow(tf.tensor(xs.map((x) => -x)), tf.scalar(-2.5))];
    const g = await readAll(fn);
    const c = await onCpu(fn);
    expect(g[0]!.every((v, i) => Math.abs(v - c[0]![i]!) <= 1e-5 * Math.abs(c[0]![i]!))).toBe(true);
    expect(g[1]!.every((v, i) => Math.abs(v - c[1]![i]!) <= 1e-5 * Math.abs(c[1]![i]!))).toBe(true);
    // A negative base with a non-integer exponent is NaN, also when the base is subnormal.
    expect(g[2]).toEqual(c[2]);
    expect(c[2]!.every(Number.isNaN)).toBe(true);
  });

  it("division, floorDiv, mod and comparisons with subnormal operands or quotients, or divisors past 2^126, match the cpu oracle", async () => {
    // Devices may flush subnormals and divide as a * (1 / b) (SwiftShader does both): 1 / b
    // overflows for a subnormal b and flushes for |b| >= 2^126, and a flushed tiny quotient
    // loses the sign floor needs. kiln_div scales such operands exactly, builds subnormal
    // quotients on the bits, and floor, ceil and the comparisons read subnormals on the bits.
    const min = 1.1754943508222875e-38;
    const a = [-min, 1.401298464324817e-45, 2, -2, 1e30, 9.99994610111476e-41, -3, 1e-40, 5, 0];
    const b = [9.99994610111476e-41, -0.46217867732048035, -3.4e38, 3.4e38, 3e38, 1.401298464324817e-45, 2.5e-42, -6, -1e-44, 1e-40];
    const fn = () => {
      const x = tf.tensor(a);
      const y = tf.tensor(b);
      return [tf.floorDiv(x, y), tf.mod(x, y), tf.div(x, y), tf.less(x, tf.zerosLike(x)), tf.equal(x, tf.zerosLike(x)), tf.ceil(tf.div(x, y))];
    };
    const g = await readAll(fn);
    const c = await onCpu(fn);
    expect(g[0]).toEqual(c[0]);
    expect(g[0]!.slice(0, 4)).toEqual([-118, -1, -1, -1]);
    // mod adds the divisor to a subnormal remainder; a device may flush that sum (WGSL allows it).
    const flushTiny = (values: number[]) => values.map((v) => (Math.abs(v) < 2 ** -126 ? 0 : v));
    expect(flushTiny(g[1]!)).toEqual(flushTiny(c[1]!));
    expect(g[1]![7]).toBe(-6); // mod(1e-40, -6): the remainder is nonzero and of the other sign
    expect(g[3]).toEqual(c[3]);
    expect(g[4]).toEqual(c[4]);
    expect(g[5]).toEqual(c[5]);
    // Quotients within a few float32 ulps (SwiftShader's division is a * (1 / b)), subnormal ones within one subnormal step.
    g[2]!.forEach((v, i) => {
      const want = c[2]![i]!;
      if (!Number.isFinite(want)) expect(v, `${a[i]} / ${b[i]}`).toBe(want);
      else expect(Math.abs(v - want), `${a[i]} / ${b[i]}`).toBeLessThanOrEqual(4e-7 * Math.abs(want) + 2 ** -149);
    });
  });
});
