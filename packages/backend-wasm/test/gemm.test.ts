import * as tf from "@kiln/core";
import { beforeAll, describe, it } from "vitest";
import { expectAgree, randomValues, runOn, setUpBackends } from "./helpers.js";

/**
 * The packed GEMM (csrc/gemm.c) cuts C into 5x8 register tiles, A into blocks of 80 rows and
 * the depth into slabs of at most 256: products whose sizes sit just below, on and above
 * each of those boundaries, in every transpose combination, agree with the cpu backend
 * (SPEC: matMul semantics; the conformance suite covers the shapes themselves).
 */
describe("GEMM tile, block and slab edges on wasm", () => {
  beforeAll(async () => {
    await setUpBackends({ threads: 1 });
  });

  const shapes: [number, number, number][] = [
    [4, 3, 7],
    [5, 8, 8],
    [6, 9, 9],
    [11, 255, 17],
    [79, 256, 16],
    [80, 257, 23],
    [81, 40, 8],
    [161, 513, 9],
  ];
  for (const [m, k, n] of shapes) {
    it(`matMul ${m}x${k} by ${k}x${n}, every transpose combination, matches cpu`, async () => {
      const a = randomValues(m * k, m + k);
      const b = randomValues(k * n, k + n);
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const fn = () =>
            tf.matMul(tf.tensor(a, transposeA ? [k, m] : [m, k]), tf.tensor(b, transposeB ? [n, k] : [k, n]), transposeA, transposeB);
          expectAgree(await runOn("wasm", fn), await runOn("cpu", fn), 1e-5, 1e-4, `${transposeA}/${transposeB}`);
        }
      }
    });
  }
});
