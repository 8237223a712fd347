import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { ConversionError, DO_NOT_CONVERT, autograph, convert, doNotConvert, isConverted, toCode } from "../src/index.js";
import "../src/register.js";
import * as ag__ from "../src/runtime.js";
import { captureWarnings, converted, useCpu } from "./helpers.js";

// The run-time entry point (SPEC G10 c): `import "@kiln/autograph/register"` sets core's
// hook, and tf.function converts from fn.toString(). Functions here are built with
// `new Function` (or use no imports) so their text is what a user's would be: Vite
// rewrites imports in test files, which the run-time converter could not see.

useCpu();

/** A function whose text refers to `tf` (resolved by the converter) and nothing else free. */
function userFunction<F>(source: string): F {
  return new Function("tf", `return (${source})`)(tf) as F;
}

const types = (f: tf.PolymorphicFunction, ...specs: unknown[]) =>
  f
    .getConcreteFunction(...specs)
    .graph.getOperations()
    .map((o) => o.type);
const scalar = new tf.TensorSpec([], "float32");

describe("register: tf.function converts at run time", () => {
  it("installs core's hook", () => {
    expect(typeof tf.getRuntime().autograph).toBe("function");
  });

  it("converts a function that uses tf and its parameters (SPEC G1 through the hook)", () => {
    const f = tf.function(
      userFunction<(x: tf.Tensor) => tf.Tensor>(`(x) => {
      let total = tf.scalar(0);
      for (const v of tf.range(4)) total = total + v * x;
      if (total > 10) return total;
      return -total;
    }`),
    );
    expect(types(f, scalar)).toEqual(expect.arrayContaining(["Range", "StatelessWhile", "StatelessIf"]));
    expect(f(tf.scalar(2)).arraySync()).toBe(12);
    expect(f(tf.scalar(1)).arraySync()).toBe(-6);
  });

  it("lists the free variables it cannot resolve, with the fixes (loader, plugin, scope)", () => {
    const factor = 3;
    const scaled = new Function("factor", "return (x) => x > 0 ? x * factor : x")(factor);
    expect(() => tf.function(scaled)).toThrow(ConversionError);
    expect(() => tf.function(scaled)).toThrow(
      /uses 'factor' from its enclosing code.*node --import @kiln\/autograph\/register.*@kiln\/autograph\/plugin.*scope: \{ factor \}.*autograph: false/,
    );
  });

  it("resolves globals without help, and others through { scope }", () => {
    const f = tf.function(
      convert(new Function("factor", "return (x) => x > 0 ? x * factor : Math.abs(-1)")(0), { scope: { factor: 3 } }) as (
        x: tf.Tensor,
      ) => tf.Tensor,
    );
    expect(f(tf.scalar(2)).arraySync()).toBe(6);
    expect(f(tf.scalar(-2)).arraySync()).toBe(1);
  });

  it("an arrow's this and arguments are reported as unresolvable", () => {
    const owner = { make: new Function("return () => (x) => this.k > x")() as () => Function };
    expect(() => convert(owner.make())).toThrow(/uses 'this' from its enclosing code/);
    const outer = new Function("return function () { return (x) => x > arguments.length; }")() as () => Function;
    expect(() => convert(outer())).toThrow(/uses 'arguments' from its enclosing code/);
  });

  it("a function with nothing to convert but unresolved calls runs unconverted, with one warning", () => {
    const helperUser = new Function("helper", "return (x) => helper(x)")((x: tf.Tensor) => x);
    const { result, warnings } = captureWarnings(() => tf.function(helperUser));
    expect(result(tf.scalar(4))).toBeInstanceOf(tf.Tensor);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/uses 'helper'.*runs unconverted, but functions it calls are not converted either/);
  });

  it("a function without source (bound, native) runs unconverted with one warning", () => {
    const double = function (this: unknown, x: tf.Tensor) {
      return x.mul(2);
    }.bind(null);
    const { result, warnings } = captureWarnings(() => {
      const f = tf.function(double);
      const g = tf.function(double);
      return [f(tf.scalar(3)), g(tf.scalar(4))] as tf.Tensor[];
    });
    expect(result.map((t) => t.arraySync())).toEqual([6, 8]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/has no source text \(a native or bound function\), so it runs unconverted/);
  });
});

describe("SPEC G8: toCode, doNotConvert, autograph: false, recursive conversion", () => {
  it("toCode returns the converted source", () => {
    expect(toCode((x: number) => (x > 0 ? x : -x))).toMatchInlineSnapshot(
      `"x => ag__.ifExp(ag__.gt(x, 0), () => x, () => ag__.neg(x), "<function anonymous>:1:8")"`,
    );
    expect(autograph.toCode).toBe(toCode);
  });

  it("toCode of a converted function is its own source", () => {
    const converted = convert((x: number) => -x);
    expect(isConverted(converted)).toBe(true);
    expect(toCode(converted)).toBe(converted.toString());
  });

  it("doNotConvert and { autograph: false } keep the function as written", () => {
    const source = (x: number) => (x > 0 ? x : -x);
    const kept = tf.function(doNotConvert(source));
    expect(kept.pythonFunction).toBe(source);
    const off = tf.function((x: number) => (x > 0 ? x : -x), { autograph: false });
    expect(isConverted(off.pythonFunction)).toBe(false);
    const on = tf.function((x: number) => (x > 0 ? x : -x));
    expect(isConverted(on.pythonFunction)).toBe(true);
  });

  it("toCode of a tf.function shows the function it traces; of a function with a loader twin, the twin", () => {
    const f = tf.function((x: number) => (x > 0 ? x : -x));
    expect(toCode(f)).toBe(f.pythonFunction.toString());
    expect(toCode(f)).toContain("ag__.ifExp(ag__.gt(x, 0)");
    const original = (x: number) => x;
    const twin = new Function("ag__", 'return function original(x) { return ag__.neg(x); /* "model.js:1:1" */ }')(ag__);
    ag__.register(original, ag__.converted(twin));
    expect(toCode(original)).toBe(twin.toString());
  });

  it("doNotConvert wins over a twin the loader or plugin registered", () => {
    const original = (x: number) => x;
    const twin = ag__.converted((x: number) => -x);
    ag__.register(original, twin);
    expect(tf.function(original).pythonFunction).toBe(twin);
    doNotConvert(original);
    expect(tf.function(original).pythonFunction).toBe(original);
    expect(ag__.call(original, 2)).toBe(2);
  });

  it("a tf.function called from converted code is called as it is (it is callable without Function.prototype)", () => {
    const { warnings } = captureWarnings(() => {
      const inner = tf.function((x: tf.Tensor) => tf.mul(x, 2));
      const outer = convert(new Function("inner", "return (x) => inner(x)")(inner), { scope: { inner } }) as (x: tf.Tensor) => tf.Tensor;
      expect(outer(tf.scalar(3)).arraySync()).toBe(6);
      expect(tf.function(outer)(tf.scalar(4)).arraySync()).toBe(8);
    });
    // inner's function is written in this file, where Vite renames tf: it runs unconverted, with one warning.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/uses '__vite_ssr_import_0__'.*runs unconverted/);
  });

  it("setLoopOptions in a function converted at run time needs no scope for `autograph` (SPEC G6)", () => {
    const grow = userFunction<(n: tf.Tensor) => tf.Tensor>(`(n) => {
      let rows = tf.zeros([1]);
      let i = tf.scalar(0);
      while (i < n) {
        autograph.setLoopOptions({ shapeInvariants: [[rows, [null]]] });
        rows = tf.concat([rows, tf.ones([1])]);
        i += 1;
      }
      return rows;
    }`);
    expect(tf.function(grow)(tf.scalar(2)).arraySync()).toEqual([0, 1, 1]);
  });

  it("a converted function given to tf.function is not converted again", () => {
    const once = convert((x: number) => x + 1);
    expect(tf.function(once).pythonFunction).toBe(once);
  });

  it("functions called from converted code are converted recursively", () => {
    const clampPositive = userFunction<(x: tf.Tensor) => tf.Tensor>(`function clampPositive(x) {
      if (x > 0) return x;
      return tf.zerosLike(x);
    }`);
    const f = tf.function(new Function("clampPositive", "return (x) => clampPositive(x) * 2")(clampPositive), { autograph: false });
    const converted = tf.function(
      convert(new Function("clampPositive", "return (x) => clampPositive(x) * 2")(clampPositive), { scope: { clampPositive } }) as (
        x: tf.Tensor,
      ) => tf.Tensor,
    );
    expect(converted(tf.scalar(3)).arraySync()).toBe(6);
    expect(converted(tf.scalar(-3)).arraySync()).toBe(0);
    expect(types(converted, scalar)).toContain("StatelessIf");
    // Unconverted, the helper's `if` sees a symbolic tensor object (always truthy) at trace time.
    expect(() => f(tf.scalar(-3))).toThrow(/symbolic tensor/);
  });

  it("Kiln's own functions, native functions and marked functions are called as they are", () => {
    const marked = Object.assign((x: number) => x, { [DO_NOT_CONVERT]: true });
    const seen: Function[] = [];
    const f = convert(
      new Function("marked", "seen", "return (x) => { seen.push(Math.max); return [marked(x), x.add(1)]; }")(marked, seen),
      { scope: { marked, seen } },
    ) as (x: tf.Tensor) => unknown[];
    const [a, b] = f(tf.scalar(1)) as [tf.Tensor, tf.Tensor];
    expect(a.arraySync()).toBe(1);
    expect(b.arraySync()).toBe(2);
    expect(isConverted(marked)).toBe(false);
  });

  it("a recursive callee whose free variables cannot be resolved runs as written, with one warning", () => {
    const limit = 2;
    const helper = new Function("limit", "return function helper(x) { return x > limit ? limit : x; }")(limit);
    const f = convert(new Function("helper", "return (x) => helper(x) + helper(x)")(helper), { scope: { helper } }) as (
      x: number,
    ) => number;
    const { result, warnings } = captureWarnings(() => f(5));
    expect(result).toBe(4);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot convert 'helper'.*'limit'.*called from a converted function and runs unconverted/);
  });
});

describe("cannot convert: a clear error naming the construct and location", () => {
  const cases: [string, string, RegExp][] = [
    [
      "generator",
      "function* gen(x) { yield x; }",
      /cannot convert 'gen': a generator function \(function\*\) at <function gen>:1:1 is not supported/,
    ],
    [
      "async",
      "async function load(x) { return x; }",
      /cannot convert 'load': an async function at <function load>:1:1 is not supported: graphs run synchronously/,
    ],
    ["with", "function withIt(o) {\n  with (o) { return x; }\n}", /cannot convert 'withIt': a 'with' statement at <function withIt>:2:3/],
    ["eval", "function evil(x) {\n  return eval('x + 1');\n}", /cannot convert 'evil': a call to eval at <function evil>:2:10/],
    [
      "labelled break across loops",
      "function nested(m) {\n  outer: for (const r of m) {\n    for (const v of r) { if (v) break outer; }\n  }\n}",
      /cannot convert 'nested': 'break outer' jumps out of an inner loop to an outer loop at <function nested>:3:33/,
    ],
  ];
  for (const [name, source, message] of cases) {
    it(name, () => {
      const fn = new Function(`return (${source})`)() as Function;
      expect(() => tf.function(fn as (...args: unknown[]) => unknown)).toThrow(ConversionError);
      expect(() => toCode(fn)).toThrow(message);
    });
  }

  it("generators and async functions nested inside a converted function are left as written", () => {
    const f = convert(function outer(xs: number[]) {
      function* twice() {
        for (const x of xs) {
          if (x > 1) yield x * 2;
        }
      }
      let total = 0;
      for (const v of twice()) total += v;
      return total;
    });
    expect(f([1, 2, 3])).toBe(10);
  });

  it("a local named ag__ is a ConversionError with its location, not a broken conversion", () => {
    function f(x: any) {
      const ag__ = 2;
      if (x > 0) {
        x = x * ag__;
      }
      return x;
    }
    function g(x: any, ag__: number) {
      return x + ag__;
    }
    expect(() => converted(f)).toThrow(ConversionError);
    expect(() => converted(f)).toThrow(/a variable named 'ag__' at <function f>:2:\d+ is not supported.*Rename the variable/);
    expect(() => converted(g)).toThrow(/a variable named 'ag__'/);
  });
});

describe("runtime operators on eager tensors", () => {
  it("compute like the tensor ops and leave only their results alive", () => {
    const x = tf.tensor([7, -7, 6], undefined, "int32");
    const before = tf.memory().numTensors;
    const results = [ag__.mod(x, 4), ag__.div(x, 2), ag__.inc(x), ag__.lt(x, 0), ag__.not(ag__.lt(x, 0) as tf.Tensor)] as tf.Tensor[];
    expect(results.map((t) => t.arraySync())).toEqual([
      [3, -3, 2],
      [3.5, -3.5, 3],
      [8, -6, 7],
      [false, true, false],
      [true, false, true],
    ]);
    expect(tf.memory().numTensors).toBe(before + results.length + 1);
    tf.dispose([...results, x]);
  });

  it("read an eager bool condition like JS reads a boolean", () => {
    let ran = "";
    ag__.ifStmt(
      tf.scalar(true),
      () => (ran = "main"),
      () => (ran = "else"),
      () => [],
      () => {},
      [],
      "test",
    );
    expect(ran).toBe("main");
    expect(
      ag__.and(
        () => tf.scalar(false),
        () => "right",
      ),
    ).toBeInstanceOf(tf.Tensor);
    expect(
      ag__.or(
        () => tf.scalar(false),
        () => "right",
      ),
    ).toBe("right");
  });
});
