import * as tf from "@kiln/core";
import { beforeAll, describe, it } from "vitest";
import { scalarKernelVariants } from "../src/dialect/kernel_catalog.js";
import { expectAgree, randomValues, runOn, setUpBackends } from "./helpers.js";

/** Inputs of one dtype that exercise edge cases: signed zeros, NaN, infinities, int32 extremes. */
function valuesFor(dtype: tf.DType, n: number, seed: number): number[] {
  if (dtype === "bool") return randomValues(n, seed).map((v) => (v > 0 ? 1 : 0));
  if (dtype === "int32") {
    const special = [0, 1, -1, 7, -7, 2147483647, -2147483648, 3];
    return randomValues(n, seed, -50, 50).map((v, i) => (i < special.length ? special[i]! : Math.round(v)));
  }
  const special = [0, -0, 1, -1, Number.NaN, Infinity, -Infinity, 0.5, -2.5, 1e-30, 88, -90, 1e6];
  return randomValues(n, seed, -6, 6).map((v, i) => (i < special.length ? special[i]! : v));
}

describe("elementwise kernels against the cpu oracle", () => {
  beforeAll(async () => {
    await setUpBackends({ threads: 1 });
  });

  // Every scalar kernel of core's table (op x dtypes x attrs), on 37 elements (a SIMD tail
  // too), once with equal shapes and once broadcast against a row.
  for (const { op, attrs, kernel } of scalarKernelVariants()) {
    const label = `${op.name}(${kernel.args.join(", ")}) ${JSON.stringify(attrs)}`;
    it(`${label} agrees with cpu, flat and broadcast`, async () => {
      const inputs = kernel.args.map((dtype, k) => valuesFor(dtype, 37, k + 1));
      const rows = kernel.args.map((dtype, k) => valuesFor(dtype, 37, k + 11).slice(0, 37));
      const run = (broadcast: boolean) => () => {
        const ts = inputs.map((v, k) =>
          broadcast && k === 0 ? tf.tensor(rows[k]!, [37, 1], kernel.args[k]) : tf.tensor(v, [37], kernel.args[k]),
        );
        return tf.bind1(op, ts, attrs) as tf.Tensor;
      };
      for (const broadcast of [false, true]) {
        // Some ops (ClipByValue) accept no broadcasting: nothing to compare then.
        if (broadcast && op.name === "ClipByValue") continue;
        const want = await runOn("cpu", run(broadcast));
        const got = await runOn("wasm", run(broadcast));
        // float32 math in wasm runs in float32 (core's table allows a few ulps); cpu in double.
        expectAgree(got, want, 1e-6, 2e-6, label);
      }
    });
  }
});
