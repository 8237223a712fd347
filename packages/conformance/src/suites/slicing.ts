import { describe, expect, it } from "vitest";
import { expectClose, flat, matchesTfjs, randomValues, seededRandom, tf, tfjs, values } from "../context.js";
import { DTYPES, expectThrows, iota, typed, typedValues, zeros } from "./movement_helpers.js";

/**
 * NumPy results for `tf.index` specs, produced with NumPy 2.4 (`x[<spec>]`) on
 * x = arange(24).reshape(2, 3, 4), v = arange(10), m = arange(20).reshape(4, 5).
 * Each row: source, spec, result shape, result values flattened.
 */
const NUMPY_CASES: [string, string, number[], number[]][] = [
  ["x", "1", [3, 4], [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]],
  ["x", "-1", [3, 4], [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]],
  ["x", ":, ::2, ::2", [2, 2, 2], [0, 2, 8, 10, 12, 14, 20, 22]],
  ["x", "..., -1", [2, 3], [3, 7, 11, 15, 19, 23]],
  ["x", "::-1, 1:, :-1", [2, 2, 3], [16, 17, 18, 20, 21, 22, 4, 5, 6, 8, 9, 10]],
  ["x", "newaxis, 0, ..., 1:3", [1, 3, 2], [1, 2, 5, 6, 9, 10]],
  ["x", ":, newaxis, 1", [2, 1, 4], [4, 5, 6, 7, 16, 17, 18, 19]],
  ["x", "1, 2, 3", [], [23]],
  ["x", "...", [2, 3, 4], iota(24)],
  ["x", "..., newaxis", [2, 3, 4, 1], iota(24)],
  ["x", "0, ..., None", [3, 4, 1], iota(12)],
  ["x", "1, -1:-4:-1, ::3", [3, 2], [20, 23, 16, 19, 12, 15]],
  ["v", "0:100", [10], iota(10)],
  ["v", "-100:3", [3], [0, 1, 2]],
  ["v", "::-3", [4], [9, 6, 3, 0]],
  ["v", "8:2:-2", [3], [8, 6, 4]],
  ["v", "5:2", [0], []],
  ["v", "-3:", [3], [7, 8, 9]],
  ["v", ":-7:-1", [6], [9, 8, 7, 6, 5, 4]],
  ["v", "100:", [0], []],
  ["v", "3::-1", [4], [3, 2, 1, 0]],
  ["m", "-2:, 1:-1", [2, 3], [11, 12, 13, 16, 17, 18]],
  ["m", ":, -10:", [4, 5], iota(20)],
  ["m", "::-1, ::-2", [4, 3], [19, 17, 15, 14, 12, 10, 9, 7, 5, 4, 2, 0]],
  ["m", "1:3", [2, 5], [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]],
  ["m", "..., 2", [4], [2, 7, 12, 17]],
  ["m", "None, ..., None", [1, 4, 5, 1], iota(20)],
  ["m", "2, ...", [5], [10, 11, 12, 13, 14]],
];

const SOURCES: Record<string, number[]> = { x: [2, 3, 4], v: [10], m: [4, 5] };

/** StridedSlice args: begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask. */
type StridedArgs = [number[], number[], number[], number, number, number, number, number];

/** Python's `slice(start, stop, step).indices(n)` as the list of indices it reads. */
function pythonSlice(n: number, start: number | null, stop: number | null, step: number): number[] {
  const hi = step > 0 ? n : n - 1;
  const lo = step > 0 ? 0 : -1;
  const clamp = (v: number) => (v < 0 ? Math.max(v + n, lo) : Math.min(v, hi));
  const b = start === null ? (step > 0 ? 0 : n - 1) : clamp(start);
  const e = stop === null ? (step > 0 ? n : -1) : clamp(stop);
  const out: number[] = [];
  for (let i = b; step > 0 ? i < e : i > e; i += step) out.push(i);
  return out;
}

/** Reads `data` (row-major, `shape`) at every combination of the picked indices, in order. */
function gatherPicks(data: readonly number[], shape: readonly number[], picks: readonly number[][]): number[] {
  const out: number[] = [];
  const walk = (d: number, offset: number): void => {
    if (d === shape.length) {
      out.push(data[offset]!);
      return;
    }
    const stride = shape.slice(d + 1).reduce((a, b) => a * b, 1);
    for (const i of picks[d]!) walk(d + 1, offset + i * stride);
  };
  walk(0, 0);
  return out;
}

/** Slicing: slice, stridedSlice and the NumPy-style index. */

export function slicingSuite(): void {
  describe("slicing", () => {
    describe("slice", () => {
      it("takes a box; size -1 runs to the end; short begin/size are padded", async () => {
        const x = () =>
          tf.tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]);
        expect((await values(() => tf.slice(x(), [0, 1], [2, 2]))).value).toEqual([
          [2, 3],
          [5, 6],
        ]);
        expect((await values(() => tf.slice(x(), [1, 1], [-1, -1]))).value).toEqual([[5, 6]]);
        expect((await values(() => x().slice([1]))).value).toEqual([[4, 5, 6]]);
        expect((await values(() => x().slice(0, 1))).value).toEqual([[1, 2, 3]]);
        expect((await values(() => tf.slice(tf.tensor([1, 2, 3, 4]), 1, 2))).value).toEqual([2, 3]);
        expect((await values(() => tf.slice(x(), [0, 3], [2, 0]))).shape).toEqual([2, 0]);
        expect((await values(() => tf.slice(tf.scalar(4), [], []))).value).toBe(4);
        for (const dtype of DTYPES) {
          expect(await values(() => tf.slice(typed([0, 1, 1, 0], [4], dtype), [1], [2]))).toEqual({
            shape: [2],
            dtype,
            value: typedValues([1, 1], dtype),
          });
        }
      });

      it("matches tfjs on 3-D boxes", async () => {
        const data = randomValues(4 * 5 * 40, 1);
        const boxes: [number[], number[]][] = [
          [
            [1, 2, 3],
            [2, 3, 30],
          ],
          [
            [0, 0, 0],
            [4, 5, 40],
          ],
          [
            [3, 1, 39],
            [1, -1, 1],
          ],
          [
            [2, 0, 5],
            [-1, 2, -1],
          ],
        ];
        for (const [begin, size] of boxes) {
          await matchesTfjs(
            () => tf.slice(tf.tensor(data, [4, 5, 40]), begin, size),
            () => tfjs.slice(tfjs.tensor(data, [4, 5, 40]), begin, size),
          );
        }
      });

      it("rejects negative begins and boxes past the end", () => {
        expectThrows(() => tf.slice(zeros([3]), [-1], [1]), tf.ArgumentError, "slice", "begin[0] is -1", "tf.index");
        expectThrows(() => tf.slice(zeros([3]), [2], [2]), tf.ArgumentError, "2 + 2", "size 3");
        expectThrows(() => tf.slice(zeros([3]), [4], [-1]), tf.ArgumentError, "past the end", "0..3");
        expectThrows(() => tf.slice(zeros([3, 3]), [0, 0, 0], [1, 1, 1]), tf.ArgumentError, "one entry per dimension", "[3,3]");
        expectThrows(() => tf.slice(zeros([3]), [0], [-2]), tf.ArgumentError, "size");
      });

      it("keeps unknown dims null while tracing", () => {
        expect(tf.Slice.infer([{ shape: [null, 4], dtype: "float32" }], { begin: [1, 1], size: [-1, 2] })[0]!.shape).toEqual([null, 2]);
      });
    });

    describe("stridedSlice", () => {
      it("follows TF semantics: masks, negative indices and strides, clamping", async () => {
        const x = () => tf.tensor(iota(24), [2, 3, 4]);
        expect((await values(() => tf.stridedSlice(x(), [0, 0, 0], [0, 0, 0], [1, 2, 2], 7, 7))).value).toEqual([
          [
            [0, 2],
            [8, 10],
          ],
          [
            [12, 14],
            [20, 22],
          ],
        ]);
        expect((await values(() => tf.stridedSlice(tf.tensor(iota(10)), [8], [2], [-2]))).value).toEqual([8, 6, 4]);
        expect((await values(() => tf.stridedSlice(tf.tensor(iota(10)), [-100], [100]))).value).toEqual(iota(10));
        expect((await values(() => x().stridedSlice([1, -1], [2, 0], [1, 1], 0, 0, 0, 0, 3))).value).toEqual([20, 21, 22, 23]);
        expect((await values(() => tf.stridedSlice(x(), [0, 1], [0, 2], [1, 1], 0, 0, 1, 0, 2))).shape).toEqual([2, 3]);
        expect((await values(() => tf.stridedSlice(tf.tensor([1, 2]), [0, 0], [0, 0], [1, 1], 2, 2, 0, 1))).value).toEqual([[1, 2]]);
        for (const dtype of DTYPES) {
          expect(await values(() => tf.stridedSlice(typed([0, 1, 1, 0, 1], [5], dtype), [0], [0], [-2], 1, 1))).toEqual({
            shape: [3],
            dtype,
            value: typedValues([1, 1, 0], dtype),
          });
        }
      });

      it("matches Python slice semantics and tfjs on a seeded sweep of begin/end/strides and masks", async () => {
        const shape = [4, 5, 6];
        const data = randomValues(120, 2).map(Math.fround);
        const next = seededRandom(3);
        const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
        let checkedAgainstTfjs = 0;
        for (let trial = 0; trial < 200; trial++) {
          const n = int(1, 3);
          const strides = Array.from({ length: n }, () => [-3, -2, -1, 1, 2, 3][int(0, 5)]!);
          const begin = Array.from({ length: n }, () => int(-7, 7));
          const end = Array.from({ length: n }, () => int(-7, 7));
          const args: StridedArgs = [begin, end, strides, int(0, 7), int(0, 7), 0, 0, 0];
          const picks = shape.map((dim, i) =>
            i < n ? pythonSlice(dim, args[3] & (1 << i) ? null : begin[i]!, args[4] & (1 << i) ? null : end[i]!, strides[i]!) : iota(dim),
          );
          const got = await flat(() => tf.stridedSlice(tf.tensor(data, shape), ...args));
          expect(got.shape, JSON.stringify(args)).toEqual(picks.map((p) => p.length));
          expectClose(got.data, gatherPicks(data, shape, picks), 0, 0, JSON.stringify(args));
          // tfjs 4.22 throws on some valid empty and reversed slices; compare wherever it answers.
          let oracle: number[] | undefined;
          try {
            oracle = tfjs.tidy(() => Array.from(tfjs.stridedSlice(tfjs.tensor(data, shape), ...args).dataSync()));
          } catch {
            oracle = undefined;
          }
          if (oracle !== undefined) {
            expectClose(got.data, oracle, 0, 0, `tfjs ${JSON.stringify(args)}`);
            checkedAgainstTfjs++;
          }
        }
        expect(checkedAgainstTfjs).toBeGreaterThan(100);
      });

      it("handles ellipsis, new-axis and shrink masks like NumPy and tfjs", async () => {
        // Expected values from NumPy on arange(120).reshape(4, 5, 6); the NumPy index is in the comment.
        const cases: [StridedArgs, number[], number[], boolean][] = [
          [[[0, 1], [0, 2], [1, 1], 0, 0, 1, 0, 2], [4, 5], iota(20).map((i) => 6 * i + 1), true], // x[..., 1]
          [[[1, 0], [2, 0], [1, 1], 0, 0, 2, 0, 1], [5, 6], iota(30).map((i) => 30 + i), true], // x[1, ...]
          [[[0, 0, 2], [0, 0, 5], [1, 1, 2], 0, 0, 2, 1, 0], [1, 4, 5, 2], iota(40).map((i) => 6 * (i >> 1) + 2 + 2 * (i & 1)), true], // x[None, ..., 2:5:2]
          [[[-1, 0, 0], [0, 0, 0], [1, 1, -1], 0, 6, 0, 2, 1], [1, 1, 6], [90, 91, 92, 93, 94, 95], false], // x[-1, None, 0::-1] (tfjs 4.22 throws)
          [[[0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1], 0, 0, 0, 5, 0], [1, 0, 1, 0, 6], [], true], // x[None, 0:0, None, 0:0]
          [[[2, 3, 4], [3, 4, 5], [1, 1, 1], 0, 0, 0, 0, 7], [], [82], true], // x[2, 3, 4]
        ];
        const x = () => tf.tensor(iota(120), [4, 5, 6], "int32");
        for (const [args, shape, expected, tfjsAgrees] of cases) {
          expect(await flat(() => tf.stridedSlice(x(), ...args)), JSON.stringify(args)).toEqual({ shape, dtype: "int32", data: expected });
          if (tfjsAgrees)
            await matchesTfjs(
              () => tf.stridedSlice(x(), ...args),
              () => tfjs.stridedSlice(tfjs.tensor(iota(120), [4, 5, 6], "int32"), ...args),
            );
        }
      });

      it("rejects zero strides, two ellipses, too many indices and shrunk indices out of range", () => {
        expectThrows(() => tf.stridedSlice(zeros([3]), [0], [3], [0]), tf.ArgumentError, "stridedSlice", "strides[0] is 0");
        expectThrows(() => tf.stridedSlice(zeros([3, 3]), [0, 0], [0, 0], [1, 1], 0, 0, 3), tf.ArgumentError, "at most one '...'");
        expectThrows(() => tf.stridedSlice(zeros([3]), [0, 0], [1, 1], [1, 1]), tf.ArgumentError, "more dimensions", "rank 1");
        expectThrows(
          () => tf.stridedSlice(zeros([3]), [3], [4], [1], 0, 0, 0, 0, 1),
          tf.ArgumentError,
          "index 3 is out of bounds",
          "size 3",
        );
        expectThrows(() => tf.stridedSlice(zeros([3]), [0], [1, 2]), tf.ArgumentError, "same length");
      });

      it("keeps unknown dims null while tracing, and knows shrunk and new axes", () => {
        const spec = (_numpy: string, begin: number[], end: number[], shrinkAxisMask = 0, newAxisMask = 0) =>
          tf.StridedSlice.infer([{ shape: [null, 4], dtype: "float32" }], {
            begin,
            end,
            strides: begin.map(() => 1),
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask,
            shrinkAxisMask,
          })[0]!.shape;
        expect(spec("x[:, 1]", [0, 1], [0, 2], 2)).toEqual([null]);
        expect(spec("x[0, 1:3]", [0, 1], [1, 3], 1)).toEqual([2]);
        expect(spec("x[newaxis, 0]", [0, 0], [0, 1], 2, 1)).toEqual([1, 4]);
      });
    });

    describe("index (NumPy-style)", () => {
      it("gives NumPy's result for string specs", async () => {
        for (const [source, spec, shape, expected] of NUMPY_CASES) {
          const shape0 = SOURCES[source]!;
          const r = await flat(() => tf.index(tf.tensor(iota(shape0.reduce((a, b) => a * b, 1)), shape0, "int32"), spec));
          expect({ spec, shape: r.shape, data: r.data }).toEqual({ spec, shape, data: expected });
        }
      });

      it("accepts arrays of parts and the chained form", async () => {
        const x = () => tf.tensor(iota(24), [2, 3, 4], "int32");
        expect((await flat(() => x().index([{}, { step: 2 }, { step: 2 }]))).data).toEqual([0, 2, 8, 10, 12, 14, 20, 22]);
        expect((await flat(() => x().index(["...", -1]))).data).toEqual([3, 7, 11, 15, 19, 23]);
        expect(await flat(() => x().index([null, 0, "...", { start: 1, stop: 3 }]))).toMatchObject({
          shape: [1, 3, 2],
          data: [1, 2, 5, 6, 9, 10],
        });
        expect((await flat(() => x().index([1, "-1:-4:-1", { step: 3, start: null }]))).data).toEqual([20, 23, 16, 19, 12, 15]);
        expect((await flat(() => x().index(1))).shape).toEqual([3, 4]);
        expect((await flat(() => x().index([]))).shape).toEqual([2, 3, 4]);
        expect(await values(() => tf.tensor([true, false, true]).index("::-1"))).toEqual({
          shape: [3],
          dtype: "bool",
          value: [true, false, true],
        });
        expect(await values(() => tf.tensor([1.5, 2.5]).index("-1"))).toEqual({ shape: [], dtype: "float32", value: 2.5 });
        expect((await values(() => zeros([0, 3]).index(":, 1"))).shape).toEqual([0]);
      });

      it("builds the same op as the equivalent stridedSlice call (checked against tfjs)", async () => {
        const data = randomValues(24, 5);
        const cases: [string, StridedArgs, boolean][] = [
          [":, ::2, ::2", [[0, 0, 0], [0, 0, 0], [1, 2, 2], 7, 7, 0, 0, 0], true],
          ["..., -1", [[0, -1], [0, 0], [1, 1], 0, 0, 1, 0, 2], true],
          ["::-1, 1:, :-1", [[0, 1, 0], [0, 0, -1], [-1, 1, 1], 5, 3, 0, 0, 0], true],
          ["newaxis, 0, ..., 1:3", [[0, 0, 0, 1], [0, 1, 0, 3], [1, 1, 1, 1], 1, 1, 4, 1, 2], true],
          // tfjs 4.22 throws here (a shrink with a reversed slice); NUMPY_CASES covers the values.
          ["1, -1:-4:-1, ::3", [[1, -1, 0], [2, -4, 0], [1, -1, 3], 4, 4, 0, 0, 1], false],
        ];
        for (const [spec, args, tfjsAgrees] of cases) {
          expect(await flat(() => tf.index(tf.tensor(data, [2, 3, 4]), spec))).toEqual(
            await flat(() => tf.stridedSlice(tf.tensor(data, [2, 3, 4]), ...args)),
          );
          if (tfjsAgrees)
            await matchesTfjs(
              () => tf.index(tf.tensor(data, [2, 3, 4]), spec),
              () => tfjs.stridedSlice(tfjs.tensor(data, [2, 3, 4]), ...args),
            );
        }
      });

      it("runs inside tf.function with an unknown batch dimension as one StridedSlice (SPEC F1)", async () => {
        const shrink = tf.function((images: tf.Tensor) => images.index(":, ::2, ::2"), {
          inputSignature: [new tf.TensorSpec([null, 4, 4], "float32")],
        });
        const cf = shrink.getConcreteFunction();
        expect(cf.graph.getOperations().map((op) => op.type)).toContain("StridedSlice");
        expect(cf.graph.getOperations().find((op) => op.type === "StridedSlice")!.outputs[0]!.shape).toEqual([null, 2, 2]);
        expect(await flat(() => shrink(tf.tensor(iota(32), [2, 4, 4])))).toEqual({
          shape: [2, 2, 2],
          dtype: "float32",
          data: [0, 2, 8, 10, 16, 18, 24, 26],
        });
        expect((await flat(() => shrink(tf.tensor(iota(16), [1, 4, 4])))).shape).toEqual([1, 2, 2]);
        expect(shrink.tracingCount).toBe(1);
      });

      it("rejects malformed specs with an ArgumentError quoting them", () => {
        const x = () => tf.tensor(iota(24), [2, 3, 4]);
        expectThrows(() => x().index("1:2:3:4"), tf.ArgumentError, "index", '"1:2:3:4"', "more than two ':'");
        expectThrows(() => x().index("a, 1"), tf.ArgumentError, '"a, 1"', "'a' is not an integer");
        expectThrows(() => x().index("1,,2"), tf.ArgumentError, '"1,,2"', "empty");
        expectThrows(() => x().index("::0"), tf.ArgumentError, "step cannot be zero");
        expectThrows(() => x().index("..., ..."), tf.ArgumentError, "single ellipsis");
        expectThrows(() => x().index(""), tf.ArgumentError, "empty");
        expectThrows(() => x().index("1.5"), tf.ArgumentError, "'1.5' is not an integer");
        expectThrows(() => x().index([1.5]), tf.ArgumentError, "not an integer");
        expectThrows(() => x().index([{ begin: 1 } as never]), tf.ArgumentError, "'begin'");
        expectThrows(() => x().index([true as never]), tf.ArgumentError, "tf.gather");
      });

      it("rejects out-of-range integers and too many indices, like NumPy's IndexError", () => {
        const x = () => tf.tensor(iota(24), [2, 3, 4]);
        expectThrows(() => x().index("5"), tf.ArgumentError, "index 5 is out of bounds for axis 0 with size 2", '"5"');
        expectThrows(() => x().index("..., 4"), tf.ArgumentError, "axis 2 with size 4", "-4..3");
        expectThrows(() => x().index([0, -4]), tf.ArgumentError, "index -4", "axis 1 with size 3");
        expectThrows(() => x().index(":, :, :, :"), tf.ArgumentError, "too many indices", "rank 3", "4 dimensions");
        expectThrows(() => tf.index(tf.scalar(1), "0"), tf.ArgumentError, "too many indices");
      });
    });
  });
}
