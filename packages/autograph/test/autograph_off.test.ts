import { describe, expect, it } from "vitest";
import { transformModule } from "../src/index.js";
import { runBundled, runWithLoader } from "./fixture_runs.js";

// SPEC G8: `tf.function(fn, { autograph: false })` and `autograph.doNotConvert(fn)` trace the
// function as written, also when the loader or the bundler plugin converted its module.
// test/fixtures/autograph_off_app.mjs calls each tf.function with a false bool tensor:
// 0 means the converted `if` ran (an If op), 1 that the function ran as written.

const expected = {
  literalOff: 1,
  literalOffByVariable: 1,
  literalOnByVariable: 0,
  literalOn: 0,
  namedOff: 1,
  namedOn: 0,
  doNotConvert: 1,
  sameFunctionLater: 1,
  doNotConvertLiteral: 1,
  nestedOff: 1,
};

describe("SPEC G8: autograph: false and doNotConvert in converted modules", () => {
  it("under the Node loader hook, every form keeps the function as written", () => {
    expect(runWithLoader("autograph_off_app.mjs")).toEqual(expected);
  }, 60_000);

  it("bundled with the plugin, every form keeps the function as written", async () => {
    expect(await runBundled("autograph_off_app.mjs")).toEqual(expected);
  }, 60_000);

  it("transformModule leaves a { autograph: false } literal as written, and twins one whose options are a variable", () => {
    const code = [
      'import * as tf from "@kiln/core";',
      "const off = tf.function((x) => (x > 0 ? x : -x), { autograph: false });",
      "const maybe = tf.function((x) => (x > 0 ? x : -x), options);",
    ].join("\n");
    const out = transformModule(code, { filename: "m.js" })!.code;
    expect(out).toContain("const off = tf.function(x => x > 0 ? x : -x, {\n  autograph: false\n});");
    expect(out).toContain("const maybe = tf.function(ag__.register(x => x > 0 ? x : -x, ag__.converted(x => ag__.ifExp(ag__.gt(x, 0)");
    expect(
      transformModule('import * as tf from "@kiln/core";\ntf.function((x) => x * 2, { autograph: false });', { filename: "m.js" }),
    ).toBeUndefined();
  });

  it("transformModule leaves a method decorated with @tf.function({ autograph: false }) as written", () => {
    const code = [
      'import * as tf from "@kiln/core";',
      "class Model {",
      "  @tf.function({ autograph: false }) raw(x) { return x > 0 ? x : -x; }",
      "  @tf.function({ jitCompile: true }) converted(x) { return x > 0 ? x : -x; }",
      "}",
    ].join("\n");
    const result = transformModule(code, { filename: "m.js" })!;
    expect(result.converted).toEqual(["converted"]);
    expect(result.code).toContain("raw(x) {\n    return x > 0 ? x : -x;\n  }");
    expect(result.code).toMatch(/@ag__\.converted\s+converted\(x\) \{\n\s+return ag__\.ifExp/);
  });
});
