/**
 * The conformance suite's op fuzzer, pointed at the exporter: seeded random calls of every
 * fuzzed op (random shapes with scalars and empty dims, values with NaN, ±Infinity, -0, huge
 * and tiny magnitudes, int32 extremes) are traced, exported, run in onnxruntime and compared
 * with Kiln's cpu result on the same inputs (NaN included: the mappings keep Kiln's NaN rules).
 * Calls Kiln rejects are skipped, and so are float32 products whose partial products leave
 * float64's range (the result then depends on the order of the multiplications).
 *
 * `KILN_FUZZ_ITERATIONS` (default 400 here), `KILN_FUZZ_SEED` and `KILN_FUZZ_OPS` work as in
 * the conformance suite.
 */
import { caseSeed, type FuzzCase, type FuzzInput, OP_FUZZERS, Rng } from "@kiln/conformance";
import { beforeAll, describe, expect, it } from "vitest";
import { toOnnx } from "../src/index.js";
import { expectSame, kilnValues, runOnnx, tf, useCpu, type Values } from "./setup.js";

beforeAll(useCpu);

const env = process.env;
const ITERATIONS = Number(env.KILN_FUZZ_ITERATIONS || 400);
const SEED = Number(env.KILN_FUZZ_SEED || 1);
const ONLY = (env.KILN_FUZZ_OPS ?? "").split(",").filter((s) => s !== "");

/**
 * Inputs whose result depends on evaluation order, which Kiln and onnxruntime need not share:
 * the reason, or undefined. A float32 product whose partial products can leave float64's range
 * (then 0 * Infinity may or may not happen, and which overflow comes first) is one.
 */
function orderDependent(name: string, c: FuzzCase): string | undefined {
  if (name !== "prod") return undefined;
  const x = c.inputs[0]!;
  if (x.dtype !== "float32") return undefined;
  const magnitudes = x.values.filter((v) => Number.isFinite(v) && v !== 0).map((v) => Math.log2(Math.abs(v)));
  const up = magnitudes.filter((m) => m > 0).reduce((a, m) => a + m, 0);
  const down = magnitudes.filter((m) => m < 0).reduce((a, m) => a + m, 0);
  return up > 1000 || down < -1000 ? "partial products past float64's range" : undefined;
}

function kilnTensor(input: FuzzInput): tf.Tensor {
  return tf.tensor(input.dtype === "bool" ? input.values.map((v) => v !== 0) : [...input.values], [...input.shape], input.dtype);
}

const fuzzers = OP_FUZZERS.filter((f) => ONLY.length === 0 || ONLY.includes(f.name));
const weight = fuzzers.reduce((a, f) => a + (f.weight ?? 1), 0);

describe("fuzzed op calls give Kiln's cpu results in onnxruntime", () => {
  for (const fuzzer of fuzzers) {
    const count = Math.max(1, Math.round((ITERATIONS * (fuzzer.weight ?? 1)) / weight));
    it(`${fuzzer.name} (${count} calls)`, async () => {
      const problems: string[] = [];
      for (let k = 0; k < count; k++) {
        const c = fuzzer.make(new Rng(caseSeed(SEED, fuzzer.name, k)));
        if (c.kilnRejects !== undefined || orderDependent(fuzzer.name, c) !== undefined) continue;
        const inputs = c.inputs.map(kilnTensor);
        try {
          let expected: Values[];
          let cf: tf.CallableConcreteFunction;
          try {
            cf = tf.function((...xs: tf.Tensor[]) => c.kiln(xs), { autograph: false }).getConcreteFunction(...inputs);
            expected = tf.tidy(() => {
              const out = cf(...inputs) as tf.Tensor | tf.Tensor[];
              return (Array.isArray(out) ? out : [out]).map(kilnValues);
            });
          } catch {
            continue; // Kiln rejects this call (a typed error): nothing to export.
          }
          if (expected.length === 0) continue; // No outputs (unstack of an empty axis): not a model (a typed error).
          const tol = { atol: Math.max(c.atol ?? 0, 1e-5), rtol: Math.max(c.rtol ?? 0, 1e-5) };
          try {
            const actual = await runOnnx(toOnnx(cf), inputs);
            expected.forEach((e, i) => expectSame(actual[i]!, e, tol, `output ${i}`));
          } catch (error) {
            const shown = c.inputs.map((i) => `${i.name}: ${i.dtype}[${i.shape}] ${JSON.stringify(i.values.slice(0, 12))}`).join("; ");
            problems.push(`case ${k} ${JSON.stringify(c.attrs)} ${shown}: ${(error as Error).message.split("\n").slice(0, 2).join(" ")}`);
          }
          cf.dispose();
        } finally {
          tf.dispose(inputs);
        }
      }
      expect(problems, `KILN_FUZZ_OPS=${fuzzer.name} KILN_FUZZ_SEED=${SEED} KILN_FUZZ_ITERATIONS=${ITERATIONS}`).toEqual([]);
    });
  }
});
