import { describe, expect, it } from "vitest";
import { flat, matchesTfjs, randomValues, tf, tfjs, values } from "../context.js";

type Pair = number | [number, number];
type Pad = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];

/** Runs a call that should throw inside tidy, so the constants it made before throwing are freed. */
function inTidy(fn: () => unknown): () => unknown {
  return () => tf.tidy(fn);
}

/** A tfjs tensor typed as the rank-4 image its ops declare (rank-3 inputs are accepted too). */
function image(values: number[], shape: number[]): tfjs.Tensor4D {
  const t: tfjs.Tensor = tfjs.tensor(values, shape);
  return t as tfjs.Tensor4D;
}

const count = (shape: readonly number[]): number => shape.reduce((s, d) => s * d, 1);

/** One windowed-op case: input shape, filter (or pool window) shape, strides, pad, dilations. */
interface Case {
  readonly x: number[];
  readonly filter: number[];
  readonly strides: Pair;
  readonly pad: Pad;
  readonly dilations?: Pair;
}

/** Cases every windowed op runs against tfjs; filter dims 2..3 are replaced per op. */
const CASES: Case[] = [
  { x: [1, 5, 5, 1], filter: [3, 3], strides: 1, pad: "same" },
  { x: [2, 9, 8, 3], filter: [3, 2], strides: 2, pad: "valid" },
  { x: [2, 9, 8, 3], filter: [3, 2], strides: [2, 3], pad: "same" },
  { x: [3, 11, 7, 2], filter: [4, 4], strides: [2, 3], pad: "same" }, // even filter: SAME pads more at the bottom/right
  { x: [1, 10, 10, 4], filter: [3, 3], strides: 1, pad: "same", dilations: 2 },
  { x: [1, 10, 11, 4], filter: [3, 2], strides: 1, pad: "valid", dilations: [2, 3] },
  { x: [1, 10, 10, 4], filter: [1, 1], strides: 1, pad: "same" }, // pointwise: straight to GEMM
  { x: [1, 10, 10, 4], filter: [1, 1], strides: 2, pad: "valid" },
  { x: [1, 6, 6, 2], filter: [3, 3], strides: 1, pad: 2 },
  {
    x: [2, 6, 7, 2],
    filter: [3, 3],
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  { x: [7, 7, 3], filter: [3, 3], strides: 1, pad: "same" }, // unbatched rank 3
  { x: [6, 5, 2], filter: [2, 3], strides: [1, 2], pad: "valid" },
  { x: [2, 3, 3, 2], filter: [3, 3], strides: 1, pad: "valid" }, // one output pixel
];

function filterShape(c: Case, inChannels: number, last: number): number[] {
  return [c.filter[0]!, c.filter[1]!, inChannels, last];
}

/** Conv2D, DepthwiseConv2dNative, MaxPool and AvgPool. */
export function convolutionSuite(): void {
  describe("convolution and pooling", () => {
    describe("conv2d", () => {
      it("matches hand-computed valid and same convolutions", async () => {
        const x = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
        expect(await values(() => tf.conv2d(x, tf.ones([2, 2, 1, 1]), 1, "valid"))).toEqual({
          shape: [1, 2, 2, 1],
          dtype: "float32",
          value: [
            [
              [[12], [16]],
              [[24], [28]],
            ],
          ],
        });
        // SAME with a 2x2 filter pads one row/column after the data (TF's smaller half first).
        expect((await values(() => x.conv2d(tf.ones([2, 2, 1, 1]), 1, "same"))).value).toEqual([
          [
            [[12], [16], [9]],
            [[24], [28], [15]],
            [[15], [17], [9]],
          ],
        ]);
        expect((await values(() => tf.conv2d(x, tf.ones([1, 1, 1, 2]), 2, "valid"))).value).toEqual([
          [
            [
              [1, 1],
              [3, 3],
            ],
            [
              [7, 7],
              [9, 9],
            ],
          ],
        ]);
        x.dispose();
      });

      it("matches tfjs for shapes, strides, paddings, dilations and rank-3 inputs", async () => {
        let seed = 400;
        for (const c of CASES) {
          const inChannels = c.x.at(-1)!;
          const fs = filterShape(c, inChannels, 5);
          const xv = randomValues(count(c.x), seed++);
          const fv = randomValues(count(fs), seed++);
          await matchesTfjs(
            () => tf.conv2d(tf.tensor(xv, c.x), tf.tensor(fv, fs), c.strides, c.pad, "NHWC", c.dilations),
            () => tfjs.conv2d(image(xv, c.x), image(fv, fs), c.strides, c.pad, "NHWC", c.dilations),
            1e-4,
            1e-4,
          );
        }
      });

      it("matches tfjs on layers large enough for the blocked GEMM and several im2col chunks", async () => {
        const layers: Case[] = [
          { x: [1, 24, 24, 64], filter: [3, 3, 64, 8], strides: 1, pad: "same" },
          { x: [2, 28, 28, 8], filter: [5, 5, 8, 16], strides: 1, pad: "valid" },
          { x: [2, 16, 16, 12], filter: [1, 1, 12, 33], strides: 1, pad: "valid" },
        ];
        let seed = 500;
        for (const c of layers) {
          const xv = randomValues(count(c.x), seed++);
          const fv = randomValues(count(c.filter), seed++);
          await matchesTfjs(
            () => tf.conv2d(tf.tensor(xv, c.x), tf.tensor(fv, c.filter), c.strides, c.pad),
            () => tfjs.conv2d(image(xv, c.x), image(fv, c.filter), c.strides, c.pad),
            1e-4,
            1e-4,
          );
        }
      });

      it("handles empty tensors: zero batch, zero channels, zero-size output", async () => {
        expect(await flat(() => tf.conv2d(tf.zeros([0, 4, 4, 2]), tf.ones([3, 3, 2, 3]), 1, "same"))).toEqual({
          shape: [0, 4, 4, 3],
          dtype: "float32",
          data: [],
        });
        // No input channels: every output is an empty sum.
        expect((await values(() => tf.conv2d(tf.zeros([1, 3, 3, 0]), tf.zeros([2, 2, 0, 2]), 1, "valid"))).value).toEqual([
          [
            [
              [0, 0],
              [0, 0],
            ],
            [
              [0, 0],
              [0, 0],
            ],
          ],
        ]);
        // TF allows VALID when (in - filter + stride) / stride rounds to 0: the output is empty.
        expect((await flat(() => tf.conv2d(tf.ones([1, 2, 2, 1]), tf.ones([3, 3, 1, 1]), 1, "valid"))).shape).toEqual([1, 0, 0, 1]);
        expect(await flat(() => tf.conv2d(tf.ones([1, 2, 2, 1]), tf.ones([2, 2, 1, 0]), 1, "valid"))).toEqual({
          shape: [1, 1, 1, 0],
          dtype: "float32",
          data: [],
        });
      });

      it("propagates NaN and Infinity", async () => {
        const x = [Number.POSITIVE_INFINITY, 1, Number.NaN, 2];
        expect((await values(() => tf.conv2d(tf.tensor(x, [1, 2, 2, 1]), tf.tensor([1, -1], [1, 2, 1, 1]), 1, "valid"))).value).toEqual([
          [[[Number.POSITIVE_INFINITY]], [[Number.NaN]]],
        ]);
        expect(
          (await values(() => tf.conv2d(tf.tensor(x.slice(0, 2), [1, 1, 2, 1]), tf.tensor([0, 1], [1, 2, 1, 1]), 1, "valid"))).value,
        ).toEqual([[[[Number.NaN]]]]);
      });
    });

    describe("depthwiseConv2d", () => {
      it("matches a hand-computed result with per-channel filters", async () => {
        // Channel 0 sums its window with weight 1, channel 1 with weight 10.
        const x = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
        expect(await values(() => tf.depthwiseConv2d(x, tf.tensor([1, 10, 1, 10, 1, 10, 1, 10], [2, 2, 2, 1]), 1, "valid"))).toEqual({
          shape: [1, 1, 1, 2],
          dtype: "float32",
          value: [[[[16, 200]]]],
        });
        // Multiplier 2: output channel c * 2 + q uses filter[:, :, c, q].
        expect((await values(() => x.depthwiseConv2d(tf.tensor([1, -1, 2, 0], [1, 1, 2, 2]), 1, "valid"))).value).toEqual([
          [
            [
              [1, -1, 4, 0],
              [3, -3, 8, 0],
            ],
            [
              [5, -5, 12, 0],
              [7, -7, 16, 0],
            ],
          ],
        ]);
        x.dispose();
      });

      it("matches tfjs for channel multipliers 1-3, strides, paddings, dilations and rank-3 inputs", async () => {
        let seed = 600;
        for (const c of CASES) {
          for (const multiplier of [1, 3]) {
            const fs = filterShape(c, c.x.at(-1)!, multiplier);
            const xv = randomValues(count(c.x), seed++);
            const fv = randomValues(count(fs), seed++);
            await matchesTfjs(
              () => tf.depthwiseConv2d(tf.tensor(xv, c.x), tf.tensor(fv, fs), c.strides, c.pad, "NHWC", c.dilations),
              () => tfjs.depthwiseConv2d(image(xv, c.x), image(fv, fs), c.strides, c.pad, "NHWC", c.dilations),
              1e-5,
              1e-5,
            );
          }
        }
        const xv = randomValues(2 * 8 * 8 * 16, 700);
        const fv = randomValues(3 * 3 * 16 * 2, 701);
        await matchesTfjs(
          () => tf.depthwiseConv2d(tf.tensor(xv, [2, 8, 8, 16]), tf.tensor(fv, [3, 3, 16, 2]), 2, "same"),
          () => tfjs.depthwiseConv2d(tfjs.tensor4d(xv, [2, 8, 8, 16]), tfjs.tensor4d(fv, [3, 3, 16, 2]), 2, "same"),
        );
      });

      it("handles empty tensors", async () => {
        expect((await flat(() => tf.depthwiseConv2d(tf.zeros([0, 3, 3, 2]), tf.ones([2, 2, 2, 2]), 1, "same"))).shape).toEqual([
          0, 3, 3, 4,
        ]);
        expect(await flat(() => tf.depthwiseConv2d(tf.zeros([1, 3, 3, 2]), tf.ones([2, 2, 2, 0]), 1, "valid"))).toEqual({
          shape: [1, 2, 2, 0],
          dtype: "float32",
          data: [],
        });
      });
    });

    describe("maxPool and avgPool", () => {
      it("match hand-computed values; padding never wins a max nor counts toward a mean", async () => {
        const x = tf.tensor([1, 2, 3, 4], [1, 2, 2, 1]);
        expect(await values(() => tf.maxPool(x, 2, 1, "valid"))).toEqual({ shape: [1, 1, 1, 1], dtype: "float32", value: [[[[4]]]] });
        expect((await values(() => x.maxPool(2, 1, "same"))).value).toEqual([
          [
            [[4], [4]],
            [[4], [4]],
          ],
        ]);
        expect((await values(() => tf.avgPool(x, 2, 1, "same"))).value).toEqual([
          [
            [[2.5], [3]],
            [[3.5], [4]],
          ],
        ]);
        expect((await values(() => x.avgPool([1, 2], [2, 1], "valid"))).value).toEqual([[[[1.5]]]]);
        // All-negative input with padding: a padded zero must not win.
        expect((await values(() => tf.maxPool(tf.tensor([-5, -6, -7, -8], [2, 2, 1]), 3, 1, "same"))).value).toEqual([
          [[-5], [-5]],
          [[-5], [-5]],
        ]);
        x.dispose();
      });

      it("match tfjs for window sizes, strides, paddings and rank-3 inputs", async () => {
        let seed = 800;
        for (const c of CASES) {
          if (c.dilations !== undefined) continue; // pools have no dilation
          const xv = randomValues(count(c.x), seed++);
          const size: [number, number] = [c.filter[0]!, c.filter[1]!];
          await matchesTfjs(
            () => tf.maxPool(tf.tensor(xv, c.x), size, c.strides, c.pad),
            () => tfjs.maxPool(image(xv, c.x), size, c.strides, c.pad as never),
          );
          await matchesTfjs(
            () => tf.avgPool(tf.tensor(xv, c.x), size, c.strides, c.pad),
            () => tfjs.avgPool(image(xv, c.x), size, c.strides, c.pad as never),
          );
        }
      });

      it("maxPool keeps int32 and propagates NaN (tfjs drops it; a NaN in a window is a NaN out)", async () => {
        const xi = tf.tensor([1, -7, 3, 2], [1, 2, 2, 1], "int32");
        expect(await values(() => tf.maxPool(xi, 2, 1, "same"))).toEqual({
          shape: [1, 2, 2, 1],
          dtype: "int32",
          value: [
            [
              [[3], [2]],
              [[3], [2]],
            ],
          ],
        });
        await matchesTfjs(
          () => tf.maxPool(xi, 2, 1, "same"),
          () => tfjs.maxPool(tfjs.tensor4d([1, -7, 3, 2], [1, 2, 2, 1], "int32"), 2, 1, "same"),
        );
        xi.dispose();
        expect((await values(() => tf.maxPool(tf.tensor([1, Number.NaN, 3, 2], [1, 2, 2, 1]), 2, 1, "valid"))).value).toEqual([
          [[[Number.NaN]]],
        ]);
        expect((await values(() => tf.maxPool(tf.tensor([Number.NaN, 5, 3, 2], [4, 1, 1]), [2, 1], 2, "valid"))).value).toEqual([
          [[Number.NaN]],
          [[3]],
        ]);
        expect((await values(() => tf.avgPool(tf.tensor([1, Number.POSITIVE_INFINITY, 3, 2], [1, 2, 2, 1]), 2, 1, "valid"))).value).toEqual(
          [[[[Number.POSITIVE_INFINITY]]]],
        );
      });

      it("avgPool averages windows whose float32 sum overflows as in exact arithmetic: finite, or the window's infinity", async () => {
        const big = 3.4028234663852886e38;
        const inf = Number.POSITIVE_INFINITY;
        // Windows of 2 x 2 (one channel): big + big overflows float32; with an infinity of the
        // other sign the mean is that infinity, not Infinity - Infinity; both signs of infinity, or a NaN, give NaN.
        const windows = [
          [big, big, 1, -big],
          [big, big, 3, -inf],
          [-big, -big, 0, inf],
          [big, big, -inf, inf],
          [big, big, Number.NaN, 1],
        ];
        // 400 values of 3e38 (a window of 20 x 20): the float32 sum overflows even scaled by 2^-8.
        const wide = new Array<number>(400).fill(3e38);
        for (const w of [...windows, wide]) {
          const side = Math.sqrt(w.length);
          await matchesTfjs(
            () => tf.avgPool(tf.tensor(w, [1, side, side, 1]), side, 1, "valid"),
            () => tfjs.avgPool(image(w, [1, side, side, 1]), side, 1, "valid"),
            0,
            1e-4, // float32 sums of 400 terms
          );
        }
      });

      it("give the empty-set identities for windows wholly inside explicit padding (-Infinity max, NaN mean), like tfjs", async () => {
        const x = tf.tensor([5], [1, 1, 1, 1]);
        const ninf = Number.NEGATIVE_INFINITY;
        expect((await values(() => tf.maxPool(x, 1, 1, 1))).value).toEqual([
          [
            [[ninf], [ninf], [ninf]],
            [[ninf], [5], [ninf]],
            [[ninf], [ninf], [ninf]],
          ],
        ]);
        await matchesTfjs(
          () => tf.avgPool(x, 1, 1, 1),
          () => tfjs.avgPool(tfjs.tensor4d([5], [1, 1, 1, 1]), 1, 1, 1),
        );
        expect((await values(() => tf.maxPool(tf.tensor([5], [1, 1, 1, 1], "int32"), 1, 1, 1))).value).toEqual([
          [
            [[-2147483648], [-2147483648], [-2147483648]],
            [[-2147483648], [5], [-2147483648]],
            [[-2147483648], [-2147483648], [-2147483648]],
          ],
        ]);
        x.dispose();
      });

      it("handle empty tensors", async () => {
        expect((await flat(() => tf.maxPool(tf.zeros([0, 4, 4, 2]), 2, 2, "valid"))).shape).toEqual([0, 2, 2, 2]);
        expect(await flat(() => tf.avgPool(tf.zeros([1, 4, 4, 0]), 2, 2, "same"))).toEqual({
          shape: [1, 2, 2, 0],
          dtype: "float32",
          data: [],
        });
      });
    });

    it("infer shapes with unknown (null) dims for traced calls", () => {
      const info = (shape: (number | null)[]) => ({ shape, dtype: "float32" as const });
      const conv = (padding: "SAME" | "VALID", strides = 1) => ({
        strides: [1, strides, strides, 1],
        padding,
        explicitPaddings: [],
        dataFormat: "NHWC" as const,
        dilations: [1, 1, 1, 1],
      });
      expect(tf.Conv2D.infer([info([null, 28, 28, 3]), info([3, 3, 3, 8])], conv("SAME"))).toEqual([info([null, 28, 28, 8])]);
      expect(tf.Conv2D.infer([info([2, null, null, 3]), info([3, 3, 3, 8])], conv("VALID"))).toEqual([info([2, null, null, 8])]);
      // SAME's output size does not depend on the filter; VALID's does.
      expect(tf.Conv2D.infer([info([2, 9, 9, null]), info([null, null, null, null])], conv("SAME", 2))).toEqual([info([2, 5, 5, null])]);
      expect(tf.Conv2D.infer([info([2, 9, 9, 3]), info([null, 3, 3, 4])], conv("VALID"))).toEqual([info([2, null, 7, 4])]);
      expect(tf.DepthwiseConv2dNative.infer([info([1, 5, 5, null]), info([3, 3, null, 2])], conv("SAME"))).toEqual([info([1, 5, 5, null])]);
      expect(tf.DepthwiseConv2dNative.infer([info([null, 5, 5, 3]), info([3, 3, 3, 2])], conv("VALID"))).toEqual([info([null, 3, 3, 6])]);
      const pool = {
        ksize: [1, 2, 2, 1],
        strides: [1, 2, 2, 1],
        padding: "VALID" as const,
        explicitPaddings: [],
        dataFormat: "NHWC" as const,
      };
      expect(tf.MaxPool.infer([info([null, null, 8, 3])], pool)).toEqual([info([null, null, 4, 3])]);
      expect(tf.AvgPool.infer([info([null, 8, null])], pool)).toEqual([info([null, 4, null])]);
      expect(() => tf.Conv2D.infer([info([null, 5, 5, 3]), info([3, 3, 4, 8])], conv("SAME"))).toThrow(tf.ShapeError);
    });

    it("reject bad inputs with typed errors that name the op and the problem", () => {
      const x = () => tf.ones([1, 5, 5, 3]);
      const f = () => tf.ones([3, 3, 3, 2]);
      expect(inTidy(() => tf.conv2d(x(), tf.ones([3, 3, 4, 2]), 1, "same"))).toThrow(tf.ShapeError);
      expect(inTidy(() => tf.conv2d(x(), tf.ones([3, 3, 4, 2]), 1, "same"))).toThrow(/conv2d: x has 3 channels.*filter expects 4/);
      expect(inTidy(() => tf.depthwiseConv2d(x(), tf.ones([3, 3, 2, 2]), 1, "same"))).toThrow(/depthwiseConv2d: x has 3 channels/);
      expect(inTidy(() => tf.conv2d(tf.ones([5, 5]), f(), 1, "same"))).toThrow(/rank 4 \[batch, height, width, channels\]/);
      expect(inTidy(() => tf.conv2d(x(), tf.ones([3, 3, 3]), 1, "same"))).toThrow(/filter must have rank 4/);
      expect(inTidy(() => tf.conv2d(tf.ones([1, 5, 5, 3], "int32"), f(), 1, "same"))).toThrow(tf.DTypeError);
      expect(inTidy(() => tf.conv2d(x(), f(), 0, "same"))).toThrow(tf.ArgumentError);
      expect(inTidy(() => tf.conv2d(x(), f(), 0, "same"))).toThrow(/'strides' must be positive integers/);
      expect(inTidy(() => tf.conv2d(x(), f(), "2" as never, "same"))).toThrow(/'strides' must be a number or a pair/);
      expect(inTidy(() => tf.conv2d(x(), f(), 2, "same", "NHWC", 2))).toThrow(/cannot both be greater than 1/);
      expect(inTidy(() => tf.depthwiseConv2d(x(), f(), [1, 2], "same", "NHWC", [2, 1]))).toThrow(tf.ArgumentError);
      expect(inTidy(() => tf.conv2d(x(), f(), 1, "full" as never))).toThrow(/'pad' must be "same", "valid"/);
      expect(inTidy(() => tf.conv2d(x(), f(), 1, -1))).toThrow(/explicit padding must be non-negative integers/);
      expect(
        inTidy(() =>
          tf.conv2d(x(), f(), 1, [
            [1, 0],
            [1, 1],
            [1, 1],
            [0, 0],
          ]),
        ),
      ).toThrow(/batch and channel dimensions must be \[0, 0\]/);
      expect(inTidy(() => tf.conv2d(x(), f(), 1, "same", "NCHW"))).toThrow(/dataFormat "NCHW" is not supported/);
      expect(inTidy(() => tf.conv2d(x(), f(), 1, 1, "NHWC", 1, "ceil"))).toThrow(/dimRoundingMode "ceil" is not supported/);
      expect(inTidy(() => tf.conv2d(tf.ones([1, 1, 1, 3]), f(), 1, "valid"))).toThrow(tf.ShapeError);
      expect(inTidy(() => tf.conv2d(tf.ones([1, 1, 1, 3]), f(), 1, "valid"))).toThrow(
        /effective height 3 is larger than the input height 1/,
      );
      expect(inTidy(() => tf.conv2d(tf.ones([1, 9, 2, 3]), f(), 1, "valid", "NHWC", 2))).toThrow(
        /effective width 5 \(filter 3, dilation 2\)/,
      );
      expect(inTidy(() => tf.maxPool(tf.tensor([[[[true]]]]), 1, 1, "valid"))).toThrow(tf.DTypeError);
      expect(inTidy(() => tf.avgPool(tf.ones([1, 2, 2, 1], "int32"), 1, 1, "valid"))).toThrow(/avgPool: argument 'x' has dtype int32/);
      expect(inTidy(() => tf.maxPool(x(), 0, 1, "valid"))).toThrow(/'filterSize' must be positive integers/);
      expect(inTidy(() => tf.maxPool(x(), [2, 2, 2] as never, 1, "valid"))).toThrow(/'filterSize' must be a number or a pair/);
      expect(inTidy(() => tf.avgPool(tf.ones([5, 5]), 2, 1, "valid"))).toThrow(tf.ShapeError);
    });
  });
}
