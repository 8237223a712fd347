import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { wgslDialect } from "../src/index.js";
import { f32Literal, i32Literal } from "../src/wgsl/dialect.js";
import { HELPER_NAMES, helperSource } from "../src/wgsl/math.js";

// Elementwise semantics are written once in core and rendered per backend:
// the WGSL dialect must cover every scalar function for every dtype it accepts.
describe("the WGSL scalar dialect", () => {
  it("writes every scalar function core defines, for every operand dtype", () => {
    expect(tf.missingTemplates(wgslDialect)).toEqual([]);
  });

  it("renders relu from core's semantics table with a NaN-safe comparison", () => {
    const relu = tf.scalarKernelOf(tf.Relu, ["float32"], "float32", {})!;
    expect(tf.renderScalar(relu, wgslDialect, ["a"], "t")).toMatchInlineSnapshot(`
      {
        "statements": [],
        "value": "select(a, 0.0, kiln_lt(a, 0.0))",
      }
    `);
  });

  it("writes literals WGSL parses back exactly, and special values as run-time bit patterns", () => {
    expect(f32Literal(0.1)).toBe("0.10000000149011612");
    expect(f32Literal(-2)).toBe("(-2.0)");
    expect(f32Literal(1e30)).toBe("1.0000000150474662e+30");
    expect(f32Literal(Number.NaN)).toBe("kiln_f32_bits(0x7fc00000u)");
    expect(f32Literal(-Infinity)).toBe("kiln_f32_bits(0xff800000u)");
    expect(f32Literal(-0)).toBe("kiln_f32_bits(0x80000000u)");
    expect(f32Literal(1e-40)).toBe("kiln_f32_bits(0x000116c2u)");
    expect(i32Literal(-2147483648)).toBe("bitcast<i32>(0x80000000u)");
    expect(i32Literal(-3)).toBe("(-3i)");
  });

  it("emits each helper once, after the helpers it calls", () => {
    for (const name of HELPER_NAMES) {
      const source = helperSource([name]);
      const defined = [...source.matchAll(/^fn (kiln_\w+)/gm)].map((m) => m[1]);
      expect(new Set(defined).size, name).toBe(defined.length);
    }
    const pow = helperSource(["kiln_pow_f32"]);
    expect(pow.indexOf("fn kiln_exp(")).toBeLessThan(pow.indexOf("fn kiln_pow_f32("));
    expect(pow.indexOf("fn kiln_log(")).toBeLessThan(pow.indexOf("fn kiln_pow_f32("));
  });
});
