/**
 * Test helpers: the cpu backend (Kiln's oracle), running an exported model in onnxruntime
 * (CPU execution provider) on Kiln tensors, and comparing results within a tolerance.
 */
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import * as ort from "onnxruntime-node";
import { expect } from "vitest";

/** Registers and selects the cpu backend. */
export async function useCpu(): Promise<void> {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
  await tf.setBackend("cpu");
}

/** A result read back as plain numbers (bool as 0/1). */
export interface Values {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

const ORT_TYPES: Record<tf.DType, "float32" | "int32" | "bool"> = { float32: "float32", int32: "int32", bool: "bool" };

/** A Kiln tensor as an onnxruntime tensor. */
export function ortTensor(t: tf.Tensor): ort.Tensor {
  return new ort.Tensor(ORT_TYPES[t.dtype], t.dataSync() as Float32Array | Int32Array | Uint8Array, [...(t.shape as number[])]);
}

/** One session per model bytes (creating one costs more than running it). */
const sessions = new WeakMap<Uint8Array, Promise<ort.InferenceSession>>();

/** The onnxruntime session of `bytes` (CPU provider, one intra-op thread for repeatable timings). */
export function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  let s = sessions.get(bytes);
  if (s === undefined) {
    s = ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1 });
    sessions.set(bytes, s);
  }
  return s;
}

/** Runs an exported model on Kiln tensors (by input name, or in order); returns each output. */
export async function runOnnx(bytes: Uint8Array, inputs: Record<string, tf.Tensor> | readonly tf.Tensor[]): Promise<Values[]> {
  const s = await session(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  if (Array.isArray(inputs)) inputs.forEach((t, i) => (feeds[s.inputNames[i]!] = ortTensor(t)));
  else for (const [name, t] of Object.entries(inputs)) feeds[name] = ortTensor(t as tf.Tensor);
  const results = await s.run(feeds);
  return s.outputNames.map((name) => {
    const r = results[name]!;
    const data = Array.from(r.data as ArrayLike<number | bigint | boolean>, Number);
    return { dtype: r.type, shape: r.dims.map(Number), data };
  });
}

/** A Kiln result as plain numbers. */
export function kilnValues(t: tf.Tensor): Values {
  return { dtype: t.dtype, shape: [...(t.shape as number[])], data: Array.from(t.dataSync(), Number) };
}

/** Tolerances: |actual - expected| <= atol + rtol * |expected| (NaN equals NaN, infinities must match). */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** Bit-for-bit or nearly: arithmetic whose result is one rounding. */
export const EXACT: Tolerance = { atol: 1e-6, rtol: 1e-6 };

/** Asserts an onnxruntime result equals Kiln's: dtype, shape, and values within `tol`. */
export function expectSame(actual: Values, expected: Values, tol: Tolerance = EXACT, label = ""): void {
  expect(actual.dtype, `${label} dtype`).toBe(expected.dtype);
  expect(actual.shape, `${label} shape`).toEqual(expected.shape);
  expect(actual.data.length, `${label} length`).toBe(expected.data.length);
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    if (Number.isNaN(e)) expect(Number.isNaN(a), `${label}[${i}]: expected NaN, got ${a}`).toBe(true);
    else if (!Number.isFinite(e)) expect(a, `${label}[${i}]`).toBe(e);
    else if (!(Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e))) expect.fail(`${label}[${i}]: expected ${e}, got ${a} (tolerance ${tol.atol + tol.rtol * Math.abs(e)})`);
  }
}

/** The largest absolute difference between two results' values. */
export function maxAbsDiff(a: Values, b: Values): number {
  let m = 0;
  for (let i = 0; i < b.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

/** `n` seeded values uniform in [lo, hi) (mulberry32), for test inputs. */
export function seeded(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  });
}

export { tf };
