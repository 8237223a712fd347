import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import * as convolution from "../../src/ops/convolution.js";
import { isOpDef } from "../../src/ops/op_list.js";
import { useCpu } from "../setup.js";
import { checkGradient, expectNoGradient, randomInput } from "./check.js";

useCpu();

// Gradient rules of the windowed ops (conv2d, depthwiseConv2d, maxPool, avgPool) and of their
// backprop ops (second derivatives): each checked against central finite differences and
// against the same gradient computed inside a traced function (checkGradient), across
// strides, SAME/VALID/explicit padding, dilations, channel counts and multipliers, and
// unbatched rank-3 inputs; plus traced gradients with an unknown batch.

type Pair = number | [number, number];
type Pad = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];

const x = (shape: number[], seed = 1) => randomInput(shape, seed);

/**
 * Distinct values spaced 0.05 apart in a seeded random order, so no finite-difference step
 * (eps 1e-2) can change which element is a window's maximum.
 */
function distinct(shape: number[], seed: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const order = Array.from(randomInput([size], seed).dataSync());
  const ranks = order.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const values = new Array<number>(size);
  ranks.forEach(([, i], r) => {
    values[i] = -1 + 0.05 * r;
  });
  return tf.tensor(values, shape);
}

interface ConvCase {
  readonly name: string;
  readonly x: number[];
  /** Filter height and width. */
  readonly k: [number, number];
  readonly strides: Pair;
  readonly pad: Pad;
  readonly dilations?: Pair;
}

const explicit: Pad = [
  [0, 0],
  [1, 2],
  [0, 1],
  [0, 0],
];

const CONV_CASES: ConvCase[] = [
  { name: "stride 1, same", x: [1, 5, 5, 2], k: [3, 3], strides: 1, pad: "same" },
  { name: "stride 2, valid", x: [2, 6, 5, 2], k: [3, 2], strides: 2, pad: "valid" },
  { name: "stride 2, valid, last row and column unused", x: [1, 6, 6, 1], k: [3, 3], strides: 2, pad: "valid" },
  { name: "strides [2, 1], same, even filter", x: [1, 7, 6, 3], k: [2, 3], strides: [2, 1], pad: "same" },
  { name: "stride 2, same, more padding after", x: [1, 6, 6, 2], k: [4, 4], strides: 2, pad: "same" },
  { name: "dilation 2, same", x: [1, 7, 7, 2], k: [3, 3], strides: 1, pad: "same", dilations: 2 },
  { name: "dilations [2, 1], valid", x: [1, 8, 6, 1], k: [2, 3], strides: 1, pad: "valid", dilations: [2, 1] },
  { name: "explicit padding, stride 2", x: [2, 5, 6, 2], k: [3, 3], strides: 2, pad: explicit },
  { name: "explicit padding 1 on every side", x: [1, 4, 4, 2], k: [3, 3], strides: 1, pad: 1 },
  { name: "pointwise", x: [2, 4, 4, 3], k: [1, 1], strides: 1, pad: "valid" },
  { name: "pointwise, stride 2", x: [1, 5, 5, 3], k: [1, 1], strides: 2, pad: "same" },
  { name: "unbatched rank 3", x: [5, 5, 2], k: [3, 3], strides: 2, pad: "same" },
  { name: "unbatched rank 3, dilated", x: [6, 6, 1], k: [2, 2], strides: 1, pad: "valid", dilations: 2 },
];

describe("convolution gradients: conv2d", () => {
  for (const c of CONV_CASES) {
    it(c.name, () => {
      const channels = c.x[c.x.length - 1]!;
      const filter = randomInput([c.k[0], c.k[1], channels, 3], 2);
      checkGradient((a, f) => tf.conv2d(a, f, c.strides, c.pad, "NHWC", c.dilations ?? 1), [x(c.x), filter]);
    });
  }

  it("many output channels and the chained method", () => {
    checkGradient((a, f) => a.conv2d(f, 1, "same"), [x([1, 4, 3, 5]), randomInput([3, 3, 5, 9], 3)]);
  });

  it("a row the windows never read gets a zero gradient", () => {
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.conv2d(a, tf.ones([3, 3, 1, 1]), 2, "valid")))(tf.ones([1, 6, 6, 1]));
    const rows = g.arraySync() as number[][][][];
    expect(rows[0]![5]!.map((v) => v[0])).toEqual([0, 0, 0, 0, 0, 0]);
    // Row 0 is read by the first row of windows, row 2 by both; column 2 likewise.
    expect(rows[0]![0]!.map((v) => v[0])).toEqual([1, 1, 2, 1, 1, 0]);
    expect(rows[0]![2]!.map((v) => v[0])).toEqual([2, 2, 4, 2, 2, 0]);
  });
});

describe("convolution gradients: depthwiseConv2d", () => {
  for (const c of CONV_CASES) {
    it(c.name, () => {
      const channels = c.x[c.x.length - 1]!;
      const filter = randomInput([c.k[0], c.k[1], channels, 2], 2);
      checkGradient((a, f) => tf.depthwiseConv2d(a, f, c.strides, c.pad, "NHWC", c.dilations ?? 1), [x(c.x), filter]);
    });
  }

  it("channel multipliers 1 and 3", () => {
    checkGradient((a, f) => tf.depthwiseConv2d(a, f, 1, "same"), [x([1, 5, 4, 3]), randomInput([3, 3, 3, 1], 2)]);
    checkGradient((a, f) => a.depthwiseConv2d(f, 2, "valid"), [x([2, 6, 5, 2]), randomInput([2, 3, 2, 3], 2)]);
  });
});

interface PoolCase {
  readonly name: string;
  readonly x: number[];
  readonly size: Pair;
  readonly strides: Pair;
  readonly pad: Pad;
}

const POOL_CASES: PoolCase[] = [
  { name: "2x2 stride 2, valid", x: [2, 4, 6, 2], size: 2, strides: 2, pad: "valid" },
  { name: "3x3 stride 1, same: overlapping windows share maxima", x: [1, 5, 5, 2], size: 3, strides: 1, pad: "same" },
  { name: "3x3 stride 2, same", x: [1, 6, 5, 3], size: 3, strides: 2, pad: "same" },
  { name: "[2, 3] window, strides [1, 2], valid", x: [1, 5, 7, 1], size: [2, 3], strides: [1, 2], pad: "valid" },
  { name: "explicit padding", x: [1, 5, 6, 2], size: 3, strides: 2, pad: explicit },
  { name: "unbatched rank 3", x: [5, 4, 2], size: 2, strides: 1, pad: "same" },
];

describe("convolution gradients: maxPool", () => {
  for (const c of POOL_CASES) {
    it(c.name, () => {
      checkGradient((a) => tf.maxPool(a, c.size, c.strides, c.pad), [distinct(c.x, 3)]);
    });
  }

  it("routes to the first maximum on ties, and sums where windows share a maximum", () => {
    const a = tf.tensor([1, 5, 5, 2, 0, 5, 3, 1, 4], [1, 3, 3, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t, 2, 1, "valid")))(a);
    // Windows: [1,5,2,0] -> 5 at (0,1); [5,5,0,5] -> first 5 at (0,1); [2,0,3,1] -> 3; [0,5,1,4] -> 5 at (1,2).
    expect(Array.from(g.dataSync())).toEqual([0, 2, 0, 0, 0, 1, 1, 0, 0]);
  });

  it("int32 pooling has no gradient", () => {
    expectNoGradient((a) => tf.maxPool(a, 2, 1, "valid"), [tf.tensor([1, 2, 3, 4], [1, 2, 2, 1], "int32")]);
  });
});

describe("convolution gradients: avgPool", () => {
  for (const c of POOL_CASES) {
    it(c.name, () => {
      checkGradient((a) => tf.avgPool(a, c.size, c.strides, c.pad), [x(c.x)]);
    });
  }

  it("edge windows under SAME padding divide by their in-bounds count", () => {
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.avgPool(t, 2, 1, "same")))(tf.ones([1, 2, 2, 1]));
    // Windows (counts): (0,0): 4 elements, (0,1): 2, (1,0): 2, (1,1): 1.
    expect(Array.from(g.dataSync())).toEqual([0.25, 0.25 + 0.5, 0.25 + 0.5, 0.25 + 0.5 + 0.5 + 1]);
  });
});

describe("convolution gradients: backprop ops (second derivatives)", () => {
  it("conv2DBackpropInput and conv2dTranspose, in dy and in the filter", () => {
    checkGradient((f, dy) => tf.conv2DBackpropInput([1, 5, 5, 2], dy, f, 2, "same"), [randomInput([3, 3, 2, 3], 1), x([1, 3, 3, 3], 2)]);
    checkGradient(
      (f, dy) => tf.conv2DBackpropInput([6, 5, 2], dy, f, 1, "valid", "NHWC", 2),
      [randomInput([2, 2, 2, 3], 1), x([4, 3, 3], 2)],
    );
    checkGradient((a, f) => tf.conv2dTranspose(a, f, [2, 4, 4, 1], 2, "same"), [x([2, 2, 2, 3]), randomInput([3, 3, 1, 3], 2)]);
  });

  it("conv2DBackpropFilter, in x and in dy", () => {
    checkGradient((a, dy) => tf.conv2DBackpropFilter(a, dy, [3, 3, 2, 3], 2, explicit), [x([1, 5, 6, 2]), x([1, 3, 3, 3], 2)]);
    checkGradient((a, dy) => tf.conv2DBackpropFilter(a, dy, [2, 2, 1, 2], 1, "same", "NHWC", [2, 1]), [x([5, 4, 1]), x([5, 4, 2], 2)]);
  });

  it("depthwise backprop ops", () => {
    checkGradient(
      (f, dy) => tf.depthwiseConv2dNativeBackpropInput([1, 5, 4, 2], dy, f, 2, "same"),
      [randomInput([3, 3, 2, 2], 1), x([1, 3, 2, 4], 2)],
    );
    checkGradient(
      (a, dy) => tf.depthwiseConv2dNativeBackpropFilter(a, dy, [2, 3, 2, 3], 1, "valid", "NHWC", 2),
      [x([1, 5, 6, 2]), x([1, 3, 2, 6], 2)],
    );
  });

  it("maxPoolGrad (in dy; x and y give none) and maxPoolGradGrad", () => {
    const a = distinct([1, 4, 5, 2], 4);
    const y = tf.maxPool(a, 2, 1, "same");
    checkGradient((dy) => tf.maxPoolGrad(dy, a, y, 2, 1, "same"), [x([1, 4, 5, 2], 2)]);
    checkGradient((g) => tf.maxPoolGradGrad(g, a, y, 2, 1, "same"), [x([1, 4, 5, 2], 2)]);
    const grads = tf.grads((t: tf.Tensor, u: tf.Tensor, dy: tf.Tensor) => tf.sum(tf.maxPoolGrad(dy, t, u, 2, 1, "same")))([
      a,
      y,
      tf.onesLike(y),
    ]);
    expect(Array.from(grads[0]!.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(grads[1]!.dataSync()).every((v) => v === 0)).toBe(true);
  });

  it("avgPoolGrad", () => {
    checkGradient((dy) => tf.avgPoolGrad(dy, [1, 5, 5, 2], 3, 2, "same"), [x([1, 3, 3, 2])]);
    checkGradient((dy) => tf.avgPoolGrad(dy, [4, 5, 1], 2, 1, explicit), [x([6, 5, 1])]);
  });

  it("avgPoolGrad: a window wholly in explicit padding passes no gradient back", () => {
    const pad: Pad = [
      [0, 0],
      [2, 0],
      [0, 3],
      [0, 0],
    ];
    checkGradient((dy) => tf.avgPoolGrad(dy, [1, 3, 2, 1], 2, 1, pad), [x([1, 4, 4, 1])]);
    const g = tf.grad((dy: tf.Tensor) => tf.sum(tf.avgPoolGrad(dy, [1, 3, 2, 1], 2, 1, pad)))(tf.ones([1, 4, 4, 1]));
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0]);
  });

  /**
   * Second derivatives through a first gradient taken with an inner tape: `h(a, w)` is the
   * squared norm of the inner gradient of `sum(f(a, w)^2)`; its gradient, computed with an
   * outer tape inside a traced function, must match central differences of `h`.
   */
  function checkSecondOrder(f: (a: tf.Tensor, w: tf.Tensor) => tf.Tensor, a: tf.Tensor, w: tf.Tensor): void {
    tf.tidy(() => {
      const h = (p: tf.Tensor, q: tf.Tensor): tf.Tensor => {
        const inner = new tf.GradientTape();
        const loss = inner.record(() => {
          inner.watch([p, q]);
          return tf.sum(tf.square(f(p, q)));
        });
        const [dp, dq] = inner.gradient(loss, [p, q]);
        return tf.add(tf.sum(tf.square(dp!)), tf.sum(tf.square(dq!)));
      };
      const second = tf.function(
        (p: tf.Tensor, q: tf.Tensor) => {
          const outer = new tf.GradientTape();
          const value = outer.record(() => {
            outer.watch([p, q]);
            return h(p, q);
          });
          return outer.gradient(value, [p, q]);
        },
        { autograph: false },
      );
      const analytic = second(a, w) as tf.Tensor[];
      [a, w].forEach((input, i) => {
        const base = Array.from(input.dataSync());
        const got = Array.from(analytic[i]!.dataSync());
        base.forEach((_, j) => {
          const at = (delta: number): number => {
            const shifted = [...base];
            shifted[j]! += delta;
            const moved = tf.tensor(shifted, input.shape as number[]);
            return h(i === 0 ? moved : a, i === 1 ? moved : w).dataSync()[0]!;
          };
          const numeric = (at(1e-2) - at(-1e-2)) / 2e-2;
          expect(Math.abs(got[j]! - numeric), `input ${i}[${j}]: ${got[j]} vs ${numeric}`).toBeLessThanOrEqual(
            3e-2 + 3e-2 * Math.abs(numeric),
          );
        });
      });
    });
  }

  it("the gradient of a gradient through conv2d, depthwiseConv2d, maxPool and avgPool (nested tapes, traced)", () => {
    checkSecondOrder((a, w) => tf.conv2d(a, w, 2, "same"), x([1, 4, 4, 2]), randomInput([3, 3, 2, 2], 2));
    checkSecondOrder((a, w) => tf.depthwiseConv2d(a, w, 1, "valid"), x([1, 4, 4, 2]), randomInput([2, 2, 2, 2], 2));
    checkSecondOrder((a, w) => tf.maxPool(tf.mul(a, w), 2, 2, "valid"), distinct([1, 4, 4, 1], 5), randomInput([1], 2, 0.5, 1));
    checkSecondOrder((a, w) => tf.avgPool(tf.conv2d(a, w, 1, "same"), 3, 1, "same"), x([1, 4, 4, 1]), randomInput([2, 2, 1, 2], 2));
  });
});

describe("convolution gradients while tracing with an unknown batch", () => {
  /** Gradients of `f` at `inputs` eagerly and from one concrete function traced with `signature`. */
  function compare(f: (a: tf.Tensor, w: tf.Tensor) => tf.Tensor, signature: (number | null)[], a: tf.Tensor[], w: tf.Tensor): void {
    tf.tidy(() => {
      const loss = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(f(p, q), f(p, q)));
      const traced = tf.function((p: tf.Tensor, q: tf.Tensor) => tf.grads(loss)([p, q]), {
        inputSignature: [new tf.TensorSpec(signature, "float32"), new tf.TensorSpec(w.shape as number[], "float32")],
        autograph: false,
      });
      for (const input of a) {
        const eager = tf.grads(loss)([input, w]);
        const graph = traced(input, w) as tf.Tensor[];
        eager.forEach((e, i) => {
          expect(graph[i]!.shape).toEqual(e.shape);
          const ge = Array.from(graph[i]!.dataSync());
          Array.from(e.dataSync()).forEach((v, j) => expect(ge[j]).toBeCloseTo(v, 4));
        });
      }
      expect(traced.experimentalGetTracingCount(), "one trace serves every batch size").toBe(1);
    });
  }

  it("conv2d, depthwiseConv2d, maxPool and avgPool", () => {
    const inputs = [x([2, 6, 6, 2], 1), x([3, 6, 6, 2], 2)];
    compare((a, w) => tf.conv2d(a, w, 2, "same"), [null, 6, 6, 2], inputs, randomInput([3, 3, 2, 3], 3));
    compare((a, w) => tf.depthwiseConv2d(a, w, 1, "valid", "NHWC", 2), [null, 6, 6, 2], inputs, randomInput([2, 2, 2, 2], 3));
    compare((a, w) => tf.maxPool(tf.mul(a, w), 3, 2, "same"), [null, 6, 6, 2], inputs, randomInput([2], 3, 0.5, 1));
    compare((a, w) => tf.avgPool(tf.mul(a, w), 2, 1, explicit), [null, 6, 6, 2], inputs, randomInput([2], 3, 0.5, 1));
  });

  it("the traced gradient graph saves and loads, shape attrs with a null batch included", () => {
    tf.tidy(() => {
      const net = (a: tf.Tensor, w: tf.Tensor) => {
        const h = tf.depthwiseConv2d(tf.conv2d(a, w, 2, "same"), tf.ones([2, 2, 2, 1]), 1, "same");
        return tf.sum(tf.avgPool(tf.maxPool(h, 2, 1, "same"), 2, 1, "valid"));
      };
      const fn = tf.function((a: tf.Tensor, w: tf.Tensor) => tf.grads(net)([a, w]), {
        inputSignature: [new tf.TensorSpec([null, 6, 6, 2], "float32"), new tf.TensorSpec([3, 3, 2, 2], "float32")],
        autograph: false,
      });
      const w = randomInput([3, 3, 2, 2], 2);
      const saved = JSON.stringify(tf.saveFunction(fn));
      for (const op of ["Conv2DBackpropInput", "Conv2DBackpropFilter", "DepthwiseConv2dNativeBackpropInput", "MaxPoolGrad", "AvgPoolGrad"])
        expect(saved).toContain(op);
      const loaded = tf.loadFunction(saved);
      for (const batch of [1, 3]) {
        const a = x([batch, 6, 6, 2], batch);
        const want = tf.grads(net)([a, w]);
        const got = loaded(a, w) as tf.Tensor[];
        want.forEach((g, i) => expect(Array.from(got[i]!.dataSync())).toEqual(Array.from(g.dataSync())));
      }
    });
  });

  it("maxPool's gradient reads x's shape at run time, so height and width may be unknown too", () => {
    tf.tidy(() => {
      const loss = (p: tf.Tensor) => tf.sum(tf.square(tf.maxPool(p, 3, 2, "same")));
      const traced = tf.function((p: tf.Tensor) => tf.grad(loss)(p), {
        inputSignature: [new tf.TensorSpec([null, null, null, 2], "float32")],
        autograph: false,
      });
      for (const shape of [
        [1, 5, 6, 2],
        [2, 7, 4, 2],
      ]) {
        const a = distinct(shape, 9);
        expect(Array.from((traced(a) as tf.Tensor).dataSync())).toEqual(Array.from(tf.grad(loss)(a).dataSync()));
      }
      expect(traced.experimentalGetTracingCount()).toBe(1);
    });
  });

  it("unknown height or width is a ShapeError that suggests an inputSignature", () => {
    const traced = tf.function((p: tf.Tensor) => tf.grad((q: tf.Tensor) => tf.sum(tf.conv2d(q, tf.ones([3, 3, 2, 1]), 1, "same")))(p), {
      inputSignature: [new tf.TensorSpec([null, null, 6, 2], "float32")],
      autograph: false,
    });
    expect(() => traced(tf.ones([1, 6, 6, 2]))).toThrow(tf.ShapeError);
    expect(() => traced(tf.ones([1, 6, 6, 2]))).toThrow(/gradient of conv2d: x has shape \[null,null,6,2\].*inputSignature/);
    const pooled = tf.function((p: tf.Tensor) => tf.grad((q: tf.Tensor) => tf.sum(tf.avgPool(q, 2, 1, "same")))(p), {
      inputSignature: [new tf.TensorSpec([2, 5, null, 1], "float32")],
      autograph: false,
    });
    expect(() => pooled(tf.ones([2, 5, 5, 1]))).toThrow(/gradient of avgPool: x has shape \[2,5,null,1\]/);
  });
});

describe("convolution gradients: backprop op validation", () => {
  it("rejects a dy whose shape the convolution cannot produce", () => {
    expect(() => tf.tidy(() => tf.conv2DBackpropInput([1, 5, 5, 2], tf.ones([1, 4, 4, 3]), tf.ones([3, 3, 2, 3]), 1, "same"))).toThrow(
      tf.ShapeError,
    );
    expect(() => tf.tidy(() => tf.conv2DBackpropInput([1, 5, 5, 2], tf.ones([1, 4, 4, 3]), tf.ones([3, 3, 2, 3]), 1, "same"))).toThrow(
      /conv2DBackpropInput: 'dy' has shape \[1,4,4,3\], but convolving an input of shape \[1,5,5,2\] with a filter of shape \[3,3,2,3\] gives \[1,5,5,3\]$/,
    );
    expect(() => tf.tidy(() => tf.conv2DBackpropFilter(tf.ones([1, 5, 5, 2]), tf.ones([1, 5, 5, 4]), [3, 3, 2, 3], 1, "same"))).toThrow(
      /'dy' has shape \[1,5,5,4\]/,
    );
    expect(() => tf.tidy(() => tf.avgPoolGrad(tf.ones([1, 3, 3, 1]), [1, 5, 5, 1], 2, 2, "valid"))).toThrow(tf.ShapeError);
    expect(() => tf.tidy(() => tf.avgPoolGrad(tf.ones([1, 3, 3, 1]), [1, 5, 5, 1], 2, 2, "valid"))).toThrow(
      /avgPoolGrad: 'dy' has shape \[1,3,3,1\], but average pooling an input of shape \[1,5,5,1\] gives \[1,2,2,1\]/,
    );
  });

  it("rejects malformed shape attrs, rank mismatches and bad dtypes", () => {
    expect(() => tf.tidy(() => tf.conv2DBackpropInput([1, 5, 2], tf.ones([1, 5, 5, 3]), tf.ones([3, 3, 2, 3]), 1, "same"))).toThrow(
      /'dy' must have the rank of inputSizes \[1,5,2\]/,
    );
    expect(() => tf.tidy(() => tf.conv2DBackpropInput([1, 5.5, 5, 2], tf.ones([1, 5, 5, 3]), tf.ones([3, 3, 2, 3]), 1, "same"))).toThrow(
      tf.ArgumentError,
    );
    expect(() => tf.tidy(() => tf.conv2DBackpropFilter(tf.ones([1, 5, 5, 2]), tf.ones([1, 5, 5, 3]), [3, 3, 2], 1, "same"))).toThrow(
      /'filterSizes' must be a shape/,
    );
    expect(() => tf.tidy(() => tf.maxPoolGrad(tf.ones([1, 2, 2, 1]), tf.ones([1, 4, 4, 1]), tf.ones([1, 3, 3, 1]), 2, 2, "valid"))).toThrow(
      /maxPoolGrad: 'y' has shape \[1,3,3,1\]/,
    );
    expect(() =>
      tf.tidy(() => tf.maxPoolGradGrad(tf.ones([1, 4, 3, 1]), tf.ones([1, 4, 4, 1]), tf.ones([1, 2, 2, 1]), 2, 2, "valid")),
    ).toThrow(/'grad' has shape \[1,4,3,1\]/);
    const ints = tf.tensor([1, 2, 3, 4], [1, 2, 2, 1], "int32");
    expect(() => tf.tidy(() => tf.avgPoolGrad(ints, [1, 2, 2, 1], 1, 1, "valid"))).toThrow(tf.DTypeError);
    expect(() => tf.tidy(() => tf.maxPoolGrad(tf.ones([1, 1, 1, 1]), ints, tf.ones([1, 1, 1, 1]), 2, 1, "valid"))).toThrow(tf.DTypeError);
    ints.dispose();
  });
});

describe("convolution gradients: every op of the family", () => {
  it("has a gradient rule or says it has none", () => {
    const ops = Object.values(convolution).filter(isOpDef);
    expect(ops.map((op) => op.name).sort()).toEqual([
      "AvgPool",
      "AvgPoolGrad",
      "Conv2D",
      "Conv2DBackpropFilter",
      "Conv2DBackpropInput",
      "DepthwiseConv2dNative",
      "DepthwiseConv2dNativeBackpropFilter",
      "DepthwiseConv2dNativeBackpropInput",
      "MaxPool",
      "MaxPoolGrad",
      "MaxPoolGradGrad",
    ]);
    for (const op of ops) {
      expect(typeof op.grad === "function" || op.grad === "none", `${op.name} has no grad decision`).toBe(true);
    }
  });
});
