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
});
