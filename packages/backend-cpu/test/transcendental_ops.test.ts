import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { compileElementwise } from "../src/kernels/elementwise/compile.js";
import { jsDialect } from "../src/kernels/elementwise/js_dialect.js";
import { elementwiseHelpers } from "../src/kernels/elementwise/math.js";
import { erfcReference, erfReference } from "./reference_math.js";
import { float32Sweep, ulpDistance } from "./ulp.js";

/** The scalar functions the float32 math helpers implement. */
const TRANSCENDENTAL = new Set<tf.ScalarFn>(["exp", "expm1", "log", "log1p", "tanh", "erf", "erfc"]);

/** The JS dialect as it was before the float32 helpers: Math and the slow, exact erf. */
const REFERENCE: tf.ScalarDialect = {
  ...jsDialect,
  templates: {
    ...jsDialect.templates,
    exp: { float32: ([a]) => `Math.exp(${a})` },
    expm1: { float32: ([a]) => `Math.expm1(${a})` },
    log: { float32: ([a]) => `Math.log(${a})` },
    log1p: { float32: ([a]) => `Math.log1p(${a})` },
    tanh: { float32: ([a]) => `Math.tanh(${a})` },
    erf: { float32: ([a]) => `erfReference(${a})` },
    erfc: { float32: ([a]) => `erfcReference(${a})` },
  },
};

/**
 * Absolute slack where an op's own formula cancels in double precision, so neither rendering
 * is float32-accurate there: gelu's tanh form computes 1 + tanh(u) near tanh(u) = -1, where
 * doubles are 2^-53 apart, so for x below about -5.5 (results under 1e-8) either rendering
 * is off by a few times |0.5·x|·2^-53: tanh's own error of a few 2^-53, not float32 ulps.
 */
const CANCELLATION: Readonly<Record<string, (x: number) => number>> = {
  'Gelu{"approximate":true}': (x) => Math.abs(x) * 2 ** -51,
};

/** Attributes that choose an op's semantics, where they do. */
const ATTRS: Readonly<Record<string, readonly object[]>> = { Gelu: [{ approximate: false }, { approximate: true }] };

function usesTranscendental(node: tf.ScalarExpr): boolean {
  return node.kind === "call" && (TRANSCENDENTAL.has(node.fn) || node.args.some(usesTranscendental));
}

/** Every float32 unary op whose semantics call exp, log, tanh or erf (sigmoid, softplus, elu, selu, gelu, ...). */
function transcendentalOps(): { name: string; kernel: tf.ScalarKernel }[] {
  return tf.coreOpDefs().flatMap((op) =>
    (ATTRS[op.name] ?? [{}]).flatMap((attrs) => {
      if (op.scalar === undefined) return [];
      const kernel = tf.scalarKernelOf(op, ["float32"], "float32", attrs);
      if (kernel === undefined || !usesTranscendental(kernel.body)) return [];
      return [{ name: `${op.name}${JSON.stringify(attrs) === "{}" ? "" : JSON.stringify(attrs)}`, kernel }];
    }),
  );
}

/** `kernel` rendered with the reference dialect, as a loop writing float32 results. */
function referenceLoop(kernel: tf.ScalarKernel): (xs: Float32Array, out: Float32Array) => void {
  const helpers = { ...elementwiseHelpers, erfReference, erfcReference };
  const rendered = tf.renderScalar(kernel, REFERENCE, ["a"], "t");
  const body = `const a = xs[i]; ${rendered.statements.join(" ")} out[i] = ${rendered.value};`;
  const source = `const { ${Object.keys(helpers).join(", ")} } = helpers;
return (xs, out) => { for (let i = 0; i < xs.length; i++) { ${body} } };`;
  return new Function("helpers", source)(helpers);
}

describe("ops built from transcendentals (exp, log, tanh, erf) on the float32 math helpers", () => {
  const inputs = Float32Array.from([...float32Sweep(4096), 0, -0, Infinity, -Infinity, Number.NaN, 88.72, -87.4, -103.97, 9.1, -9.1]);

  it("covers the activations composed of them", () => {
    const names = transcendentalOps().map((o) => o.name);
    for (const name of [
      "Exp",
      "Expm1",
      "Log",
      "Log1p",
      "Tanh",
      "Sigmoid",
      "Elu",
      "Selu",
      "Softplus",
      "Erf",
      'Gelu{"approximate":false}',
      'Gelu{"approximate":true}',
    ]) {
      expect(names).toContain(name);
    }
  });

  for (const { name, kernel } of transcendentalOps()) {
    it(`${name} stays within 1 ulp of its results with Math's functions on every 4096th float32`, () => {
      const fast = new Float32Array(inputs.length);
      const exact = new Float32Array(inputs.length);
      compileElementwise(name, kernel)(fast, [inputs], null);
      referenceLoop(kernel)(inputs, exact);
      const slack = CANCELLATION[name] ?? (() => 0);
      let worst = 0;
      let worstInput = Number.NaN;
      for (let i = 0; i < inputs.length; i++) {
        const ulps = ulpDistance(fast[i]!, exact[i]!);
        if (ulps > worst && !(Math.abs(fast[i]! - exact[i]!) <= slack(inputs[i]!))) [worst, worstInput] = [ulps, inputs[i]!];
      }
      expect(worst, `${name}: worst at ${worstInput}`).toBeLessThanOrEqual(1);
    });
  }
});
