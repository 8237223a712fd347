import { describe, expect, it } from "vitest";
import { kernelKey } from "../src/backend/kernel_key.js";

// Compiled kernels are cached by their key (backend contract v2): attrs that a kernel bakes
// in must give different keys whenever their values differ.
describe("kernel keys", () => {
  const value = { dtype: "float32" as const, shape: [2, 3] };

  it("tell NaN, Infinity, -Infinity, 0 and -0 apart (plain JSON writes null, null, null, 0, 0)", () => {
    const ids = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1.5].map(
      (v) => kernelKey({ attrs: true }, [], [value], { value: v }).id,
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("write finite attrs as plain JSON", () => {
    expect(kernelKey({ rank: true, attrs: ["transposeA"] }, [value, value], [value], { transposeA: false, unused: 1 }).id).toBe(
      'float32/2,float32/2>float32/2|{"transposeA":false}',
    );
  });
});
