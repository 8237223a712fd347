// tfjs-core's own gradients are registered by this side-effect module (the tfjs union
// package imports it; tfjs-core alone does not), so tfjs.grads can serve as the oracle.
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { describe, expect, it } from "vitest";
import { expectClose, flat, matchesTfjs, randomValues, tf, tfjs, values } from "../context.js";

type Pair = number | [number, number];
type Pad = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];

/** Raw values and a shape, turned into a tensor on either side. */
interface Input {
  readonly values: number[];
  readonly shape: number[];
}

const count = (shape: readonly number[]): number => shape.reduce((s, d) => s * d, 1);

function input(shape: number[], seed: number, lo = -1, hi = 1): Input {
  return { values: randomValues(count(shape), seed, lo, hi), shape };
}

/** Distinct values 0.05 apart in a seeded order: no ties between window elements. */
function distinct(shape: number[], seed: number): Input {
  const keys = randomValues(count(shape), seed);
  const order = keys.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(keys.length);
  order.forEach(([, i], rank) => {
    out[i] = -1 + 0.05 * rank;
  });
  return { values: out, shape };
}

/** tfjs tensors typed as the rank-4 images its ops declare (rank-3 inputs are accepted too). */
function image(x: Input): tfjs.Tensor4D {
  const t: tfjs.Tensor = tfjs.tensor(x.values, x.shape);
  return t as tfjs.Tensor4D;
}

interface Grad {
  readonly shape: number[];
  readonly data: number[];
}

/**
 * The gradients of `sum(w * f(inputs))` for fixed random weights `w` (seeded, so both
 * libraries use the same), through Kiln's `tf.grads`.
 */
async function kilnGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Input[], seed = 77): Promise<Grad[]> {
  const gs = tf.tidy(() => {
    const xs = inputs.map((x) => tf.tensor(x.values, x.shape));
    const y = f(...xs);
    const w = tf.tensor(randomValues(y.size, seed, 0.5, 1.5), y.shape as number[]);
    return tf.grads((...as: tf.Tensor[]) => tf.sum(tf.mul(f(...as), w)))(xs);
  });
  try {
    const out: Grad[] = [];
    for (const g of gs) out.push({ shape: [...(g.shape as number[])], data: Array.from(await g.data()) });
    return out;
  } finally {
    tf.dispose(gs);
  }
}

/** The same through tfjs's `tfjs.grads`. */
function tfjsGrads(f: (...xs: tfjs.Tensor4D[]) => tfjs.Tensor, inputs: Input[], seed = 77): Grad[] {
  return tfjs.tidy(() => {
    const xs = inputs.map(image);
    const y = f(...xs);
    const w = tfjs.tensor(randomValues(y.size, seed, 0.5, 1.5), y.shape);
    const gs = tfjs.grads((...as: tfjs.Tensor[]) => tfjs.sum(tfjs.mul(f(...(as as tfjs.Tensor4D[])), w)))(xs);
    return gs.map((g) => ({ shape: [...g.shape], data: Array.from(g.dataSync() as Float32Array) }));
  });
}

function expectGradsMatch(kiln: Grad[], oracle: Grad[], tol = 1e-4, label = ""): void {
  expect(kiln.length).toBe(oracle.length);
  kiln.forEach((g, i) => {
    expect(g.shape, `${label} gradient ${i} shape`).toEqual(oracle[i]!.shape);
    expectClose(g.data, oracle[i]!.data, tol, tol, `${label} gradient ${i}`);
  });
}

/**
 * A dilated filter as the equivalent undilated one: `dilation - 1` zero rows (columns)
 * between taps. tfjs cannot differentiate dilated convolutions, but it can differentiate
 * this one, whose input gradient is the same and whose filter gradient holds the dilated
 * filter's gradient at the taps.
 */
function dilate(filter: Input, [dh, dw]: [number, number]): Input {
  const [fh, fw, i, o] = filter.shape as [number, number, number, number];
  const eh = (fh - 1) * dh + 1;
  const ew = (fw - 1) * dw + 1;
  const out = new Array<number>(eh * ew * i * o).fill(0);
  const inner = i * o;
  for (let y = 0; y < fh; y++) {
    for (let x = 0; x < fw; x++) {
      for (let k = 0; k < inner; k++) out[(y * dh * ew + x * dw) * inner + k] = filter.values[(y * fw + x) * inner + k]!;
    }
  }
  return { values: out, shape: [eh, ew, i, o] };
}

/** The taps of a gradient taken with respect to a `dilate`d filter. */
function taps(grad: Grad, [fh, fw]: [number, number], [dh, dw]: [number, number]): Grad {
  const [, ew, i, o] = grad.shape as [number, number, number, number];
  const inner = i * o;
  const data: number[] = [];
  for (let y = 0; y < fh; y++) {
    for (let x = 0; x < fw; x++) {
      for (let k = 0; k < inner; k++) data.push(grad.data[(y * dh * ew + x * dw) * inner + k]!);
    }
  }
  return { shape: [fh, fw, i, o], data };
}

interface Case {
  readonly x: number[];
  readonly k: [number, number];
  readonly strides: Pair;
  readonly pad: Pad;
}

const explicit: Pad = [
  [0, 0],
  [1, 2],
  [0, 1],
  [0, 0],
];

/** Undilated cases (tfjs cannot differentiate dilated convolutions; those are checked below). */
const CASES: Case[] = [
  { x: [1, 5, 5, 2], k: [3, 3], strides: 1, pad: "same" },
  { x: [2, 9, 8, 3], k: [3, 2], strides: 2, pad: "valid" },
  { x: [2, 9, 8, 3], k: [3, 2], strides: [2, 3], pad: "same" },
  { x: [1, 11, 7, 2], k: [4, 4], strides: [2, 3], pad: "same" },
  { x: [1, 6, 6, 1], k: [3, 3], strides: 2, pad: "valid" }, // last row and column unread
  { x: [1, 6, 6, 2], k: [3, 3], strides: 1, pad: 2 },
  { x: [2, 6, 7, 2], k: [3, 3], strides: 2, pad: explicit },
  { x: [1, 6, 6, 4], k: [1, 1], strides: 1, pad: "same" }, // pointwise: GEMM only
  { x: [1, 7, 7, 4], k: [1, 1], strides: 2, pad: "valid" },
  { x: [7, 7, 3], k: [3, 3], strides: 1, pad: "same" }, // unbatched rank 3
  { x: [6, 5, 2], k: [2, 3], strides: [1, 2], pad: "valid" },
];

/** Gradients of Conv2D, DepthwiseConv2dNative, MaxPool and AvgPool, and their backprop ops. */
export function convolutionGradsSuite(): void {
  describe("convolution gradients", () => {
    describe("conv2d", () => {
      it("tf.grads matches tfjs across strides, SAME/VALID/explicit padding, pointwise and rank-3 inputs", async () => {
        let seed = 900;
        for (const c of CASES) {
          const x = input(c.x, seed++);
          const f = input([c.k[0], c.k[1], c.x.at(-1)!, 3], seed++);
          expectGradsMatch(
            await kilnGrads((a, b) => tf.conv2d(a, b, c.strides, c.pad), [x, f]),
            tfjsGrads((a, b) => tfjs.conv2d(a, b, c.strides, c.pad), [x, f]),
            1e-4,
            JSON.stringify(c),
          );
        }
      });

      it("dilated gradients match tfjs's gradients for the equivalent zero-inserted filter", async () => {
        const cases: { x: number[]; k: [number, number]; d: [number, number]; pad: Pad }[] = [
          { x: [1, 9, 9, 2], k: [3, 3], d: [2, 2], pad: "valid" },
          { x: [2, 8, 9, 3], k: [2, 3], d: [3, 2], pad: "valid" },
          { x: [1, 8, 8, 2], k: [3, 3], d: [2, 2], pad: 1 },
        ];
        let seed = 950;
        for (const c of cases) {
          const x = input(c.x, seed++);
          const f = input([c.k[0], c.k[1], c.x.at(-1)!, 2], seed++);
          const [dx, df] = await kilnGrads((a, b) => tf.conv2d(a, b, 1, c.pad, "NHWC", c.d), [x, f]);
          const [ox, of] = tfjsGrads((a, b) => tfjs.conv2d(a, b, 1, c.pad), [x, dilate(f, c.d)]);
          expectGradsMatch([dx!, df!], [ox!, taps(of!, c.k, c.d)], 1e-4, JSON.stringify(c));
        }
      });

      it("matches tfjs on layers large enough for the blocked GEMM and several im2col chunks", async () => {
        const layers: Case[] = [
          { x: [2, 24, 24, 32], k: [3, 3], strides: 1, pad: "same" }, // 1152 patch rows: two chunks of 910
          { x: [1, 21, 20, 8], k: [5, 5], strides: 2, pad: "valid" },
          { x: [2, 16, 16, 12], k: [1, 1], strides: 1, pad: "valid" },
        ];
        let seed = 980;
        for (const c of layers) {
          const x = input(c.x, seed++);
          const f = input([c.k[0], c.k[1], c.x.at(-1)!, 16], seed++);
          expectGradsMatch(
            await kilnGrads((a, b) => tf.conv2d(a, b, c.strides, c.pad), [x, f]),
            tfjsGrads((a, b) => tfjs.conv2d(a, b, c.strides, c.pad), [x, f]),
            2e-4,
            JSON.stringify(c),
          );
        }
      });

      it("conv2DBackpropInput and conv2DBackpropFilter match hand-computed values", async () => {
        // Each input pixel's gradient counts the 2x2 windows that read it.
        expect(
          (await values(() => tf.conv2DBackpropInput([1, 3, 3, 1], tf.ones([1, 2, 2, 1]), tf.ones([2, 2, 1, 1]), 1, "valid"))).value,
        ).toEqual([
          [
            [[1], [2], [1]],
            [[2], [4], [2]],
            [[1], [2], [1]],
          ],
        ]);
        // Each filter tap's gradient sums the pixels it met: the 2x2 window sums of 1..9.
        const x = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
        expect(await values(() => tf.conv2DBackpropFilter(x, tf.ones([1, 2, 2, 1]), [2, 2, 1, 1], 1, "valid"))).toEqual({
          shape: [2, 2, 1, 1],
          dtype: "float32",
          value: [
            [[[12]], [[16]]],
            [[[24]], [[28]]],
          ],
        });
        x.dispose();
      });

      it("conv2dTranspose matches tfjs (function and method), including strides and rank 3", async () => {
        const cases: { x: number[]; f: number[]; out: number[]; strides: Pair; pad: Pad }[] = [
          { x: [1, 3, 3, 4], f: [3, 3, 2, 4], out: [1, 5, 5, 2], strides: 2, pad: "same" },
          { x: [2, 2, 3, 3], f: [2, 2, 1, 3], out: [2, 4, 6, 1], strides: 2, pad: "valid" },
          { x: [2, 2, 3, 3], f: [3, 3, 2, 3], out: [2, 5, 7, 2], strides: 2, pad: "valid" },
          { x: [4, 4, 2], f: [3, 3, 3, 2], out: [4, 4, 3], strides: 1, pad: "same" },
        ];
        let seed = 1000;
        for (const c of cases) {
          const x = input(c.x, seed++);
          const f = input(c.f, seed++);
          const outShape = c.out as [number, number, number, number];
          await matchesTfjs(
            () => tf.conv2dTranspose(tf.tensor(x.values, x.shape), tf.tensor(f.values, f.shape), c.out, c.strides, c.pad),
            () => tfjs.conv2dTranspose(image(x), image(f), outShape, c.strides, c.pad),
            1e-4,
            1e-4,
          );
          await matchesTfjs(
            () => tf.tensor(x.values, x.shape).conv2dTranspose(tf.tensor(f.values, f.shape), c.out, c.strides, c.pad),
            () => tfjs.conv2dTranspose(image(x), image(f), outShape, c.strides, c.pad),
            1e-4,
            1e-4,
          );
        }
      });

      it("propagates NaN and Infinity through both gradients", async () => {
        const dx = await flat(() =>
          tf.conv2DBackpropInput([1, 3, 3, 1], tf.tensor([Number.NaN, 1, 1, 1], [1, 2, 2, 1]), tf.ones([2, 2, 1, 1]), 1, "valid"),
        );
        expect(dx.data.map(Number.isNaN)).toEqual([true, true, false, true, true, false, false, false, false]);
        const df = await flat(() =>
          tf.conv2DBackpropFilter(
            tf.tensor([Number.POSITIVE_INFINITY, 1, 1, 1], [1, 2, 2, 1]),
            tf.ones([1, 2, 2, 1]),
            [1, 1, 1, 1],
            1,
            "valid",
          ),
        );
        expect(df.data).toEqual([Number.POSITIVE_INFINITY]);
      });

      it("handles empty tensors: zero batch, zero channels", async () => {
        const [dx, df] = await kilnGrads((a, b) => tf.conv2d(a, b, 1, "same"), [input([0, 4, 4, 2], 1), input([3, 3, 2, 3], 2)]);
        expect(dx).toEqual({ shape: [0, 4, 4, 2], data: [] });
        expect(df).toEqual({ shape: [3, 3, 2, 3], data: new Array(54).fill(0) });
        const [ex, ef] = await kilnGrads((a, b) => tf.conv2d(a, b, 1, "valid"), [input([1, 3, 3, 0], 1), input([2, 2, 0, 2], 2)]);
        expect(ex).toEqual({ shape: [1, 3, 3, 0], data: [] });
        expect(ef).toEqual({ shape: [2, 2, 0, 2], data: [] });
        expect(
          (await flat(() => tf.conv2DBackpropInput([1, 3, 3, 2], tf.zeros([1, 3, 3, 0]), tf.zeros([2, 2, 2, 0]), 1, "same"))).data,
        ).toEqual(new Array(18).fill(0));
      });
    });

    describe("depthwiseConv2d", () => {
      it("tf.grads matches tfjs for channel multipliers 1, 2 and 3 across strides and paddings", async () => {
        let seed = 1100;
        for (const c of CASES) {
          for (const multiplier of [1, 2, 3]) {
            const x = input(c.x, seed++);
            const f = input([c.k[0], c.k[1], c.x.at(-1)!, multiplier], seed++);
            expectGradsMatch(
              await kilnGrads((a, b) => tf.depthwiseConv2d(a, b, c.strides, c.pad), [x, f]),
              tfjsGrads((a, b) => tfjs.depthwiseConv2d(a, b, c.strides, c.pad), [x, f]),
              1e-4,
              `${JSON.stringify(c)} multiplier ${multiplier}`,
            );
          }
        }
      });

      it("dilated gradients match tfjs's gradients for the equivalent zero-inserted filter", async () => {
        let seed = 1200;
        // tfjs sizes a numeric pad's output with the filter height for both dims, so the
        // padded case uses per-side padding.
        for (const [d, pad] of [
          [[2, 2], "valid"],
          [[2, 3], explicit],
        ] as [[number, number], Pad][]) {
          const x = input([2, 9, 10, 3], seed++);
          const f = input([3, 2, 3, 2], seed++);
          const [dx, df] = await kilnGrads((a, b) => tf.depthwiseConv2d(a, b, 1, pad, "NHWC", d), [x, f]);
          const [ox, of] = tfjsGrads((a, b) => tfjs.depthwiseConv2d(a, b, 1, pad), [x, dilate(f, d)]);
          expectGradsMatch([dx!, df!], [ox!, taps(of!, [3, 2], d)], 1e-4, `dilations ${d}`);
        }
      });

      it("the backprop ops match hand-computed values", async () => {
        // Multiplier 2: input channel 0 feeds output channels 0 and 1, whose filters are 1 and 10.
        const filter = tf.tensor([1, 10], [1, 1, 1, 2]);
        expect(
          (
            await values(() =>
              tf.depthwiseConv2dNativeBackpropInput([1, 1, 2, 1], tf.tensor([1, 2, 3, 4], [1, 1, 2, 2]), filter, 1, "valid"),
            )
          ).value,
        ).toEqual([[[[21], [43]]]]);
        expect(
          (
            await values(() =>
              tf.depthwiseConv2dNativeBackpropFilter(
                tf.tensor([1, 2], [1, 1, 2, 1]),
                tf.tensor([1, 2, 3, 4], [1, 1, 2, 2]),
                [1, 1, 1, 2],
                1,
                "valid",
              ),
            )
          ).value,
        ).toEqual([[[[7, 10]]]]);
        filter.dispose();
      });
    });

    describe("maxPool", () => {
      const POOLS: Case[] = [
        { x: [2, 4, 6, 2], k: [2, 2], strides: 2, pad: "valid" },
        { x: [1, 5, 5, 3], k: [3, 3], strides: 1, pad: "same" },
        { x: [2, 7, 6, 2], k: [3, 2], strides: [2, 3], pad: "same" },
        { x: [1, 6, 6, 2], k: [3, 3], strides: 2, pad: 1 },
        { x: [5, 4, 2], k: [2, 2], strides: 1, pad: "valid" },
      ];

      it("tf.grads matches tfjs on distinct values and on ties (first maximum wins)", async () => {
        let seed = 1300;
        for (const c of POOLS) {
          for (const x of [distinct(c.x, seed++), { values: randomValues(count(c.x), seed++).map((v) => Math.round(v * 2)), shape: c.x }]) {
            expectGradsMatch(
              await kilnGrads((a) => tf.maxPool(a, c.k, c.strides, c.pad), [x]),
              tfjsGrads((a) => tfjs.maxPool(a, c.k, c.strides, c.pad), [x]),
              1e-5,
              JSON.stringify(c),
            );
          }
        }
      });

      it("maxPoolGrad and maxPoolGradGrad match hand-computed values", async () => {
        const x = tf.tensor([1, 5, 5, 2, 0, 5, 3, 1, 4], [1, 3, 3, 1]);
        const y = tf.maxPool(x, 2, 1, "valid");
        // Windows [1,5,2,0], [5,5,0,5], [2,0,3,1], [0,5,1,4]: maxima at flat 1, 1 (first of three 5s), 6, 5.
        expect((await flat(() => tf.maxPoolGrad(tf.tensor([10, 20, 30, 40], [1, 2, 2, 1]), x, y, 2, 1, "valid"))).data).toEqual([
          0, 30, 0, 0, 0, 40, 30, 0, 0,
        ]);
        expect(
          (await flat(() => tf.maxPoolGradGrad(tf.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]), x, y, 2, 1, "valid"))).data,
        ).toEqual([2, 2, 7, 6]);
        tf.dispose([x, y]);
      });

      it("routes to a NaN in the window, and to nothing from a window wholly in padding", async () => {
        const x = tf.tensor([1, Number.NaN, 3, 4], [1, 2, 2, 1]);
        const y = tf.maxPool(x, 2, 1, "valid");
        expect((await flat(() => tf.maxPoolGrad(tf.ones([1, 1, 1, 1]), x, y, 2, 1, "valid"))).data).toEqual([0, 1, 0, 0]);
        const pad: Pad = [
          [0, 0],
          [0, 2],
          [0, 0],
          [0, 0],
        ];
        const g = await kilnGrads((a) => tf.maxPool(a, 2, 2, pad), [{ values: [1, 2, 3, 4], shape: [1, 2, 2, 1] }]);
        expect(g[0]!.data.filter((v) => v !== 0).length).toBe(1);
        tf.dispose([x, y]);
      });

      it("handles a zero batch", async () => {
        expect(await kilnGrads((a) => tf.maxPool(a, 2, 2, "valid"), [input([0, 4, 4, 2], 1)])).toEqual([{ shape: [0, 4, 4, 2], data: [] }]);
      });

      it("a traced step with the tape inside gives eager's values and gradients bit for bit (where the plan pairs MaxPool with MaxPoolGrad)", async () => {
        const pad: Pad = [
          [0, 0],
          [0, 3],
          [1, 0],
          [0, 0],
        ];
        const cases: (Case & { values?: number[] })[] = [
          ...POOLS,
          { x: [1, 2, 2, 1], k: [2, 2], strides: 1, pad: "valid", values: [1, Number.NaN, 3, Number.NaN] },
          { x: [1, 2, 3, 1], k: [2, 2], strides: 1, pad: "same", values: [-Infinity, -Infinity, 0, -0, 2, 2] },
          { x: [1, 2, 2, 2], k: [2, 2], strides: 2, pad, values: [1, -1, 2, -2, 3, -3, 4, -4] },
        ];
        let seed = 1400;
        for (const c of cases) {
          const values = c.values ?? randomValues(count(c.x), seed++).map((v) => Math.round(v * 2));
          const x = tf.tensor(values, c.x);
          const yShape = tf.tidy(() => tf.maxPool(x, c.k, c.strides, c.pad).shape as number[]);
          const w = tf.tensor(randomValues(count(yShape), seed++, 0.5, 1.5), yShape);
          const step = (a: tf.Tensor): tf.Tensor[] => {
            const tape = new tf.GradientTape();
            tape.watch(a);
            const y = tape.record(() => tf.maxPool(a, c.k, c.strides, c.pad));
            const loss = tape.record(() => tf.sum(tf.mul(y, w)));
            return [y, tape.gradient(loss, a)!];
          };
          const eager = tf.tidy(() => step(x));
          const traced = tf.function(step);
          const graphed = traced(x) as tf.Tensor[];
          for (let i = 0; i < 2; i++) {
            expect(Array.from(await graphed[i]!.data()), `${JSON.stringify(c)} output ${i}`).toEqual(Array.from(await eager[i]!.data()));
          }
          tf.dispose([x, w, ...eager, ...graphed]);
          traced.dispose();
        }
      });
    });

    describe("avgPool", () => {
      it("tf.grads matches tfjs where every window is whole (VALID)", async () => {
        let seed = 1400;
        for (const c of [
          { x: [2, 4, 6, 2], k: [2, 2], strides: 2 },
          { x: [1, 7, 6, 3], k: [3, 2], strides: [2, 1] },
          { x: [5, 4, 2], k: [2, 2], strides: 1 },
        ] as { x: number[]; k: [number, number]; strides: Pair }[]) {
          const x = input(c.x, seed++);
          expectGradsMatch(
            await kilnGrads((a) => tf.avgPool(a, c.k, c.strides, "valid"), [x]),
            tfjsGrads((a) => tfjs.avgPool(a, c.k, c.strides, "valid"), [x]),
            1e-5,
            JSON.stringify(c),
          );
        }
      });

      it("under SAME padding divides by each window's in-bounds count, like TF (tfjs divides by the full window)", async () => {
        // Windows of a 2x2 input with a 2x2 filter, SAME: 4, 2, 2 and 1 in-bounds elements.
        expect((await flat(() => tf.avgPoolGrad(tf.ones([1, 2, 2, 1]), [1, 2, 2, 1], 2, 1, "same"))).data).toEqual([
          0.25, 0.75, 0.75, 2.25,
        ]);
        const g = (await kilnGrads((a) => tf.avgPool(a, 3, 2, "same"), [input([1, 5, 5, 1], 3)], 5))[0]!;
        // Gradient of the mean's own definition: the forward op and its gradient agree.
        const w = tf.tensor(randomValues(9, 5, 0.5, 1.5), [1, 3, 3, 1]);
        const fd: number[] = [];
        try {
          const base = input([1, 5, 5, 1], 3).values;
          const at = async (v: number[]) =>
            (await flat(() => tf.sum(tf.mul(tf.avgPool(tf.tensor(v, [1, 5, 5, 1]), 3, 2, "same"), w)))).data[0]!;
          for (let j = 0; j < base.length; j++) {
            const up = [...base];
            const down = [...base];
            up[j]! += 0.01;
            down[j]! -= 0.01;
            fd.push(((await at(up)) - (await at(down))) / 0.02);
          }
        } finally {
          w.dispose();
        }
        expectClose(g.data, fd, 1e-3, 1e-3, "avgPool SAME gradient vs finite differences");
      });

      it("handles a zero batch and zero channels", async () => {
        expect(await kilnGrads((a) => tf.avgPool(a, 2, 1, "same"), [input([0, 3, 3, 1], 1)])).toEqual([{ shape: [0, 3, 3, 1], data: [] }]);
        expect(await kilnGrads((a) => tf.avgPool(a, 2, 1, "same"), [input([1, 3, 3, 0], 1)])).toEqual([{ shape: [1, 3, 3, 0], data: [] }]);
      });
    });

    describe("bad input", () => {
      const inTidy = (fn: () => unknown) => () => tf.tidy(fn);

      it("rejects a dy or y the forward op cannot produce", () => {
        expect(inTidy(() => tf.conv2DBackpropInput([1, 5, 5, 2], tf.ones([1, 3, 3, 3]), tf.ones([3, 3, 2, 3]), 1, "same"))).toThrow(
          tf.ShapeError,
        );
        expect(inTidy(() => tf.conv2DBackpropInput([1, 5, 5, 2], tf.ones([1, 3, 3, 3]), tf.ones([3, 3, 2, 3]), 1, "same"))).toThrow(
          /conv2DBackpropInput: 'dy' has shape \[1,3,3,3\], but convolving an input of shape \[1,5,5,2\] with a filter of shape \[3,3,2,3\] gives \[1,5,5,3\]$/,
        );
        expect(inTidy(() => tf.conv2dTranspose(tf.ones([1, 3, 3, 4]), tf.ones([3, 3, 2, 5]), [1, 5, 5, 2], 2, "same"))).toThrow(
          /'dy' has shape \[1,3,3,4\].*gives \[1,3,3,5\]/,
        );
        expect(
          inTidy(() => tf.depthwiseConv2dNativeBackpropFilter(tf.ones([1, 4, 4, 2]), tf.ones([1, 4, 4, 5]), [3, 3, 2, 2], 1, "same")),
        ).toThrow(tf.ShapeError);
        expect(inTidy(() => tf.maxPoolGrad(tf.ones([1, 2, 2, 1]), tf.ones([1, 4, 4, 1]), tf.ones([1, 2, 2, 1]), 2, 1, "valid"))).toThrow(
          /maxPoolGrad: 'y' has shape \[1,2,2,1\], but max pooling x of shape \[1,4,4,1\] gives \[1,3,3,1\]/,
        );
      });

      it("rejects malformed shape attrs and mismatched ranks", () => {
        expect(inTidy(() => tf.conv2DBackpropInput([1, 5, 5], tf.ones([1, 5, 5, 3]), tf.ones([3, 3, 2, 3]), 1, "same"))).toThrow(
          /'dy' must have the rank of inputSizes \[1,5,5\]/,
        );
        expect(inTidy(() => tf.conv2DBackpropInput([1, -5, 5, 2], tf.ones([1, 5, 5, 3]), tf.ones([3, 3, 2, 3]), 1, "same"))).toThrow(
          tf.ArgumentError,
        );
        expect(inTidy(() => tf.conv2DBackpropFilter(tf.ones([1, 5, 5, 2]), tf.ones([1, 5, 5, 3]), [3, 3], 1, "same"))).toThrow(
          /conv2DBackpropFilter: 'filterSizes' must be a shape/,
        );
        expect(inTidy(() => tf.avgPoolGrad(tf.ones([1, 2, 2, 1]), [2, 2], 2, 1, "valid"))).toThrow(
          /avgPoolGrad: 'origInputShape' must be a shape/,
        );
        expect(
          inTidy(() =>
            tf.conv2DBackpropFilter(tf.ones([1, 5, 5, 2]), tf.ones([1, 5, 5, 3]), [3, 3, 2, 3], 1, "same", "NHWC", [2, 2], "ceil"),
          ),
        ).toThrow(/dimRoundingMode "ceil" is not supported/);
      });

      it("rejects non-float dtypes", () => {
        const ints = tf.tensor([1, 2, 3, 4], [1, 2, 2, 1], "int32");
        expect(inTidy(() => tf.avgPoolGrad(ints, [1, 2, 2, 1], 1, 1, "valid"))).toThrow(tf.DTypeError);
        expect(inTidy(() => tf.conv2DBackpropInput([1, 2, 2, 1], ints, tf.ones([1, 1, 1, 1]), 1, "valid"))).toThrow(
          /conv2DBackpropInput: argument 'dy' has dtype int32/,
        );
        expect(inTidy(() => tf.maxPoolGrad(tf.ones([1, 1, 1, 1]), ints, tf.ones([1, 1, 1, 1]), 2, 1, "valid"))).toThrow(tf.DTypeError);
        ints.dispose();
      });
    });
  });
}
