import * as tf from "@kiln/core";
import * as tfjs from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { afterEach, beforeAll, beforeEach, expect } from "vitest";

// tfjs is the oracle here, not the library under test: no "install tfjs-node" banner in test output.
tfjs.env().set("IS_TEST", true);

/** What a backend's test file passes to the suite. */
export interface ConformanceOptions {
  /** The backend plugin under test (the cpu oracle is registered beside it). */
  readonly plugin: () => tf.BackendPlugin;
  /** The cpu oracle plugin; omit when `plugin` is the cpu backend itself. */
  readonly oracle?: () => tf.BackendPlugin;
}

/** Nested JS values as `array()` returns them. */
export type Nested = tf.NestedArray;

/**
 * Installs the backend under test, and checks after every test that no tensor or buffer
 * leaked (SPEC leak rule): `memory()` must be back to where it was.
 */
export function useBackend(options: ConformanceOptions): void {
  beforeAll(async () => {
    const name = options.plugin().name;
    if (!tf.listBackends().includes(name)) tf.registerBackend(options.plugin());
    if (options.oracle !== undefined && !tf.listBackends().includes("cpu")) tf.registerBackend(options.oracle(), { priority: 0 });
    await tf.setBackend(name);
    await tfjs.setBackend("cpu");
  });
  let before: tf.MemoryInfo;
  beforeEach(() => {
    before = tf.memory();
  });
  afterEach(async () => {
    // Work queued on an async-only backend finishes before memory is compared.
    await tf.asyncWait();
    const after = tf.memory();
    expect({ numTensors: after.numTensors, numBytes: after.numBytes }, "a test leaked tensors or bytes").toEqual({ numTensors: before.numTensors, numBytes: before.numBytes });
  });
}

/**
 * Runs `fn` inside `tidy` and returns the result tensor's values as nested arrays, so a
 * test never leaks and compares plain JS. The result is read with `await` outside the
 * (synchronous) tidy, so this works on async-only backends too, then disposed.
 */
export async function values(fn: () => tf.Tensor): Promise<{ shape: readonly number[]; dtype: tf.DType; value: Nested }> {
  const t = tf.tidy(fn);
  try {
    return { shape: t.shape as number[], dtype: t.dtype, value: await t.array() };
  } finally {
    t.dispose();
  }
}

/** Flat values of a Kiln result (`fn` runs inside tidy; the result is read with `await`, then disposed). */
export async function flat(fn: () => tf.Tensor): Promise<{ shape: number[]; dtype: tf.DType; data: number[] }> {
  const t = tf.tidy(fn);
  try {
    return { shape: [...(t.shape as number[])], dtype: t.dtype, data: Array.from(await t.data()) };
  } finally {
    t.dispose();
  }
}

/** Flat values of a tfjs result (inside tfjs.tidy). */
export function flatTfjs(fn: () => tfjs.Tensor): { shape: number[]; dtype: string; data: number[] } {
  return tfjs.tidy(() => {
    const t = fn();
    return { shape: [...t.shape], dtype: t.dtype, data: Array.from(t.dataSync() as ArrayLike<number>) };
  });
}

/**
 * Asserts two flat value lists agree within `rtol * |expected| + atol`, treating NaN as
 * equal to NaN and infinities as equal only to the same infinity.
 */
export function expectClose(actual: readonly number[], expected: readonly number[], atol = 1e-5, rtol = 1e-5, label = ""): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) {
      expect(Number.isNaN(a), `${label}[${i}]: expected NaN, got ${a}`).toBe(true);
    } else if (!Number.isFinite(e)) {
      expect(a, `${label}[${i}]`).toBe(e);
    } else if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      expect.fail(`${label}[${i}]: expected ${e}, got ${a} (tolerance ${atol + rtol * Math.abs(e)})`);
    }
  }
}

/**
 * Runs the same computation in Kiln and in tfjs-core (cpu backend) and compares shape,
 * dtype and values.
 *
 * ```ts
 * await matchesTfjs(() => tf.add(a, b), () => tfjs.add(ta, tb));
 * ```
 */
export async function matchesTfjs(kiln: () => tf.Tensor, oracle: () => tfjs.Tensor, atol = 1e-5, rtol = 1e-5): Promise<void> {
  const k = await flat(kiln);
  const o = flatTfjs(oracle);
  expect(k.shape, "shape vs tfjs").toEqual(o.shape);
  expect(k.dtype, "dtype vs tfjs").toBe(o.dtype);
  expectClose(k.data, o.data, atol, rtol, "values vs tfjs");
}

/** A deterministic pseudo-random generator (mulberry32) for test inputs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` seeded values uniform in [lo, hi). */
export function randomValues(n: number, seed: number, lo = -1, hi = 1): number[] {
  const next = seededRandom(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * next());
}

export { tf, tfjs };
