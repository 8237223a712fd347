import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { jsDialect } from "../src/kernels/elementwise/js_dialect.js";

describe("the cpu backend renders core's elementwise semantics as JS", () => {
  it("writes every scalar function for every operand dtype it accepts", () => {
    expect(tf.missingTemplates(jsDialect)).toEqual([]);
  });

  it("renders relu so NaN passes through, cheap selects without a branch, and bools as JS booleans", () => {
    const relu = tf.scalarKernelOf(tf.coreOpDefs().find((op) => op.name === "Relu")!, ["float32"], "float32", {})!;
    expect(tf.renderScalar(relu, jsDialect, ["a"], "t").value).toBe("selectFloat((a < 0), 0, a)");
    const elu = tf.scalarKernelOf(tf.coreOpDefs().find((op) => op.name === "Elu")!, ["float32"], "float32", {})!;
    expect(tf.renderScalar(elu, jsDialect, ["a"], "t").value).toBe("((a > 0) ? a : expm1f(a))");
    const and = tf.scalarKernelOf(tf.coreOpDefs().find((op) => op.name === "LogicalAnd")!, ["bool", "bool"], "bool", {})!;
    expect(tf.renderScalar(and, jsDialect, ["a", "b"], "t").value).toBe("(a && b)");
  });

  it("writes literals that parse back to the same number", () => {
    for (const v of [0, -0, 1.5, -2, NaN, Infinity, -Infinity, 1e-45]) {
      const text = jsDialect.literal(v, "float32");
      expect(Object.is(Number(new Function(`return ${text}`)()), v), text).toBe(true);
    }
  });
});
