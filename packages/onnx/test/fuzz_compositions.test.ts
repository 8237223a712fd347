/**
 * The composition fuzzer: seeded random programs (elementwise, logic, casts, reductions,
 * movement, matrix products, `cond` and `whileLoop` with data-dependent predicates and trip
 * counts, nested; see test/fuzz/) are traced, exported, run in onnxruntime and compared with
 * Kiln's cpu result on the same inputs. A quarter are traced with every input dim unknown
 * (`null`), so the export's run-time shape paths run too.
 *
 * Each program first runs once eagerly: a program Kiln rejects is redrawn from the same seeded
 * stream. Exact programs (IEEE-rounded arithmetic, movement, comparisons, NaN and infinities
 * included) must match to 1e-6; programs with transcendentals or accumulations within 1e-4
 * relative to the largest magnitude they produced (steps that would magnify such differences,
 * like floor, comparisons or reciprocals, only follow exact values: see test/fuzz/).
 *
 * Environment: `KILN_FUZZ_ITERATIONS` (total op-fuzzer calls; compositions are a tenth,
 * default 60), `KILN_FUZZ_SEED` (default 1), `KILN_FUZZ_CASE` (replay one case). A failure
 * names the variables that replay it and prints the program and its inputs.
 */
import { caseSeed, Rng } from "@kiln/conformance";
import { beforeAll, describe, expect, it } from "vitest";
import { toOnnx } from "../src/index.js";
import { generate, type Probe, type Program } from "./fuzz/program.js";
import { expectSame, kilnValues, runOnnx, tf, useCpu } from "./setup.js";

beforeAll(useCpu);

const env = process.env;
const COUNT = Math.max(1, Math.round(Number(env.KILN_FUZZ_ITERATIONS || 600) / 10));
const SEED = Number(env.KILN_FUZZ_SEED || 1);
const ONLY = env.KILN_FUZZ_CASE === undefined || env.KILN_FUZZ_CASE === "" ? undefined : Number(env.KILN_FUZZ_CASE);

/** The largest finite magnitude (at least 1) among a program's values, in one eager run. */
function scaleOf(p: Program, xs: readonly tf.Tensor[]): number {
  let scale = 1;
  const probe: Probe = {
    seen: (t) => {
      for (const v of t.dataSync()) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    },
  };
  tf.tidy(() => p.run(xs, probe));
  return scale;
}

const tensorOf = (i: Program["inputs"][number]) =>
  tf.tensor(i.dtype === "bool" ? i.values.map((v) => v !== 0) : [...i.values], [...i.shape], i.dtype);

/** A program Kiln runs eagerly (a program it rejects, as TF would, is redrawn from `r`), and its scale. */
function accepted(r: Rng): { program: Program; scale: number } {
  for (let attempt = 0; ; attempt++) {
    const program = generate(r);
    const xs = program.inputs.map(tensorOf);
    try {
      return { program, scale: scaleOf(program, xs) };
    } catch (error) {
      if (attempt > 200) throw error;
    } finally {
      tf.dispose(xs);
    }
  }
}

function describeCase(p: Program, k: number): string {
  const inputs = p.inputs.map(
    (i) => `  ${i.name}: ${i.dtype}[${i.shape}] ${JSON.stringify(i.values.map((v) => (Object.is(v, -0) ? "-0" : v)))}`,
  );
  return [
    `KILN_FUZZ_SEED=${SEED} KILN_FUZZ_CASE=${k} KILN_FUZZ_ITERATIONS=${COUNT * 10}`,
    "program:",
    ...p.lines.map((l) => `  ${l}`),
    "inputs:",
    ...inputs,
  ].join("\n");
}

describe("random compositions give Kiln's cpu results in onnxruntime (seeded)", () => {
  for (let k = 0; k < COUNT; k++) {
    if (ONLY !== undefined && k !== ONLY) continue;
    it(`program ${k}`, async () => {
      const r = new Rng(caseSeed(SEED, "composition", k));
      const { program, scale } = accepted(r);
      const xs = program.inputs.map(tensorOf);
      const run = (...args: tf.Tensor[]) => program.run(args);
      let symbolic = r.chance(0.25);
      let cf: tf.CallableConcreteFunction;
      try {
        const inputSignature = program.inputs.map(
          (i) =>
            new tf.TensorSpec(
              i.shape.map(() => null),
              i.dtype,
            ),
        );
        if (!symbolic) throw new Error("static");
        cf = tf.function(run, { autograph: false, inputSignature }).getConcreteFunction();
      } catch {
        symbolic = false; // (or Kiln needs a static shape to trace this program)
        cf = tf.function(run, { autograph: false }).getConcreteFunction(...xs);
      }
      try {
        const expected = tf.tidy(() => (cf(...xs) as tf.Tensor[]).map(kilnValues));
        const tol = program.exact ? { atol: 1e-6, rtol: 1e-6 } : { atol: 1e-4 * scale, rtol: 1e-4 };
        const actual = await runOnnx(toOnnx(cf), xs).catch((error: Error) =>
          expect.fail(`${describeCase(program, k)}\nsymbolic dims: ${symbolic}\n${error.message}`),
        );
        expected.forEach((e, i) => {
          try {
            expectSame(actual[i]!, e, tol, `output ${i}`);
          } catch (error) {
            expect.fail(
              `${describeCase(program, k)}\nsymbolic dims: ${symbolic}\n${(error as Error).message}\nexpected ${JSON.stringify(e.data)}\nactual   ${JSON.stringify(actual[i]!.data)}`,
            );
          }
        });
      } finally {
        cf.dispose();
        tf.dispose(xs);
      }
    });
  }
});
