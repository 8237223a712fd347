import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";

const s = tf.scalarExpr;
const DTYPES: readonly tf.DType[] = ["float32", "int32", "bool"];

/** A dialect that writes calls as `fn.dtype(args)`, to see exactly what a table entry says. */
const sexpr: tf.ScalarDialect = {
  templates: Object.fromEntries(
    tf.SCALAR_FNS.map((fn) => [fn, Object.fromEntries(tf.scalarFnOperandDTypes(fn).map((d) => [d, (args: readonly string[]) => `${fn}.${d}(${args.join(", ")})`]))]),
  ) as unknown as tf.ScalarTemplates,
  literal: (value, dtype) => `${Object.is(value, -0) ? "-0" : value}:${dtype}`,
  temp: (name, value) => `${name} = ${value}`,
};

/** Every tuple of `n` dtypes. */
function dtypeTuples(n: number): tf.DType[][] {
  return n === 0 ? [[]] : dtypeTuples(n - 1).flatMap((rest) => DTYPES.map((d) => [d, ...rest]));
}

/** The attrs each attr-dependent elementwise op is checked with. */
const ATTR_CASES: Record<string, readonly object[]> = {
  Cast: DTYPES.map((DstT) => ({ DstT })),
  Gelu: [{ approximate: false }, { approximate: true }],
};

describe("elementwise semantics are one table in core", () => {
  const elementwise = tf.coreOpDefs().filter((op) => op.family === "elementwise");

  it("every elementwise op in the op table has scalar semantics", () => {
    expect(elementwise.length).toBeGreaterThan(50);
    expect(elementwise.filter((op) => op.scalar === undefined).map((op) => op.name)).toEqual([]);
  });

  it("every dtype combination an elementwise op accepts has a scalar kernel producing the inferred dtype", () => {
    const gaps: string[] = [];
    for (const op of elementwise) {
      const arity = op.inputs === "variadic" ? 0 : op.inputs.length;
      for (const attrs of ATTR_CASES[op.name] ?? [{}]) {
        for (const dtypes of dtypeTuples(arity)) {
          let output: tf.DType;
          try {
            output = op.infer(dtypes.map((dtype) => ({ shape: [2], dtype })), attrs)[0]!.dtype;
          } catch {
            continue; // the op rejects these dtypes
          }
          if (tf.scalarKernelOf(op, dtypes, output, attrs) === undefined) gaps.push(`${op.name}(${dtypes.join(", ")}) -> ${output}`);
        }
      }
    }
    expect(gaps).toEqual([]);
  });

  it("renders every op's semantics in a complete dialect, sharing repeated sub-expressions", () => {
    expect(tf.missingTemplates(sexpr)).toEqual([]);
    for (const op of elementwise) {
      for (const attrs of ATTR_CASES[op.name] ?? [{}]) {
        const kernels = typeof op.scalar === "function" ? op.scalar(attrs) : op.scalar!;
        for (const kernel of kernels) {
          const args = kernel.args.map((_, i) => "abc"[i]!);
          expect(tf.renderScalar(kernel, sexpr, args, "t").value.length, op.name).toBeGreaterThan(0);
        }
      }
    }
    const floorMod = tf.scalarKernelOf(tf.coreOpDefs().find((op) => op.name === "FloorMod")!, ["int32", "int32"], "int32", {})!;
    expect(tf.renderScalar(floorMod, sexpr, ["a", "b"], "t")).toEqual({
      statements: ["t_0 = rem.int32(a, b)"],
      value: "select.int32(and.bool(ne.int32(t_0, 0:int32), ne.bool(lt.int32(t_0, 0:int32), lt.int32(b, 0:int32))), add.int32(t_0, b), t_0)",
    });
  });

  it("states exact semantics as data: int32 wraps, float32 floorDiv rounds the quotient first, relu passes NaN", () => {
    const op = (name: string) => tf.coreOpDefs().find((o) => o.name === name)!;
    const render = (name: string, dtypes: tf.DType[], out: tf.DType) =>
      tf.renderScalar(tf.scalarKernelOf(op(name), dtypes, out, {})!, sexpr, ["a", "b"], "t").value;
    expect(render("AddV2", ["int32", "int32"], "int32")).toBe("add.int32(a, b)");
    expect(render("FloorDiv", ["float32", "float32"], "float32")).toBe("floor.float32(roundF32.float32(div.float32(a, b)))");
    expect(render("Relu", ["float32"], "float32")).toBe("select.float32(lt.float32(a, 0:float32), 0:float32, a)");
    expect(render("Less", ["int32", "int32"], "bool")).toBe("lt.int32(a, b)");
  });

  it("rejects ill-typed expressions when the table is built", () => {
    const [x] = [s.scalarKernel(["int32"], (a) => a!).body];
    expect(() => s.exp(x!)).toThrow(/exp: does not accept int32/);
    expect(() => s.add(x!, s.scalarKernel(["float32"], (a) => a!).body)).toThrow(/must share a dtype/);
    expect(() => s.select(x!, 1, 2)).toThrow(/condition must be a bool/);
    expect(() => s.literal(1.5, "int32")).toThrow(/not an int32/);
  });

  it("lets a user op declare scalar semantics that backends fuse and render", () => {
    const Cube = tf.defineOp<{}>({
      name: "CubeForSemanticsTest",
      api: "cube",
      family: "elementwise",
      inputs: ["x"],
      infer: ([x]) => [x!],
      grad: "none",
      scalar: [s.scalarKernel(["float32"], (x) => s.mul(s.mul(x!, x!), x!))],
    });
    expect(tf.renderScalar(tf.scalarKernelOf(Cube, ["float32"], "float32", {})!, sexpr, ["x"], "t").value).toBe("mul.float32(mul.float32(x, x), x)");
  });
});
