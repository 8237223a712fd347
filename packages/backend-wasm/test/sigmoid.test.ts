import * as tf from "@kiln/core";
import { beforeAll, describe, expect, it } from "vitest";
import { renderKernel } from "../src/dialect/c_dialect.js";
import { expectAgree, runOn, setUpBackends } from "./helpers.js";

// The C dialect renders core's 1 / (1 + e^-x) as v_sigmoid (no range test; simd_math.h).
// Inputs around its clamps (-x in [-85, 88.75]), the overflow of e^-x near x = -88.72, where
// the result is subnormal, and the special values.
const edges = [
  ..."-1000 -103 -100 -89 -88.75 -88.74 -88.72 -88.7 -88.5 -88.38 -88.37 -88 -87.5 -87 -86 -85.5 -85 -84.9".split(" "),
  ..."-20 -1 -0.5 -1e-30 -0 0 1e-30 0.5 1 16.6 17 20 84.9 85 85.5 86 87 88 88.75 89 100 1e38 -1e38".split(" "),
  ..."NaN Infinity -Infinity".split(" "),
].map(Number);

describe("sigmoid on wasm (SPEC L1: the same program gives the same values on cpu and wasm)", () => {
  beforeAll(async () => {
    await setUpBackends({ threads: 1 });
  });

  it("renders core's 1 / (1 + e^-x) as the one helper", () => {
    const kernel = tf.scalarKernelOf(tf.Sigmoid, ["float32"], "float32", {})!;
    expect(renderKernel(kernel).value).toBe("v_sigmoid(x0)");
  });

  it("agrees with cpu across its clamps, the overflow of e^-x and special values", async () => {
    const run = () => tf.sigmoid(tf.tensor(edges, [edges.length]));
    const want = await runOn("cpu", run);
    const got = await runOn("wasm", run);
    // Subnormal results (x below about -87.3) may differ from cpu's double by a few 1e-39;
    // everything else within a few float32 ulps.
    expectAgree(got, want, 1e-37, 1e-6, "sigmoid");
    const values = got[0]!.data;
    expect(values[edges.indexOf(0)]).toBe(0.5);
    expect(values[edges.indexOf(100)]).toBe(1);
    expect(values[edges.indexOf(-1000)]).toBe(0);
    expect(Number.isNaN(values[edges.findIndex(Number.isNaN)])).toBe(true);
  });
});
