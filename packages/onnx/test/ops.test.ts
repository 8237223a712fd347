/**
 * Every core op with a mapping, exported as a one-op function and run in onnxruntime, gives
 * Kiln's cpu result: same dtype and shape, values within the case's tolerance (exact for
 * integer, bool and rounding ops; a few float32 ulps for transcendentals; 2e-5 for sums and
 * convolutions, whose summation order differs). Random ops are compared by distribution in
 * random.test.ts.
 */
import { opsNeedingKernels } from "@kiln/conformance";
import { beforeAll, describe, expect, it } from "vitest";
import { onnxMappings, toOnnx } from "../src/index.js";
import type { OpCase } from "./cases/case.js";
import { convolutionBackpropCases, convolutionCases } from "./cases/convolution.js";
import { creationCases, plumbingCases } from "./cases/creation.js";
import { binaryCases, selectionCases, unaryCases } from "./cases/elementwise.js";
import { gatherCases, joiningCases, shapeCases, slicingCases } from "./cases/movement.js";
import { matmulCases, reductionCases, topKCases } from "./cases/reduction.js";
import { expectSame, kilnValues, runOnnx, tf, useCpu } from "./setup.js";

const CASES: readonly OpCase[] = [
  ...unaryCases,
  ...binaryCases,
  ...selectionCases,
  ...reductionCases,
  ...matmulCases,
  ...topKCases,
  ...convolutionCases,
  ...convolutionBackpropCases,
  ...shapeCases,
  ...slicingCases,
  ...gatherCases,
  ...joiningCases,
  ...creationCases,
  ...plumbingCases,
];

/** Ops whose values are drawn at random: compared by distribution in random.test.ts. */
export const RANDOM_OPS = ["RandomUniform", "RandomStandardNormal", "TruncatedNormal", "StatelessRandomUniform", "StatelessRandomNormal", "StatelessTruncatedNormal"];

beforeAll(useCpu);

describe("op coverage", () => {
  it("every op of tf.coreOps() has an ONNX mapping (Placeholder becomes a graph input or a bound sub-graph input)", () => {
    const missing = tf.coreOps().filter((op) => op.name !== "Placeholder" && !onnxMappings().has(op.name));
    expect(missing.map((op) => op.name)).toEqual([]);
  });

  it("every op a backend needs a kernel for (the conformance suite's list) has a one-op case", () => {
    const covered = new Set([...CASES.map((c) => c.op), ...RANDOM_OPS]);
    expect(opsNeedingKernels().filter((op) => !covered.has(op.name)).map((op) => op.name)).toEqual([]);
  });
});

describe("one-op functions give Kiln's cpu results in onnxruntime", () => {
  for (const c of CASES) {
    it(`${c.op}: ${c.label}`, async () => {
      const inputs = c.inputs();
      const f = tf.function(c.fn, { autograph: false });
      const cf = f.getConcreteFunction(...(c.specs?.() ?? inputs));
      expect(cf.graph.getOperations().map((o) => o.type), `the traced function contains ${c.op}`).toContain(c.op);
      const bytes = toOnnx(cf);
      const expected = tf.tidy(() => {
        const out = cf(...inputs) as tf.Tensor | tf.Tensor[];
        return (Array.isArray(out) ? out : [out]).map(kilnValues);
      });
      const actual = await runOnnx(bytes, inputs);
      expect(actual.length).toBe(expected.length);
      expected.forEach((e, k) => expectSame(actual[k]!, e, c.tol, `output ${k}`));
      tf.dispose(inputs);
      cf.dispose();
    });
  }
});
