import { describe, expect, it } from "vitest";
import { transformModule } from "../src/index.js";
import { runBundled, runWithLoader } from "./fixture_runs.js";

// SPEC G8, G10: functions made by a factory in the same module (`const scale5 = makeScaler(5)`)
// are converted like top-level ones, when passed to tf.function and when called from a
// converted function. Their converted twins are made next to them, in the factory's scope.

const expected = {
  scaled: [10, -2],
  shifted: [3, -3],
  clamped: [3, 1],
  composed: [4, 0],
  madeInside: [4, -2],
  ifOps: [1, 1, 1, 2, 1],
  plainJs: [10, -3, 1],
  warnings: [],
};

describe("SPEC G8, G10: closures made by factories are converted", () => {
  it("under the Node loader hook: returned arrows, function expressions and local functions, with no warnings", () => {
    expect(runWithLoader("factory_app.mjs")).toEqual(expected);
  }, 60_000);

  it("bundled with the plugin, the same", async () => {
    expect(await runBundled("factory_app.mjs")).toEqual(expected);
  }, 60_000);

  it("transformModule: the factory returns the original, registered with a converted twin made in the same scope", () => {
    const code = ['import * as tf from "@kiln/core";', "export const makeScaler = (k) => (x) => (x > 0 ? x * k : x);"].join("\n");
    const out = transformModule(code, { filename: "m.js" })!.code;
    expect(out).toContain(
      "export const makeScaler = k => ag__.register(x => x > 0 ? x * k : x, ag__.converted(x => ag__.ifExp(ag__.gt(x, 0), () => ag__.mul(x, k), () => x, ",
    );
  });

  it("transformModule: a returned closure with nothing to convert is left alone", () => {
    const code = ['import * as tf from "@kiln/core";', "function makeAdder(k) {", "  return (x) => tf.add(x, k);", "}"].join("\n");
    expect(transformModule(code, { filename: "m.js" })).toBeUndefined();
  });
});
