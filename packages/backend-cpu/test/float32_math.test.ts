import { describe, expect, it } from "vitest";
import { erfcf, erff } from "../src/kernels/elementwise/float32_math/erf.js";
import { expf, expm1f, tanhf } from "../src/kernels/elementwise/float32_math/exp.js";
import { log1pf, logf } from "../src/kernels/elementwise/float32_math/log.js";
import { erfcReference, erfReference } from "./reference_math.js";
import { float32Range, float32Sweep, measure, ulpDistance } from "./ulp.js";

/** Each function, its double-precision reference, and the float32 inputs around its thresholds. */
interface Case {
  readonly name: string;
  readonly fn: (x: number) => number;
  readonly reference: (x: number) => number;
  readonly dense: readonly (readonly [number, number])[];
}

const TINY = 2 ** -149; // the smallest float32 denormal
const MAX = 3.4028234663852886e38;

const CASES: readonly Case[] = [
  // Overflow to Infinity at 88.72, denormal results below -87.34, 0 below -103.97.
  {
    name: "exp",
    fn: expf,
    reference: Math.exp,
    dense: [
      [88.7, 88.76],
      [-87.4, -87.3],
      [-104, -103.9],
      [1e-8, 1e-7],
      [-1e-7, -1e-8],
    ],
  },
  {
    name: "expm1",
    fn: expm1f,
    reference: Math.expm1,
    dense: [
      [88.7, 88.76],
      [-18, -16],
      [1e-8, 1e-6],
      [-1e-6, -1e-8],
      [0.01, 0.012],
      [-0.012, -0.01],
    ],
  },
  // Saturates to ±1 past 9.01; tanh(x) = x below 2^-12.
  {
    name: "tanh",
    fn: tanhf,
    reference: Math.tanh,
    dense: [
      [8.9, 9.2],
      [-9.2, -8.9],
      [1e-4, 3e-4],
      [0.5, 0.51],
    ],
  },
  {
    name: "log",
    fn: logf,
    reference: Math.log,
    dense: [
      [TINY, 1e-42],
      [1.17e-38, 1.18e-38],
      [0.999, 1.001],
      [0.7, 0.71],
      [1.41, 1.42],
      [3.4e38, MAX],
    ],
  },
  {
    name: "log1p",
    fn: log1pf,
    reference: Math.log1p,
    dense: [
      [-1, -0.9999],
      [-0.26, -0.24],
      [0.24, 0.26],
      [1e-9, 1e-8],
      [-1e-8, -1e-9],
    ],
  },
  // erf rounds to ±1 past 3.92; erfc's results are denormal past 9.19 and 0 past 10.055.
  {
    name: "erf",
    fn: erff,
    reference: erfReference,
    dense: [
      [3.8, 4],
      [-4, -3.8],
      [0.99, 1.01],
      [-1.01, -0.99],
      [TINY, 1e-42],
    ],
  },
  {
    name: "erfc",
    fn: erfcf,
    reference: erfcReference,
    dense: [
      [9.1, 9.3],
      [10, 10.1],
      [0.99, 1.01],
      [-1.01, -0.99],
      [-4, -3.8],
    ],
  },
];

/** Values every function must get exactly right (the references agree with IEEE / C's libm on them). */
const SPECIAL = [Number.NaN, Infinity, -Infinity, 0, -0, TINY, -TINY, 1, -1, MAX, -MAX, 1e-30, -1e-30];

/** Every float32 in [from, to] (either sign), at most 40,000 of them evenly spread. */
function dense(from: number, to: number): number[] {
  const [near, far] = Math.abs(from) <= Math.abs(to) ? [from, to] : [to, from];
  return float32Range(Math.fround(near), Math.fround(far), 40_000);
}

describe("float32 math helpers (exp, expm1, tanh, log, log1p, erf, erfc)", () => {
  for (const c of CASES) {
    describe(c.name, () => {
      it("is within 1 ulp of the correctly rounded float32 on every 1024th float32 bit pattern", () => {
        const accuracy = measure(c.fn, c.reference, float32Sweep(1024));
        expect(accuracy.count).toBe(2 ** 22);
        expect(accuracy.maxUlps, `worst at ${accuracy.worstInput}`).toBeLessThanOrEqual(1);
        // Nearly every result is the correctly rounded one (the double before rounding is within 2e-10).
        expect(accuracy.differing / accuracy.count).toBeLessThan(1e-4);
      });

      it("is within 1 ulp on dense sweeps around its thresholds (every float32, or 40,000 evenly spaced)", () => {
        for (const [from, to] of c.dense) {
          const accuracy = measure(c.fn, c.reference, dense(from, to));
          expect(accuracy.maxUlps, `${c.name} on [${from}, ${to}], worst at ${accuracy.worstInput}`).toBeLessThanOrEqual(1);
        }
      });

      it("gets NaN, ±Infinity, ±0, denormals and the extremes exactly right", () => {
        for (const x of SPECIAL) expect(ulpDistance(c.fn(x), c.reference(x)), `${c.name}(${x})`).toBe(0);
      });
    });
  }

  it("keeps the documented edge values", () => {
    const f = Math.fround;
    expect([f(expf(88.7228)), f(expf(88.7229)), f(expf(-103.972)), f(expf(-104)), f(expf(-Infinity))]).toEqual([
      f(Math.exp(88.7228)),
      Infinity,
      TINY,
      0,
      0,
    ]);
    expect([f(tanhf(9.1)), f(tanhf(-9.1)), tanhf(Infinity), tanhf(-Infinity), Object.is(tanhf(-0), -0)]).toEqual([1, -1, 1, -1, true]);
    expect([logf(0), logf(-0), logf(-1), logf(Infinity), logf(1), f(logf(TINY))]).toEqual([
      -Infinity,
      -Infinity,
      Number.NaN,
      Infinity,
      0,
      f(Math.log(TINY)),
    ]);
    expect([log1pf(-1), log1pf(-2), Object.is(log1pf(-0), -0), Object.is(expm1f(-0), -0), expm1f(-Infinity)]).toEqual([
      -Infinity,
      Number.NaN,
      true,
      true,
      -1,
    ]);
    expect([
      erff(Infinity),
      erff(-Infinity),
      Object.is(erff(-0), -0),
      erfcf(-Infinity),
      erfcf(Infinity),
      f(erfcf(10.05)),
      f(erfcf(10.06)),
    ]).toEqual([1, -1, true, 2, 0, TINY, 0]);
  });
});
