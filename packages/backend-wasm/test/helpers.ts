import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import { expect } from "vitest";
import { type WasmBackend, type WasmOptions, wasm } from "../src/index.js";

/**
 * Whether this vitest project tests the relaxed-SIMD binaries (vitest.config.ts sets
 * KILN_WASM_RELAXED): the same tests then run on the relaxed binaries, and otherwise on the
 * plain ones on every Node version.
 */
const RELAXED = process.env.KILN_WASM_RELAXED === "1";

/** Registers cpu and a wasm backend (once per test file) and returns the wasm backend. */
export async function setUpBackends(options: WasmOptions = {}): Promise<WasmBackend> {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu(), { priority: 0 });
  if (!tf.listBackends().includes("wasm")) tf.registerBackend(wasm({ relaxedSimd: RELAXED, ...options }));
  await tf.setBackend("wasm");
  const backend = tf.backend() as WasmBackend;
  await backend.threadsReady;
  return backend;
}

/** Runs `fn` on backend `name` inside tidy and returns its results' values and dtypes. */
export async function runOn(
  name: string,
  fn: () => tf.Tensor | tf.Tensor[],
): Promise<{ dtype: tf.DType; shape: number[]; data: number[] }[]> {
  const previous = tf.getBackend();
  await tf.setBackend(name);
  try {
    return tf.tidy(() => {
      const out = fn();
      return (Array.isArray(out) ? out : [out]).map((t) => ({
        dtype: t.dtype,
        shape: [...(t.shape as number[])],
        data: Array.from(t.dataSync()),
      }));
    });
  } finally {
    await tf.setBackend(previous);
  }
}

/** Seeded values in [lo, hi). */
export function randomValues(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  });
}

/** Asserts wasm and cpu agree: same shapes and dtypes, values within `rtol * |cpu| + atol` (NaN equal to NaN). */
export function expectAgree(
  got: { dtype: tf.DType; shape: number[]; data: number[] }[],
  want: { dtype: tf.DType; shape: number[]; data: number[] }[],
  atol = 1e-6,
  rtol = 1e-5,
  label = "",
): void {
  expect(got.length, label).toBe(want.length);
  got.forEach((g, k) => {
    const w = want[k]!;
    expect(g.shape, `${label} shape`).toEqual(w.shape);
    expect(g.dtype, `${label} dtype`).toBe(w.dtype);
    for (let i = 0; i < w.data.length; i++) {
      const a = g.data[i]!;
      const e = w.data[i]!;
      if (Number.isNaN(e)) expect(Number.isNaN(a), `${label}[${i}] expected NaN, got ${a}`).toBe(true);
      else if (!Number.isFinite(e) || w.dtype !== "float32") expect(a, `${label}[${i}]`).toBe(e);
      else if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) expect.fail(`${label}[${i}]: wasm ${a}, cpu ${e}`);
    }
  });
}
