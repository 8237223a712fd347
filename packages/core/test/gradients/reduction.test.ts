import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import * as nnOps from "../../src/ops/nn.js";
import { isOpDef } from "../../src/ops/op_list.js";
import * as reductionOps from "../../src/ops/reduction.js";
import { useCpu, noDifferentiate } from "../setup.js";
import { checkGradient, expectNoGradient, randomInput } from "./check.js";

useCpu();

type Axis = number | number[] | null;

/**
 * Distinct values at least 0.1 apart in random order, so a finite-difference step never
 * changes which element is the max/min or in the top k.
 */
function distinctInput(shape: number[], seed: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const keys = Array.from(randomInput([size], seed).dataSync());
  const order = keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
  const values = new Array<number>(size);
  order.forEach((at, rank) => (values[at] = (rank - size / 2) * 0.1));
  return tf.tensor(values, shape);
}

/** The gradient of `sum(f(x) * dy)` (or of `f(x)` itself when it is a scalar and `dy` is omitted), as nested arrays. */
function gradOf(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, dy?: tf.Tensor): unknown {
  return tf.tidy(() => {
    const tape = new tf.GradientTape();
    const y = tape.record(() => {
      tape.watch(x);
      return f(x);
    });
    const [g] = tape.gradient(y, [x], dy);
    return g === null ? null : g!.arraySync();
  });
}

/** Axis arguments every reduction is checked with: all axes, one, negative, several, none. */
const AXIS_CASES: { shape: number[]; axis: Axis; keepDims: boolean }[] = [
  { shape: [2, 3, 4], axis: null, keepDims: false },
  { shape: [2, 3, 4], axis: null, keepDims: true },
  { shape: [2, 3, 4], axis: 1, keepDims: false },
  { shape: [2, 3, 4], axis: 1, keepDims: true },
  { shape: [2, 3, 4], axis: -1, keepDims: false },
  { shape: [2, 3, 4], axis: [0, 2], keepDims: false },
  { shape: [2, 3, 4], axis: [-3, -1], keepDims: true },
  { shape: [4, 1, 3], axis: 1, keepDims: true },
  { shape: [5], axis: 0, keepDims: false },
  { shape: [], axis: null, keepDims: false },
  { shape: [3, 2], axis: [], keepDims: false },
];

describe("reduction gradients: every op has a rule or is marked non-differentiable", () => {
  it("walks the reduction and nn op defs", () => {
    const defs = [...Object.values(reductionOps), ...Object.values(nnOps)].filter(isOpDef);
    expect(defs.map((d) => d.name).sort()).toEqual(
      ["All", "Any", "ArgMax", "ArgMin", "Cumsum", "Max", "Mean", "Min", "Prod", "Sum", "TopKV2"].sort(),
    );
    for (const def of defs) {
      expect(typeof def.grad === "function" || def.grad === "none", `${def.name}: a rule or "none"`).toBe(true);
    }
    expect(
      defs
        .filter((d) => d.grad === "none")
        .map((d) => d.name)
        .sort(),
    ).toEqual(["All", "Any", "ArgMax", "ArgMin"]);
  });
});

describe("sum / mean gradients", () => {
  it.each(AXIS_CASES)("sum: $shape $axis $keepDims", (c) => {
    checkGradient((x) => tf.sum(x, c.axis, c.keepDims), [randomInput(c.shape, 11)]);
  });

  it.each(AXIS_CASES)("mean: $shape $axis $keepDims", (c) => {
    checkGradient((x) => tf.mean(x, c.axis, c.keepDims), [randomInput(c.shape, 12)]);
  });

  it("hand-computed: sum broadcasts dy back, mean divides it by the count", () => {
    const x = tf.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const dy = tf.tensor([10, 20]);
    expect(gradOf((t) => tf.sum(t, 1), x, dy)).toEqual([
      [10, 10, 10],
      [20, 20, 20],
    ]);
    expect(gradOf((t) => tf.mean(t, -1), x, dy)).toEqual(
      [
        [10 / 3, 10 / 3, 10 / 3],
        [20 / 3, 20 / 3, 20 / 3],
      ].map((r) => r.map(Math.fround)),
    );
    expect(gradOf((t) => tf.mean(t), x)).toEqual(
      [
        [1 / 6, 1 / 6, 1 / 6],
        [1 / 6, 1 / 6, 1 / 6],
      ].map((r) => r.map(Math.fround)),
    );
    expect(gradOf((t) => tf.sum(t, 0, true), x, tf.tensor([[1, 2, 3]]))).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });

  it("an empty input gets an empty gradient", () => {
    const x = tf.zeros([0, 3]);
    expect(gradOf((t) => tf.sum(t), x)).toEqual([]);
    expect(gradOf((t) => tf.mean(t, 0), x, tf.ones([3]))).toEqual([]);
  });
});

describe("max / min gradients", () => {
  it.each(AXIS_CASES)("max: $shape $axis $keepDims", (c) => {
    checkGradient((x) => tf.max(x, c.axis, c.keepDims), [distinctInput(c.shape, 21)]);
  });

  it.each(AXIS_CASES)("min: $shape $axis $keepDims", (c) => {
    checkGradient((x) => tf.min(x, c.axis, c.keepDims), [distinctInput(c.shape, 22)]);
  });

  it("ties split the gradient evenly (TF's rule)", () => {
    const x = tf.tensor([
      [1, 3, 3, 2],
      [5, 5, 5, 0],
    ]);
    expect(gradOf((t) => tf.max(t, 1), x, tf.tensor([6, 3]))).toEqual([
      [0, 3, 3, 0],
      [1, 1, 1, 0],
    ]);
    expect(gradOf((t) => tf.min(t, -1, true), tf.tensor([[2, 2, 4]]), tf.tensor([[1]]))).toEqual([[0.5, 0.5, 0]]);
    expect(gradOf((t) => tf.max(t), tf.tensor([7, 7, 7, 7]))).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it("a NaN result gives NaN gradients to its group, as in TF", () => {
    const g = gradOf(
      (t) => tf.max(t, 1),
      tf.tensor([
        [1, NaN],
        [1, 2],
      ]),
      tf.tensor([1, 1]),
    ) as number[][];
    expect(g[0]!.every(Number.isNaN)).toBe(true);
    expect(g[1]).toEqual([0, 1]);
  });
});

describe("prod gradients", () => {
  it.each(AXIS_CASES)("prod: $shape $axis $keepDims", (c) => {
    checkGradient((x) => tf.prod(x, c.axis, c.keepDims), [randomInput(c.shape, 31, 0.5, 1.5)]);
  });

  it("negative factors", () => {
    checkGradient((x) => tf.prod(x, -1), [randomInput([3, 4], 32, -1.5, -0.5)]);
  });

  it("zeros: the gradient is the product of the others (one zero, two zeros, none)", () => {
    // Prod is linear in each element, so central differences are exact even at 0.
    const x = tf.tensor([
      [2, 0, 3, 0.5],
      [0, 2, 0, 1.5],
      [1.5, -2, 0.5, 3],
    ]);
    checkGradient((t) => tf.prod(t, 1), [x]);
    checkGradient((t) => tf.prod(t, 0, true), [x]);
    expect(gradOf((t) => tf.prod(t, 1), x, tf.ones([3]))).toEqual([
      [0, 3, 0, 0],
      [0, 0, 0, 0],
      [-3, 2.25, -9, -1.5],
    ]);
    expect(gradOf((t) => tf.prod(t), tf.tensor([0]))).toEqual([1]);
    expect(gradOf((t) => tf.prod(t), tf.tensor([0, 0]))).toEqual([0, 0]);
  });
});

describe("cumsum gradients", () => {
  const flags = [
    { exclusive: false, reverse: false },
    { exclusive: true, reverse: false },
    { exclusive: false, reverse: true },
    { exclusive: true, reverse: true },
  ];

  it.each(flags)("exclusive $exclusive reverse $reverse, axes 0, 1, -1", ({ exclusive, reverse }) => {
    for (const axis of [0, 1, -1]) checkGradient((x) => tf.cumsum(x, axis, exclusive, reverse), [randomInput([3, 4, 2], 41)]);
    checkGradient((x) => tf.cumsum(x, 0, exclusive, reverse), [randomInput([5], 42)]);
  });

  it("hand-computed: each element's gradient counts the running sums it went into", () => {
    const x = tf.tensor([1, 2, 3]);
    const ones = tf.ones([3]);
    expect(gradOf((t) => tf.cumsum(t), x, ones)).toEqual([3, 2, 1]);
    expect(gradOf((t) => tf.cumsum(t, 0, true), x, ones)).toEqual([2, 1, 0]);
    expect(gradOf((t) => tf.cumsum(t, 0, false, true), x, ones)).toEqual([1, 2, 3]);
    expect(gradOf((t) => tf.cumsum(t, 0, true, true), x, ones)).toEqual([0, 1, 2]);
    expect(gradOf((t) => tf.cumsum(t), x, tf.tensor([1, 10, 100]))).toEqual([111, 110, 100]);
  });
});

describe("topK gradients", () => {
  it.each([
    { shape: [5], k: 1 },
    { shape: [5], k: 5 },
    { shape: [3, 6], k: 3 },
    { shape: [2, 3, 5], k: 2 },
  ])("values: shape $shape k $k", ({ shape, k }) => {
    checkGradient((x) => tf.topK(x, k).values, [distinctInput(shape, 51)]);
  });

  it("hand-computed: the values' gradient goes back to the chosen positions", () => {
    const x = tf.tensor([
      [1, 4, 2, 3],
      [9, 8, 7, 6],
    ]);
    expect(
      gradOf(
        (t) => tf.topK(t, 2).values,
        x,
        tf.tensor([
          [10, 20],
          [30, 40],
        ]),
      ),
    ).toEqual([
      [0, 10, 0, 20],
      [30, 40, 0, 0],
    ]);
    expect(gradOf((t) => tf.topK(t, 0).values, x, tf.zeros([2, 0]))).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it("the indices output carries no gradient", () => {
    expectNoGradient((x) => tf.topK(x, 2).indices, [distinctInput([3, 4], 52)]);
    // Both outputs used: only the values contribute.
    const g = gradOf(
      (t) => {
        const { values, indices } = tf.topK(t, 1);
        return tf.add(tf.sum(values), tf.sum(tf.cast(indices, "float32")));
      },
      tf.tensor([1, 3, 2]),
    );
    expect(g).toEqual([0, 1, 0]);
  });
});

describe("composites: logSumExp, softmax, logSoftmax differentiate through their parts", () => {
  it.each(AXIS_CASES.filter((c) => c.shape.length > 0))("logSumExp: $shape $axis $keepDims", (c) => {
    checkGradient((x) => tf.logSumExp(x, c.axis, c.keepDims), [distinctInput(c.shape, 61)]);
  });

  it("logSumExp of large inputs stays finite (the stabilizing shift has zero net gradient)", () => {
    const g = gradOf((t) => tf.logSumExp(t), tf.tensor([1000, 1000])) as number[];
    expect(g[0]).toBeCloseTo(0.5, 6);
    expect(g[1]).toBeCloseTo(0.5, 6);
  });

  it.each([
    { shape: [5], axis: -1 },
    { shape: [3, 4], axis: -1 },
    { shape: [3, 4], axis: 0 },
    { shape: [2, 3, 4], axis: 1 },
  ])("softmax and logSoftmax: shape $shape axis $axis", ({ shape, axis }) => {
    checkGradient((x) => tf.softmax(x, axis), [randomInput(shape, 62, -2, 2)]);
    checkGradient((x) => tf.logSoftmax(x, axis), [randomInput(shape, 63, -2, 2)]);
  });

  it("softmax: the gradient of a sum of probabilities is 0", () => {
    const g = gradOf((t) => tf.sum(tf.softmax(t)), tf.tensor([0.5, -1, 2])) as number[];
    for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-6);
  });
});

describe("non-differentiable reductions and integer inputs", () => {
  it("argMax / argMin record no gradient", () => {
    expectNoGradient((x) => tf.argMax(x, 1), [distinctInput([3, 4], 71)]);
    expectNoGradient((x) => tf.argMin(x, 0), [distinctInput([3, 4], 72)]);
  });

  it("all / any record no gradient", () => {
    expectNoGradient((x) => tf.all(tf.greater(x, 0), 1), [randomInput([3, 4], 73)]);
    expectNoGradient((x) => tf.any(tf.greater(x, 0)), [randomInput([3, 4], 74)]);
  });

  it("rules return null for int32 and bool inputs", () => {
    const attrs = { axis: [0], keepDims: false };
    const rules: [tf.AnyOpDef, object][] = [
      [tf.Sum, attrs],
      [tf.Mean, attrs],
      [tf.Max, attrs],
      [tf.Min, attrs],
      [tf.Prod, attrs],
      [tf.Cumsum, { axis: 0, exclusive: false, reverse: false }],
      [tf.TopKV2, { k: 1, sorted: true }],
    ];
    for (const dtype of ["int32", "bool"] as const) {
      for (const [op, opAttrs] of rules) {
        const x = tf.tensor([1, 0, 1], [3], dtype);
        const outputs = tf.bind(op, [x], opAttrs);
        const dys = outputs.map((o) => tf.onesLike(tf.cast(o, "float32")));
        expect((op.grad as tf.GradFn)({ inputs: [x], outputs, dys, attrs: opAttrs, differentiate: noDifferentiate }), `${op.name} ${dtype}`).toEqual([null]);
        tf.dispose([x, ...outputs, ...dys]);
      }
    }
  });

  it("through the tape: a watched int32 tensor gets null", () => {
    for (const f of [
      (t: tf.Tensor) => tf.mean(t),
      (t: tf.Tensor) => tf.sum(t),
      (t: tf.Tensor) => tf.max(t),
      (t: tf.Tensor) => tf.prod(t),
    ]) {
      const x = tf.tensor([1, 2, 3], [3], "int32");
      expect(gradOf(f, x)).toBeNull();
      x.dispose();
    }
  });
});

describe("reduction gradients with unknown dims (traced with relaxed shapes)", () => {
  const ops: [string, (x: tf.Tensor) => tf.Tensor, (shape: number[], seed: number) => tf.Tensor][] = [
    ["sum axis 1", (x) => tf.sum(x, 1), randomInput],
    ["sum all keepDims", (x) => tf.sum(x, null, true), randomInput],
    ["mean axis -1", (x) => tf.mean(x, -1), randomInput],
    ["mean all", (x) => tf.mean(x), randomInput],
    ["mean axis 0 keepDims", (x) => tf.mean(x, 0, true), randomInput],
    ["max axis 1", (x) => tf.max(x, 1), distinctInput],
    ["min all", (x) => tf.min(x), distinctInput],
    ["prod axis 0", (x) => tf.prod(x, 0), (s, seed) => randomInput(s, seed, 0.5, 1.5)],
    ["cumsum reverse", (x) => tf.cumsum(x, 1, false, true), randomInput],
    ["topK values", (x) => tf.topK(x, 2).values, distinctInput],
    ["logSumExp axis 1", (x) => tf.logSumExp(x, 1), randomInput],
    ["softmax", (x) => tf.softmax(x), randomInput],
  ];

  it.each(ops)("%s: [null, null] and [null, 4] signatures agree with eager", (_, f, make) => {
    const x = make([3, 4], 81);
    // exp before and square after make the gradients differ per element (exp keeps the order of the values).
    const loss = (t: tf.Tensor) => tf.sum(tf.square(f(tf.exp(t))));
    const eager = gradOf(loss, x);
    for (const spec of [
      [null, null],
      [null, 4],
    ] as const) {
      const traced = tf.function(
        (t: tf.Tensor) => {
          const tape = new tf.GradientTape();
          const y = tape.record(() => {
            tape.watch(t);
            return loss(t);
          });
          return tape.gradient(y, [t])[0]!;
        },
        { inputSignature: [new tf.TensorSpec([...spec])], autograph: false },
      );
      const got = traced(x) as tf.Tensor;
      expect(got.shape).toEqual([3, 4]);
      const a = got.arraySync() as number[][];
      const b = eager as number[][];
      a.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(b[i]![j]!, 5)));
      got.dispose();
    }
    x.dispose();
  });
});
