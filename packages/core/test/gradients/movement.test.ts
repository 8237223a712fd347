import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu, noDifferentiate } from "../setup.js";
import { checkGradient, expectNoGradient, randomInput } from "./check.js";

useCpu();

// Gradient rules of the movement family (shape_ops, joining, slicing, gather): each checked
// against central finite differences and against the same gradient computed inside a traced
// function (checkGradient), plus traced functions whose inputs have unknown dims, where the
// rules take their run-time paths.

const x = (shape: number[], seed = 1) => randomInput(shape, seed);
const int = (values: number[], shape?: number[]) => tf.tensor(values, shape, "int32");

describe("movement gradients: shape ops", () => {
  it("reshape", () => {
    checkGradient((a) => tf.reshape(a, [3, 2]), [x([2, 3])]);
    checkGradient((a) => tf.reshape(a, [-1]), [x([2, 2, 3])]);
    checkGradient((a) => tf.reshape(a, []), [x([1, 1])]);
    checkGradient((a) => a.reshape([2, 1, 3]), [x([6])]);
  });

  it("transpose (default, explicit and negative perm)", () => {
    checkGradient((a) => tf.transpose(a), [x([2, 3])]);
    checkGradient((a) => tf.transpose(a, [2, 0, 1]), [x([2, 3, 4])]);
    checkGradient((a) => tf.transpose(a, [-1, 0, -2]), [x([2, 3, 4])]);
  });

  it("expandDims and squeeze", () => {
    checkGradient((a) => tf.expandDims(a, 0), [x([2, 3])]);
    checkGradient((a) => tf.expandDims(a, -1), [x([2, 3])]);
    checkGradient((a) => a.expandDims(1), [x([2, 3])]);
    checkGradient((a) => tf.squeeze(a), [x([1, 3, 1, 2])]);
    checkGradient((a) => tf.squeeze(a, [0, -2]), [x([1, 3, 1, 2])]);
    checkGradient((a) => tf.squeeze(a, 2), [x([1, 3, 1])]);
  });

  it("broadcastTo sums over the broadcast axes", () => {
    checkGradient((a) => tf.broadcastTo(a, [2, 3]), [x([3])]);
    checkGradient((a) => tf.broadcastTo(a, [4, 2, 5, 3]), [x([2, 1, 3])]);
    checkGradient((a) => tf.broadcastTo(a, [2, 2]), [x([])]);
    checkGradient((a) => tf.broadcastTo(a, [2, 3]), [x([2, 3])]);
    checkGradient((a) => tf.broadcastTo(a, [0, 3]), [x([1, 3])]);
  });

  it("tile sums the copies", () => {
    checkGradient((a) => tf.tile(a, [2, 3]), [x([2, 3])]);
    checkGradient((a) => tf.tile(a, [3]), [x([2])]);
    checkGradient((a) => tf.tile(a, [1, 2, 1]), [x([2, 1, 3])]);
    checkGradient((a) => tf.tile(a, [1, 1]), [x([2, 2])]);
    checkGradient((a) => tf.add(tf.sum(tf.tile(a, [0, 2])), a), [x([2, 2])]);
  });

  it("tile gradient values: each element gets the sum of its copies' gradients", () => {
    const a = tf.tensor([1, 2]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.tile(t, [3]), tf.tensor([1, 10, 100, 1000, 1e4, 1e5]))))(a);
    expect(Array.from(g.dataSync())).toEqual([10101, 101010]);
  });

  it("reverse", () => {
    checkGradient((a) => tf.reverse(a), [x([2, 3])]);
    checkGradient((a) => tf.reverse(a, 1), [x([2, 3, 2])]);
    checkGradient((a) => tf.reverse(a, [0, -1]), [x([2, 3, 2])]);
  });

  it("pad slices the input's box back out", () => {
    checkGradient(
      (a) =>
        tf.pad(a, [
          [1, 2],
          [0, 3],
        ]),
      [x([2, 3])],
    );
    checkGradient((a) => tf.pad(a, [[2, 0]], 5), [x([3])]);
    checkGradient((a) => tf.pad(a, []), [x([])]);
  });
});

describe("movement gradients: joining", () => {
  it("concat splits dy by the input sizes", () => {
    checkGradient((a, b, c) => tf.concat([a, b, c], 1), [x([2, 1], 1), x([2, 3], 2), x([2, 2], 3)]);
    checkGradient((a, b) => tf.concat([a, b], -1), [x([2, 2, 1], 1), x([2, 2, 3], 2)]);
    checkGradient((a) => tf.concat([a], 0), [x([3])]);
    checkGradient((a, b) => tf.concat([a, b, a]), [x([2, 2], 1), x([1, 2], 2)]);
    checkGradient((a, b) => a.concat(b, 0), [x([0, 2], 1), x([2, 2], 2)]);
  });

  it("stack unstacks dy", () => {
    checkGradient((a, b) => tf.stack([a, b]), [x([2, 3], 1), x([2, 3], 2)]);
    checkGradient((a, b, c) => tf.stack([a, b, c], 1), [x([2, 3], 1), x([2, 3], 2), x([2, 3], 3)]);
    checkGradient((a, b) => tf.stack([a, b], -1), [x([2], 1), x([2], 2)]);
  });

  it("unstack stacks the outputs' gradients, zeros where an output is unused", () => {
    checkGradient((a) => tf.add(tf.unstack(a)[0]!, tf.mul(tf.unstack(a)[2]!, tf.scalar(3))), [x([3, 2])]);
    checkGradient((a) => tf.unstack(a, 1)[1]!, [x([2, 3, 2])]);
    checkGradient((a) => tf.unstack(a, -1)[0]!, [x([2, 2])]);
  });

  it("split concatenates the parts' gradients, zeros where a part is unused", () => {
    checkGradient((a) => tf.split(a, [2, -1], 1)[1]!, [x([2, 5])]);
    checkGradient(
      (a) => {
        const [p, , r] = tf.split(a, 3);
        return tf.mul(p!, r!);
      },
      [x([6, 2])],
    );
    checkGradient((a) => tf.split(a, 2, -1)[0]!, [x([2, 4])]);
  });
});

describe("movement gradients: slicing", () => {
  it("slice pads dy back", () => {
    checkGradient((a) => tf.slice(a, [0, 1], [2, 2]), [x([3, 4])]);
    checkGradient((a) => tf.slice(a, [1], [-1]), [x([4])]);
    checkGradient((a) => tf.slice(a, 1), [x([3, 2])]);
    checkGradient((a) => tf.slice(a, [1, 0], [0, 2]), [x([3, 2])]);
  });

  it("stridedSlice: strides, negative strides, masks", () => {
    const s = tf.stridedSlice;
    checkGradient((a) => s(a, [0, 1], [0, 0], [1, 2], 1, 3), [x([4, 6])]);
    checkGradient((a) => s(a, [0, 0], [0, 0], [1, -1], 3, 3), [x([2, 3])]);
    checkGradient((a) => s(a, [5], [0], [-2]), [x([7])]);
    checkGradient((a) => s(a, [-1], [0], [-3], 0, 1), [x([8])]);
    checkGradient((a) => s(a, [1, -2], [3, -5], [1, -1]), [x([4, 6])]);
    checkGradient((a) => s(a, [1], [100], [3]), [x([9, 2])]);
    checkGradient((a) => s(a, [3], [1], [1]), [x([5])]); // empty: the gradient is all zeros
  });

  it("stridedSlice: shrink, new-axis and ellipsis masks", () => {
    const s = tf.stridedSlice;
    checkGradient((a) => s(a, [1], [2], [1], 0, 0, 0, 0, 1), [x([3, 4])]);
    checkGradient((a) => s(a, [0, -1], [0, 0], [1, 1], 0, 0, 1, 0, 2), [x([2, 3, 4])]);
    checkGradient((a) => s(a, [0, 0, 1], [0, 0, 3], [1, 1, 1], 1, 1, 0, 2, 0), [x([3, 4])]);
    checkGradient((a) => s(a, [0, 0, 0], [0, 0, 0], [1, 1, 2], 0, 0, 1, 2, 0), [x([2, 3, 5])]);
  });

  it("index (NumPy-style specs lower to StridedSlice)", () => {
    checkGradient((a) => tf.index(a, ":, ::2"), [x([3, 5])]);
    checkGradient((a) => tf.index(a, "::-1"), [x([4, 2])]);
    checkGradient((a) => tf.index(a, "..., 0"), [x([2, 3, 2])]);
    checkGradient((a) => tf.index(a, "1:3, None, ::-2"), [x([4, 5])]);
    checkGradient((a) => a.index("-1"), [x([3, 2])]);
    checkGradient((a) => a.index([{ start: 1 }, "...", null, -2]), [x([3, 2, 4])]);
  });

  it("stridedSlice gradient values: unread elements get exactly zero", () => {
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.index(t, "5:0:-2"), tf.tensor([1, 2, 3]))))(tf.zeros([7]));
    expect(Array.from(g.dataSync())).toEqual([0, 3, 0, 2, 0, 1, 0]);
  });
});

describe("movement gradients: gather and scatter", () => {
  it("gather scatter-adds dy, duplicates summed, indices get null", () => {
    checkGradient((a) => tf.gather(a, int([2, 0, 2])), [x([4, 2])]);
    checkGradient((a) => tf.gather(a, int([1, 0, 1, 1], [2, 2]), 1), [x([3, 2, 2])]);
    checkGradient((a) => tf.gather(a, int([0, 2]), -1), [x([2, 3])]);
    checkGradient((a) => tf.gather(a, int([], [0, 2]), 1), [x([2, 3])]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, int([1, 1, 0]))))(tf.zeros([3]));
    expect(Array.from(g.dataSync())).toEqual([1, 2, 0]);
  });

  it("gather with batchDims", () => {
    checkGradient((a) => tf.gather(a, int([2, 0, 1, 1], [2, 2]), 1, 1), [x([2, 3])]);
    checkGradient((a) => tf.gather(a, int([1, 0, 0, 2, 1, 1], [2, 3]), 2, 1), [x([2, 2, 3, 2])]);
    checkGradient((a) => tf.gather(a, int([0, 1, 1, 0], [2, 2, 1]), 2, 2), [x([2, 2, 2])]);
  });

  it("gatherNd scatters dy back at the index tuples", () => {
    checkGradient((a) => tf.gatherNd(a, int([1, 0, 0, 1, 1, 0], [3, 2])), [x([2, 2])]);
    checkGradient((a) => tf.gatherNd(a, int([1, 0, 1], [3, 1])), [x([2, 3])]);
  });

  it("scatterNd: updates get dy gathered at their indices", () => {
    checkGradient((u) => tf.scatterNd(int([1, 3, 1], [3, 1]), u, [4]), [x([3])]);
    checkGradient((u) => tf.scatterNd(int([0, 1, 1, 0], [2, 2]), u, [2, 2, 3]), [x([2, 3])]);
  });

  it("index inputs, int32 and bool tensors get no gradient", () => {
    const params = tf.tensor([1, 2, 3]);
    const indices = int([0, 2]);
    const tape = new tf.GradientTape({ persistent: true });
    const y = tape.record(() => {
      tape.watch([params, indices]);
      return tf.sum(tf.gather(params, indices));
    });
    const [gp, gi] = tape.gradient(y, [params, indices]);
    expect(Array.from(gp!.dataSync())).toEqual([1, 0, 1]);
    expect(gi).toBeNull();
    tape.dispose?.();
  });

  it("oneHot is not differentiable", () => {
    expect(tf.OneHot.grad).toBe("none");
    expectNoGradient((a) => tf.oneHot(tf.cast(a, "int32"), 3), [tf.tensor([0, 2])]);
  });
});

describe("movement gradients: memory", () => {
  it("eager rules free their intermediates (index constants, zero slices, transposes)", () => {
    const a = x([4, 6]);
    const i = int([1, 0, 1], [3]);
    const f = (t: tf.Tensor) => tf.add(tf.sum(tf.index(t, "::-1, 1::2")), tf.sum(tf.gather(tf.tile(tf.concat([t, t], 1), [2, 1]), i, 1)));
    // The forward pass's own intermediates stay (the caller owns them); the backward pass
    // must add nothing to them.
    const forward = () => tf.dispose(f(a));
    const backward = () => {
      const tape = new tf.GradientTape();
      const value = tape.record(() => {
        tape.watch(a);
        return f(a);
      });
      tf.dispose([value, ...tape.gradient(value, [a]).map((g) => g!)]);
    };
    const growth = (run: () => void) => {
      const before = tf.memory().numTensors;
      run();
      return tf.memory().numTensors - before;
    };
    expect(growth(backward)).toBe(growth(forward));
    tf.dispose([a, i]);
  });
});

/** Every rule of the family, called directly on int32 and bool inputs, returns null. */
describe("movement gradients: dtype rules", () => {
  const cases: [tf.AnyOpDef, (t: tf.Tensor) => tf.Tensor | tf.Tensor[]][] = [
    [tf.Reshape, (t) => tf.reshape(t, [-1])],
    [tf.Transpose, (t) => tf.transpose(t)],
    [tf.ExpandDims, (t) => tf.expandDims(t)],
    [tf.Squeeze, (t) => tf.squeeze(tf.expandDims(t))],
    [tf.BroadcastTo, (t) => tf.broadcastTo(t, [2, 2, 2])],
    [tf.Tile, (t) => tf.tile(t, [2, 1])],
    [tf.ReverseV2, (t) => tf.reverse(t)],
    [
      tf.PadV2,
      (t) =>
        tf.pad(t, [
          [1, 0],
          [0, 1],
        ]),
    ],
    [tf.ConcatV2, (t) => tf.concat([t, t])],
    [tf.Pack, (t) => tf.stack([t, t])],
    [tf.Unpack, (t) => tf.unstack(t)],
    [tf.SplitV, (t) => tf.split(t, 2)],
    [tf.Slice, (t) => tf.slice(t, [0, 1])],
    [tf.StridedSlice, (t) => tf.index(t, "::-1")],
    [tf.GatherV2, (t) => tf.gather(t, [1])],
    [tf.GatherNd, (t) => tf.gatherNd(t, [[0, 1]])],
  ];
  for (const dtype of ["int32", "bool"] as const) {
    for (const [op, f] of cases) {
      it(`${op.name} gives null for ${dtype} inputs`, () => {
        tf.tidy(() => {
          const t = tf.cast(
            tf.tensor([
              [1, 0],
              [0, 1],
            ]),
            dtype,
          );
          const out = f(t);
          const outputs = Array.isArray(out) ? out : [out];
          const inputs = op.inputs === "variadic" ? [t, t] : op.name.startsWith("Gather") ? [t, int([1])] : [t];
          const dys = outputs.map((o) => tf.onesLike(tf.cast(o, "float32")));
          const grads = (op.grad as tf.GradFn)({ inputs, outputs, dys, attrs: {} as never, differentiate: noDifferentiate });
          expect(grads.every((g) => g === null)).toBe(true);
        });
      });
    }
  }

  it("scatterNd gives null for int32 updates and always for indices", () => {
    tf.tidy(() => {
      const indices = int([0], [1, 1]);
      const updates = int([5]);
      const out = tf.scatterNd(indices, updates, [2]);
      expect((tf.ScatterNd.grad as tf.GradFn)({ inputs: [indices, updates], outputs: [out], dys: [tf.ones([2])], attrs: { shape: [2] }, differentiate: noDifferentiate })).toEqual([
        null,
        null,
      ]);
    });
  });

  it("every movement op has a gradient rule or is marked non-differentiable", () => {
    const family = [
      tf.Reshape,
      tf.Transpose,
      tf.ExpandDims,
      tf.Squeeze,
      tf.BroadcastTo,
      tf.Tile,
      tf.ReverseV2,
      tf.PadV2,
      tf.ConcatV2,
      tf.Pack,
      tf.Unpack,
      tf.SplitV,
      tf.Slice,
      tf.StridedSlice,
      tf.GatherV2,
      tf.GatherNd,
      tf.ScatterNd,
      tf.SetRow,
      tf.OneHot,
    ];
    const exported = Object.values(tf).filter(
      (v): v is tf.AnyOpDef =>
        typeof v === "object" && v !== null && (v as tf.AnyOpDef).family === "movement" && typeof (v as tf.AnyOpDef).infer === "function",
    );
    for (const op of exported) expect(family, `${op.name} is a movement op this test does not know`).toContain(op);
    for (const op of family) {
      expect(typeof op.grad === "function" || op.grad === "none", `${op.name} has no grad decision`).toBe(true);
    }
  });
});

/**
 * The gradient of `sum(f(...)^2)` inside a function traced with `signature` (dims may be
 * null), compared with the eager tape gradient (itself checked against finite differences
 * above). The loss is shape-agnostic so it traces with unknown dims.
 */
function expectTracedMatchesEager(f: (...xs: tf.Tensor[]) => tf.Tensor, signature: (number | null)[][], inputs: tf.Tensor[][]): void {
  const loss = (...xs: tf.Tensor[]) => tf.sum(tf.square(f(...xs)));
  const gradients = (...xs: tf.Tensor[]) => {
    const tape = new tf.GradientTape();
    const value = tape.record(() => {
      tape.watch(xs);
      return loss(...xs);
    });
    return tape.gradient(value, xs).map((g, k) => g ?? tf.zerosLike(xs[k]!));
  };
  const traced = tf.function(gradients, {
    inputSignature: signature.map((shape) => new tf.TensorSpec(shape, "float32")),
    autograph: false,
  });
  for (const args of inputs) {
    tf.tidy(() => {
      const eager = gradients(...args);
      const graph = traced(...args) as tf.Tensor[];
      graph.forEach((g, k) => {
        expect(g.shape, `gradient ${k} shape`).toEqual(args[k]!.shape);
        const want = Array.from(eager[k]!.dataSync());
        Array.from(g.dataSync()).forEach((v, j) => expect(v, `gradient ${k}[${j}]`).toBeCloseTo(want[j]!, 5));
      });
    });
  }
  expect(traced.tracingCount, "one trace serves every shape").toBe(1);
}

describe("movement gradients with unknown dims while tracing", () => {
  it("reshape: one unknown dim (-1) and several (run-time positions)", () => {
    expectTracedMatchesEager((a) => tf.reshape(a, [-1, 4]), [[null, 4]], [[x([3, 4])], [x([1, 4])]]);
    expectTracedMatchesEager((a) => tf.reshape(a, [-1]), [[null, null, 2]], [[x([2, 3, 2])], [x([3, 1, 2])], [x([0, 2, 2])]]);
    expectTracedMatchesEager((a) => tf.reshape(a, [-1, 3]), [[null, 3, null]], [[x([2, 3, 2])], [x([1, 3, 1])]]);
  });

  it("squeeze, expandDims, transpose, reverse", () => {
    expectTracedMatchesEager((a) => tf.squeeze(a, [1]), [[null, 1, null]], [[x([2, 1, 3])], [x([3, 1, 1])]]);
    expectTracedMatchesEager((a) => tf.transpose(tf.expandDims(a, 1), [2, 1, 0]), [[null, null]], [[x([2, 3])]]);
    expectTracedMatchesEager((a) => tf.reverse(a, 0), [[null, 2]], [[x([3, 2])]]);
  });

  it("broadcastTo: an unknown dim may be 1 (summed) or the target size (passed through)", () => {
    expectTracedMatchesEager((a) => tf.broadcastTo(a, [2, 4, 3]), [[null, 3]], [[x([1, 3])], [x([4, 3])]]);
    expectTracedMatchesEager((a) => tf.broadcastTo(a, [4, 3]), [[null, null]], [[x([1, 1])], [x([4, 1])], [x([4, 3])]]);
  });

  it("tile with one and with several unknown dims", () => {
    expectTracedMatchesEager((a) => tf.tile(a, [2, 3]), [[null, 2]], [[x([3, 2])]]);
    expectTracedMatchesEager((a) => tf.tile(a, [2, 1, 3]), [[null, 2, null]], [[x([3, 2, 2])], [x([1, 2, 3])]]);
  });

  it("pad", () => {
    expectTracedMatchesEager(
      (a) =>
        tf.pad(a, [
          [1, 2],
          [0, 1],
        ]),
      [[null, null]],
      [[x([2, 3])], [x([1, 1])]],
    );
  });

  it("concat with one and with several unknown sizes; stack, unstack and split", () => {
    expectTracedMatchesEager(
      (a, b) => tf.concat([a, b], 1),
      [
        [null, 2],
        [null, null],
      ],
      [[x([2, 2], 1), x([2, 3], 2)]],
    );
    expectTracedMatchesEager(
      (a, b, c) => tf.concat([a, b, c], 0),
      [
        [null, 2],
        [null, 2],
        [3, 2],
      ],
      [
        [x([1, 2], 1), x([2, 2], 2), x([3, 2], 3)],
        [x([0, 2], 1), x([4, 2], 2), x([3, 2], 3)],
      ],
    );
    expectTracedMatchesEager(
      (a, b) => tf.stack([a, b], 1),
      [
        [null, 3],
        [null, 3],
      ],
      [[x([2, 3], 1), x([2, 3], 2)]],
    );
    expectTracedMatchesEager((a) => tf.unstack(a, 1)[1]!, [[null, 3]], [[x([2, 3])]]);
    expectTracedMatchesEager((a) => tf.split(a, [1, -1], 0)[1]!, [[null, 2]], [[x([3, 2])], [x([1, 2])]]);
  });

  it("slice with an unknown dim, with and without a fixed size", () => {
    expectTracedMatchesEager((a) => tf.slice(a, [1, 0], [2, -1]), [[null, null]], [[x([4, 3])], [x([3, 1])]]);
    expectTracedMatchesEager((a) => tf.slice(a, [1, 1], [-1, 1]), [[null, 3]], [[x([4, 3])]]);
  });

  it("stridedSlice and index on unknown dims (reads resolved at run time)", () => {
    const cases: [string, (number | null)[], number[][]][] = [
      [
        "1:",
        [null, 2],
        [
          [4, 2],
          [1, 2],
        ],
      ],
      [
        ":-1, 1",
        [null, 3],
        [
          [4, 3],
          [1, 3],
        ],
      ],
      ["::2", [null], [[5], [6], [0]]],
      ["::-1", [null, 2], [[3, 2]]],
      [
        "-2::-3, ...",
        [null, 2],
        [
          [8, 2],
          [2, 2],
        ],
      ],
      ["1:-1:2", [null], [[7], [2]]],
      ["-1", [null, 2], [[3, 2]]],
      ["2", [null], [[5]]],
      ["None, :, 0", [null, null], [[2, 3]]],
      ["..., ::-2", [2, null], [[2, 5]]],
    ];
    for (const [spec, shape, calls] of cases) {
      expectTracedMatchesEager(
        (a) => tf.index(a, spec),
        [shape],
        calls.map((s) => [x(s)]),
      );
    }
  });

  it("gather and gatherNd with unknown indices dims; scatterNd", () => {
    expectTracedMatchesEager((a) => tf.gather(a, int([2, 0, 2]), 1), [[3, 4]], [[x([3, 4])]]);
    const gatherBatched = tf.function(
      (p: tf.Tensor, i: tf.Tensor) => {
        const tape = new tf.GradientTape();
        const v = tape.record(() => {
          tape.watch(p);
          return tf.sum(tf.square(tf.gather(p, i, 1, 1)));
        });
        return tape.gradient(v, [p])[0]!;
      },
      { inputSignature: [new tf.TensorSpec([2, 3], "float32"), new tf.TensorSpec([2, null], "int32")], autograph: false },
    );
    const p = x([2, 3]);
    const i = int([0, 0, 2, 1, 1, 1], [2, 3]);
    const eager = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, i, 1, 1))))(p);
    expect(Array.from((gatherBatched(p, i) as tf.Tensor).dataSync())).toEqual(Array.from(eager.dataSync()));
  });

  it("D4: a gather gradient into params with unknown dims scatters into tf.shape(params) at run time", () => {
    const f = tf.function(
      (p: tf.Tensor) => {
        const tape = new tf.GradientTape();
        const v = tape.record(() => {
          tape.watch(p);
          return tf.sum(tf.gather(p, [0]));
        });
        return tape.gradient(v, [p])[0]!;
      },
      { inputSignature: [new tf.TensorSpec([null, 2], "float32")], autograph: false },
    );
    const dx = f(x([3, 2])) as tf.Tensor;
    expect(dx.arraySync()).toEqual([
      [1, 1],
      [0, 0],
      [0, 0],
    ]);
    dx.dispose();
  });
});
