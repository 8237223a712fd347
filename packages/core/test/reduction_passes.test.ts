/**
 * `tf.reductionPasses` / `tf.splitAtAxis`: the one plan every backend's reduction and scan
 * kernels use to walk row-major data as `[outer, size, inner]` views.
 */
import { describe, expect, it } from "vitest";
import { ArgumentError, AxisError, reductionPasses, ShapeError, splitAtAxis } from "../src/index.js";

/** Reduces `data` of `shape` by summing through the passes, as a backend kernel would. */
function sumThroughPasses(data: number[], shape: number[], axes: number[]): number[] {
  let current = data;
  for (const { outer, size, inner } of reductionPasses(shape, axes)) {
    const next = new Array<number>(outer * inner).fill(0);
    for (let o = 0; o < outer; o++)
      for (let s = 0; s < size; s++) for (let i = 0; i < inner; i++) next[o * inner + i]! += current[(o * size + s) * inner + i]!;
    current = next;
  }
  return current;
}

/** Reference: sum over `axes` by multi-index. */
function sumByIndex(data: number[], shape: number[], axes: number[]): number[] {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0);
  data.forEach((v, flat) => {
    let rest = flat;
    let target = 0;
    for (let d = shape.length - 1, stride = 1; d >= 0; d--) {
      const index = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
      if (!axes.includes(d)) target += index * stride;
      stride *= outShape[d]!;
    }
    out[target]! += v;
  });
  return out;
}

describe("reductionPasses", () => {
  it("merges adjacent reduced axes into one pass and drops size-1 axes", () => {
    expect(reductionPasses([2, 3, 4], [1, 2])).toEqual([{ outer: 2, size: 12, inner: 1 }]);
    expect(reductionPasses([2, 1, 3, 4], [1, 2, 3])).toEqual([{ outer: 2, size: 12, inner: 1 }]);
  });

  it("runs separated by kept axes take one pass each, largest first", () => {
    expect(reductionPasses([2, 3, 5], [0, 2])).toEqual([
      { outer: 6, size: 5, inner: 1 },
      { outer: 1, size: 2, inner: 3 },
    ]);
  });

  it("is empty when nothing is reduced (only size-1 axes)", () => {
    expect(reductionPasses([2, 1, 3], [1])).toEqual([]);
    expect(reductionPasses([], [])).toEqual([]);
  });

  it("sums like a multi-index reference for every axis subset of a rank-4 shape", () => {
    const shape = [2, 3, 1, 4];
    const data = Array.from({ length: 24 }, (_, i) => (i * 7) % 11);
    for (let mask = 0; mask < 16; mask++) {
      const axes = [0, 1, 2, 3].filter((a) => (mask >> a) & 1);
      expect(sumThroughPasses(data, shape, axes), `axes [${axes}]`).toEqual(sumByIndex(data, shape, axes));
    }
  });

  it("rejects axes that are not normalized axes of the shape with an AxisError naming the function", () => {
    expect(() => reductionPasses([2, 3], [2])).toThrow(AxisError);
    expect(() => reductionPasses([2, 3], [-1])).toThrow(
      "reductionPasses: axis -1 is not a normalized axis of a rank-2 shape; valid axes are 0..1",
    );
    expect(() => reductionPasses([2, 3], [1e12])).toThrow("axis 1000000000000 is not a normalized axis");
    expect(() => reductionPasses([2, 3], [0.5])).toThrow(AxisError);
  });

  it("rejects axes that are not an array with an ArgumentError showing what was received", () => {
    expect(() => reductionPasses([2, 3], 1 as unknown as number[])).toThrow(ArgumentError);
    expect(() => reductionPasses([2, 3], 1 as unknown as number[])).toThrow(
      "reductionPasses: 'axes' must be an array of normalized axes, received 1",
    );
    expect(() => reductionPasses([2, 3], Int32Array.of(1) as unknown as number[])).toThrow("received Int32Array [1]");
  });

  it("rejects a shape that is not a list of non-negative integers with a ShapeError", () => {
    expect(() => reductionPasses([2, -1], [0])).toThrow(ShapeError);
    expect(() => reductionPasses("bad" as unknown as number[], [])).toThrow(
      'reductionPasses: expected a shape (an array of non-negative integers), received "bad"',
    );
  });

  it("rejects a sparse shape such as [2, , 3] instead of planning over its hole (a NaN pass)", () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested
    const holey = [2, , 3] as number[];
    expect(() => reductionPasses(holey, [0])).toThrow(
      "reductionPasses: expected a shape (an array of non-negative integers), received [2,null,3]",
    );
    expect(() => splitAtAxis(holey, 0)).toThrow(ShapeError);
  });
});

describe("splitAtAxis", () => {
  it("views a shape as [outer, size, inner] around one axis", () => {
    expect(splitAtAxis([2, 3, 4], 0)).toEqual({ outer: 1, size: 2, inner: 12 });
    expect(splitAtAxis([2, 3, 4], 1)).toEqual({ outer: 2, size: 3, inner: 4 });
    expect(splitAtAxis([2, 3, 4], 2)).toEqual({ outer: 6, size: 4, inner: 1 });
  });

  it("rejects an axis outside 0..rank-1 at once (a huge axis must not loop up to it)", () => {
    // The conversion-leak sweep passes 1e12 to every public function: unchecked, the loop to the axis ran for ~30 minutes.
    expect(() => splitAtAxis([1, 2, 3, 4], 1e12)).toThrow(
      "splitAtAxis: axis 1000000000000 is not a normalized axis of a rank-4 shape; valid axes are 0..3",
    );
    expect(() => splitAtAxis([2, 3], -1)).toThrow(AxisError);
    expect(() => splitAtAxis([], 0)).toThrow("valid axes are none (scalar)");
    expect(() => splitAtAxis([2, 3], Number.NaN)).toThrow(AxisError);
    expect(() => splitAtAxis([2, 3], Symbol("bad") as unknown as number)).toThrow("axis Symbol(bad) is not a normalized axis");
  });

  it("rejects a shape that is not a list of non-negative integers with a ShapeError", () => {
    expect(() => splitAtAxis({ bad: 1 } as unknown as number[], 0)).toThrow(ShapeError);
    expect(() => splitAtAxis([2, 2.5], 0)).toThrow("splitAtAxis: expected a shape (an array of non-negative integers), received [2,2.5]");
  });
});
