import { describe, expect, it } from "vitest";
import { tf, tfjs } from "../context.js";
import { type FuzzCase, type FuzzResult, OP_FUZZERS } from "./fuzz_ops_cases.js";
import { caseSeed, type FuzzInput, formatValues, Rng } from "./fuzz_ops_random.js";

/**
 * The op fuzzer: seeded random calls of the ops Kiln shares with tfjs, on random shapes
 * (scalars and empty dims included) and values (NaN, ±Infinity, -0, huge, tiny, int32
 * extremes), each compared with tfjs-core's cpu backend on the same values. The cases and
 * the documented differences they adapt to are in `fuzz_ops_cases.ts`.
 *
 * Environment (read once, when the suite is defined):
 * - `KILN_FUZZ_ITERATIONS`: total cases over all ops (default 1500: about a second on cpu, a few on the async-only test backend).
 * - `KILN_FUZZ_SEED`: the base seed (default 1). Each case's seed derives from it, the op
 *   name and the case index, so one case reruns alone.
 * - `KILN_FUZZ_OPS`: comma-separated op names to fuzz (default: all).
 * - `KILN_FUZZ_CASE`: run only this case index (with `KILN_FUZZ_OPS`, to replay a failure).
 * - `KILN_FUZZ_MODE`: `eager`, `traced` or `mixed` (default: about a third of the cases run
 *   inside a `tf.function`, where elementwise ops go through the backend's compiled path).
 * - `KILN_FUZZ_NONFINITE_FILTERS=1`: lets NaN and ±Infinity into convolution filters, which
 *   shows a known Kiln inconsistency (see FILTER_FLOATS in `fuzz_ops_cases.ts`).
 *
 * Every mismatch message starts with the command that reproduces it, then the op, mode,
 * JS arguments, every input (dtype, shape, values) and both results.
 */

const env: Record<string, string | undefined> = typeof process === "undefined" ? {} : process.env;

function envInt(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, received ${JSON.stringify(raw)}`);
  return value;
}

/** Default total: keeps the suite at a few seconds on the cpu backend. */
export const DEFAULT_FUZZ_ITERATIONS = 1500;

const ITERATIONS = envInt("KILN_FUZZ_ITERATIONS", DEFAULT_FUZZ_ITERATIONS);
const SEED = envInt("KILN_FUZZ_SEED", 1);
const ONLY_CASE = env.KILN_FUZZ_CASE === undefined || env.KILN_FUZZ_CASE === "" ? undefined : envInt("KILN_FUZZ_CASE", 0);
const ONLY_OPS = (env.KILN_FUZZ_OPS ?? "")
  .split(",")
  .map((s) => s.trim())
  .filter((s) => s !== "");
const MODE = env.KILN_FUZZ_MODE === undefined || env.KILN_FUZZ_MODE === "" ? "mixed" : env.KILN_FUZZ_MODE;
if (!["eager", "traced", "mixed"].includes(MODE))
  throw new Error(`KILN_FUZZ_MODE must be eager, traced or mixed, received ${JSON.stringify(MODE)}`);

type Outcome = { ok: true; results: FuzzResult[] } | { ok: false; error: unknown };

function kilnTensor(input: FuzzInput): tf.Tensor {
  const values = input.dtype === "bool" ? input.values.map((v) => v !== 0) : [...input.values];
  return tf.tensor(values, [...input.shape], input.dtype);
}

function tfjsTensor(input: FuzzInput): tfjs.Tensor {
  const values = input.dtype === "bool" ? input.values.map((v) => v !== 0) : [...input.values];
  return tfjs.tensor(values, [...input.shape], input.dtype);
}

const asList = <T>(r: T | T[]): T[] => (Array.isArray(r) ? r : [r]);

/** Runs the Kiln side eagerly or inside a tf.function, reading results with `await` (async-only backends). */
async function runKiln(c: FuzzCase, traced: boolean): Promise<Outcome> {
  let f: tf.TfFunction<(...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]> | undefined;
  let outputs: tf.Tensor[] = [];
  try {
    if (traced) f = tf.function((...xs: tf.Tensor[]) => c.kiln(xs), { autograph: false });
    outputs = tf.tidy(() => {
      const xs = c.inputs.map(kilnTensor);
      return asList(f === undefined ? c.kiln(xs) : f(...xs));
    });
    const results: FuzzResult[] = [];
    for (const t of outputs) results.push({ shape: [...(t.shape as number[])], dtype: t.dtype, data: Array.from(await t.data()) });
    return { ok: true, results };
  } catch (error) {
    return { ok: false, error };
  } finally {
    tf.dispose(outputs);
    if (f !== undefined) for (const cf of f.concreteFunctions()) cf.dispose();
  }
}

function runTfjs(c: FuzzCase): Outcome {
  try {
    const results = tfjs.tidy(() => {
      const out = asList(c.tfjs(c.inputs.map(tfjsTensor)));
      return out.map((t) => ({ shape: [...t.shape], dtype: t.dtype as string, data: Array.from(t.dataSync() as ArrayLike<number>) }));
    });
    return { ok: true, results };
  } catch (error) {
    return { ok: false, error };
  }
}

function describeOutcome(o: Outcome): string {
  if (!o.ok) return `threw ${o.error instanceof Error ? `${o.error.name}: ${o.error.message}` : String(o.error)}`;
  return o.results.map((r, i) => `#${i} ${r.dtype} [${r.shape.join(",")}] ${formatValues(r.data, 512)}`).join("\n    ");
}

/** Everything needed to rerun and read a case. */
function report(
  op: string,
  index: number,
  c: FuzzCase,
  traced: boolean,
  problem: string,
  kiln: Outcome,
  oracle: Outcome | undefined,
  oracleName: string,
): string {
  const inputs = c.inputs.map((x) => `  ${x.name}: ${x.dtype} [${x.shape.join(",")}] = ${formatValues(x.values)}`).join("\n");
  return [
    `op fuzzer: ${problem}`,
    `  reproduce (in the backend's package): KILN_FUZZ_SEED=${SEED} KILN_FUZZ_OPS=${op} KILN_FUZZ_CASE=${index}${MODE === "mixed" ? "" : ` KILN_FUZZ_MODE=${MODE}`}${env.KILN_FUZZ_NONFINITE_FILTERS === "1" ? " KILN_FUZZ_NONFINITE_FILTERS=1" : ""} npx vitest run -t "op fuzzer"`,
    `  op: ${op} (case seed ${caseSeed(SEED, op, index)}), ${traced ? "inside tf.function" : "eager"}, backend ${tf.getBackend()}`,
    `  args: ${JSON.stringify(c.attrs, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v))}`,
    inputs,
    `  kiln: ${describeOutcome(kiln)}`,
    oracle === undefined ? "" : `  ${oracleName}: ${describeOutcome(oracle)}`,
  ]
    .filter((line) => line !== "")
    .join("\n");
}

/**
 * The first element where `actual` and `expected` differ beyond `atol + rtol * |expected|`
 * (NaN equals NaN, infinities only themselves), or -1. Signed zeros are not compared: where
 * a zero's sign is implementation-defined (relu(-0), sums starting from +0, floorDiv and mod
 * results of 0) Kiln and tfjs differ without either being wrong.
 */
function firstMismatch(actual: readonly number[], expected: readonly number[], atol: number, rtol: number): number {
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) return i;
    } else if (!Number.isFinite(e)) {
      if (a !== e) return i;
    } else if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      return i;
    }
  }
  return -1;
}

/** Compares result lists; returns a description of the first difference, or undefined. */
function compare(actual: FuzzResult[], expected: FuzzResult[], c: FuzzCase): string | undefined {
  if (actual.length !== expected.length) return `${actual.length} outputs, expected ${expected.length}`;
  for (let k = 0; k < expected.length; k++) {
    const a = actual[k]!;
    const e = expected[k]!;
    if (a.shape.join(",") !== e.shape.join(",")) return `output ${k} has shape [${a.shape}], expected [${e.shape}]`;
    if (a.dtype !== e.dtype) return `output ${k} has dtype ${a.dtype}, expected ${e.dtype}`;
    if (a.data.length !== e.data.length) return `output ${k} has ${a.data.length} values, expected ${e.data.length}`;
    const atol = c.atol ?? 1e-6;
    const rtol = c.rtol ?? 1e-5;
    const i = firstMismatch(a.data, e.data, atol, rtol);
    if (i >= 0) return `output ${k} element ${i}: kiln ${a.data[i]}, expected ${e.data[i]} (atol ${atol}, rtol ${rtol})`;
  }
  return undefined;
}

const isTypedKilnError = (error: unknown) => error instanceof tf.KilnError || error instanceof TypeError;

/** Runs one case and fails the test with a full report when Kiln and the oracle disagree. */
async function check(op: string, index: number, c: FuzzCase, traced: boolean): Promise<void> {
  const kiln = await runKiln(c, traced);
  const fail = (problem: string, oracle?: Outcome, oracleName = "tfjs") =>
    expect.fail(report(op, index, c, traced, problem, kiln, oracle, oracleName));
  if (!kiln.ok && !isTypedKilnError(kiln.error)) fail("Kiln threw an untyped error (expected a KilnError subclass)");
  if (c.kilnRejects !== undefined) {
    if (kiln.ok) fail(`Kiln accepted a call it documents as rejected (${c.kilnRejects})`);
    return;
  }
  const oracle = c.reference === undefined ? runTfjs(c) : undefined;
  let expected: Outcome = oracle ?? { ok: true, results: c.reference!() };
  const oracleName = oracle === undefined ? "reference" : "tfjs";
  if (!expected.ok && c.tfjsMayThrow !== undefined && c.fallback !== undefined) {
    // A documented tfjs limitation: check Kiln against the plain-JS reference instead.
    expected = { ok: true, results: c.fallback() };
  } else if (!expected.ok && c.tfjsMayThrow !== undefined) {
    return;
  }
  if (!kiln.ok && !expected.ok) return; // both reject the call
  if (!kiln.ok) fail(`Kiln threw where ${oracleName} answered`, expected, oracleName);
  if (!expected.ok) fail(`${oracleName} threw where Kiln answered`, expected, oracleName);
  if (!kiln.ok || !expected.ok) return;
  const results = c.adapt === undefined ? expected.results : c.adapt(expected.results.map((r) => ({ ...r, data: [...r.data] })));
  const problem = compare(kiln.results, results, c);
  if (problem !== undefined) fail(problem, { ok: true, results }, c.adapt === undefined ? oracleName : `${oracleName} (adapted)`);
}

/** The op fuzzer against tfjs-core: every op family with random shapes, dtypes, arguments and special values. */
export function fuzzOpsSuite(): void {
  const fuzzers = ONLY_OPS.length === 0 ? OP_FUZZERS : OP_FUZZERS.filter((f) => ONLY_OPS.includes(f.name));
  if (ONLY_OPS.length > 0) {
    const unknown = ONLY_OPS.filter((name) => !OP_FUZZERS.some((f) => f.name === name));
    if (unknown.length > 0)
      throw new Error(`KILN_FUZZ_OPS names unknown fuzzers: ${unknown.join(", ")}; known: ${OP_FUZZERS.map((f) => f.name).join(", ")}`);
  }
  const weightSum = OP_FUZZERS.reduce((s, f) => s + (f.weight ?? 1), 0);
  describe(`op fuzzer vs tfjs-core (seed ${SEED}, ${ITERATIONS} cases)`, () => {
    for (const fuzzer of fuzzers) {
      const count = Math.max(1, Math.round((ITERATIONS * (fuzzer.weight ?? 1)) / weightSum));
      const indices = ONLY_CASE === undefined ? Array.from({ length: count }, (_, i) => i) : [ONLY_CASE];
      it(
        `${fuzzer.name} (${indices.length} cases)`,
        async () => {
          for (const index of indices) {
            const seed = caseSeed(SEED, fuzzer.name, index);
            const c = fuzzer.make(new Rng(seed));
            const modeRng = new Rng(seed ^ 0x5bd1e995);
            const traced = c.alwaysTraced === true || MODE === "traced" || (MODE === "mixed" && modeRng.chance(0.35));
            await check(fuzzer.name, index, c, traced);
          }
        },
        Math.max(60_000, indices.length * 250),
      );
    }
  });
}
