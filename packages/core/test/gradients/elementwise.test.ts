import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import * as binaryOps from "../../src/ops/binary.js";
import * as selectionOps from "../../src/ops/selection.js";
import * as unaryOps from "../../src/ops/unary.js";
import { useCpu } from "../setup.js";
import { checkGradient, expectNoGradient, randomInput } from "./check.js";

useCpu();

/** Moves every element at least `margin` away from each kink, so finite differences never straddle one. */
function avoid(x: tf.Tensor, kinks: number[], margin = 0.1): tf.Tensor {
  const values = Array.from(x.dataSync()).map((v) => {
    for (const k of kinks) if (Math.abs(v - k) < margin) return v < k ? k - margin : k + margin;
    return v;
  });
  return tf.tensor(values, x.shape as number[]);
}

/** Magnitudes in [lo, hi) with alternating signs: both signs, never near 0. */
function signed(shape: number[], seed: number, lo: number, hi: number): tf.Tensor {
  const values = Array.from(randomInput(shape, seed, lo, hi).dataSync()).map((v, i) => (i % 2 === 0 ? v : -v));
  return tf.tensor(values, shape);
}

/** Tape gradients of `f` at `xs` for the output gradient `dy` (default ones), for hand-computed expectations. */
function grads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor): (tf.Tensor | null)[] {
  const tape = new tf.GradientTape();
  const y = tape.record(() => {
    tape.watch(xs);
    return f(...xs);
  });
  return tape.gradient(y, xs, dy ?? tf.onesLike(y));
}

const values = (t: tf.Tensor | null) => (t === null ? null : Array.from(t.dataSync()));

type Unary = (x: tf.Tensor) => tf.Tensor;
/** [name, op, input maker]: ranges keep away from kinks (relu at 0) and domain edges (log near 0). */
const UNARY: [string, Unary, (shape: number[], seed: number) => tf.Tensor][] = [
  ["neg", tf.neg, (s, k) => randomInput(s, k, -2, 2)],
  ["abs", tf.abs, (s, k) => signed(s, k, 0.1, 2)],
  ["square", tf.square, (s, k) => randomInput(s, k, -2, 2)],
  ["exp", tf.exp, (s, k) => randomInput(s, k, -2, 2)],
  ["expm1", tf.expm1, (s, k) => randomInput(s, k, -2, 2)],
  ["log", tf.log, (s, k) => randomInput(s, k, 0.5, 3)],
  ["log1p", tf.log1p, (s, k) => randomInput(s, k, -0.5, 2)],
  ["sqrt", tf.sqrt, (s, k) => randomInput(s, k, 0.5, 3)],
  ["rsqrt", tf.rsqrt, (s, k) => randomInput(s, k, 0.5, 3)],
  ["reciprocal", tf.reciprocal, (s, k) => signed(s, k, 0.5, 2)],
  ["sin", tf.sin, (s, k) => randomInput(s, k, -3, 3)],
  ["cos", tf.cos, (s, k) => randomInput(s, k, -3, 3)],
  ["tanh", tf.tanh, (s, k) => randomInput(s, k, -2, 2)],
  ["sigmoid", tf.sigmoid, (s, k) => randomInput(s, k, -3, 3)],
  ["relu", tf.relu, (s, k) => signed(s, k, 0.1, 2)],
  ["relu6", tf.relu6, (s, k) => avoid(randomInput(s, k, -3, 9), [0, 6])],
  ["elu", tf.elu, (s, k) => signed(s, k, 0.1, 2)],
  ["selu", tf.selu, (s, k) => signed(s, k, 0.1, 2)],
  ["gelu (erf)", (x) => tf.gelu(x), (s, k) => randomInput(s, k, -3, 3)],
  ["gelu (tanh)", (x) => tf.gelu(x, true), (s, k) => randomInput(s, k, -3, 3)],
  ["softplus", tf.softplus, (s, k) => randomInput(s, k, -3, 3)],
  ["erf", tf.erf, (s, k) => randomInput(s, k, -2, 2)],
];

describe("elementwise gradients: unary ops", () => {
  it.each(UNARY)("%s matches finite differences, eagerly and traced, at shapes [2,3], [4] and []", (_name, op, make) => {
    tf.tidy(() => {
      [[2, 3], [4], []].forEach((shape, i) => checkGradient(op, [make(shape, 11 + i)]));
    });
  });

  it("hand-computed values: relu passes dy only where x > 0 (0 at the kink), abs is sign(x) * dy", () => {
    tf.tidy(() => {
      const x = tf.tensor([-1, 0, 2]);
      const dy = tf.tensor([5, 6, 7]);
      expect(values(grads(tf.relu, [x], dy)[0]!)).toEqual([0, 0, 7]);
      expect(values(grads(tf.relu6, [tf.tensor([-1, 0, 3, 6, 7])], tf.ones([5]))[0]!)).toEqual([0, 0, 1, 0, 0]);
      expect(values(grads(tf.abs, [x], dy)[0]!)).toEqual([-5, 0, 7]);
      // A select, not a multiply: an infinite dy at a clipped element does not become NaN.
      expect(values(grads(tf.relu, [tf.tensor([-1, 1])], tf.tensor([Infinity, 2]))[0]!)).toEqual([0, 2]);
    });
  });

  it("the ops accepting int32 (neg, abs, square, relu, relu6) give int32 inputs no gradient", () => {
    tf.tidy(() => {
      for (const op of [tf.neg, tf.abs, tf.square, tf.relu, tf.relu6]) {
        const x = tf.tensor([-2, 3], [2], "int32");
        expect(grads(op, [x])[0]).toBeNull();
      }
    });
  });
});

type Binary = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
/** Shape pairs covering every broadcasting corner: equal, trailing, size-1 on both sides, scalar, missing leading dims. */
const SHAPES: [number[], number[]][] = [
  [
    [2, 3],
    [2, 3],
  ],
  [[2, 3], [3]],
  [[3], [2, 3]],
  [
    [2, 1],
    [1, 3],
  ],
  [[], [2, 3]],
  [[2, 3], []],
  [
    [2, 1, 2],
    [3, 1],
  ],
];
/** [name, op, a maker, b maker]. */
const BINARY: [string, Binary, (shape: number[], seed: number) => tf.Tensor, (shape: number[], seed: number) => tf.Tensor][] = [
  ["add", tf.add, (s, k) => randomInput(s, k, -2, 2), (s, k) => randomInput(s, k, -2, 2)],
  ["sub", tf.sub, (s, k) => randomInput(s, k, -2, 2), (s, k) => randomInput(s, k, -2, 2)],
  ["mul", tf.mul, (s, k) => randomInput(s, k, -2, 2), (s, k) => randomInput(s, k, -2, 2)],
  ["div", tf.div, (s, k) => randomInput(s, k, -2, 2), (s, k) => signed(s, k, 0.5, 2)],
  ["pow", tf.pow, (s, k) => randomInput(s, k, 0.5, 2), (s, k) => randomInput(s, k, -2, 2)],
  ["squaredDifference", tf.squaredDifference, (s, k) => randomInput(s, k, -2, 2), (s, k) => randomInput(s, k, -2, 2)],
  ["atan2", tf.atan2, (s, k) => signed(s, k, 0.3, 2), (s, k) => signed(s, k, 0.3, 2)],
  // Even and odd multiples of 0.1: the operands differ by at least 0.1, so no tie is near.
  ["maximum", tf.maximum, (s, k) => grid(s, k, 0), (s, k) => grid(s, k, 0.1)],
  ["minimum", tf.minimum, (s, k) => grid(s, k, 0), (s, k) => grid(s, k, 0.1)],
];

/** Multiples of 0.2 in [-2, 2], shifted by `offset`. */
function grid(shape: number[], seed: number, offset: number): tf.Tensor {
  const raw = Array.from(randomInput(shape, seed, -10, 10).dataSync());
  return tf.tensor(
    raw.map((v) => Math.round(v) * 0.2 + offset),
    shape,
  );
}

describe("elementwise gradients: binary ops", () => {
  it.each(BINARY)("%s matches finite differences on every broadcasting corner, eagerly and traced", (_name, op, makeA, makeB) => {
    tf.tidy(() => {
      SHAPES.forEach(([sa, sb], i) => checkGradient(op, [makeA(sa, 21 + i), makeB(sb, 41 + i)]));
    });
  });

  it("mod (FloorMod): da = dy, db = -floor(a / b) * dy, with broadcasting", () => {
    tf.tidy(() => {
      const b = tf.tensor([1.3, -1.7, 1.9]);
      const q = tf.tensor([
        [0.3, -1.6, 2.4],
        [-2.7, 1.45, 0.6],
      ]);
      const a = tf.mul(q, b); // a / b = q, never near a whole number
      checkGradient(tf.mod, [a, b]);
      checkGradient(tf.mod, [tf.tensor([[1.3], [-2.45]]), tf.tensor([[0.7, -1.1, 1.9]])]);
      const [da, db] = grads(tf.mod, [tf.tensor([7.5, -7.5]), tf.scalar(2)]);
      expect(values(da!)).toEqual([1, 1]);
      expect(values(db!)).toEqual([-3 + 4]); // -floor(3.75) - floor(-3.75) = -3 + 4
    });
  });

  it("maximum/minimum send a tie to the first operand, never splitting or doubling dy", () => {
    tf.tidy(() => {
      const a = tf.tensor([1, 2, 3]);
      const b = tf.tensor([1, 5, 0]);
      const [ma, mb] = grads(tf.maximum, [a, b]);
      expect(values(ma!)).toEqual([1, 0, 1]);
      expect(values(mb!)).toEqual([0, 1, 0]);
      const [na, nb] = grads(tf.minimum, [a, b]);
      expect(values(na!)).toEqual([1, 1, 0]);
      expect(values(nb!)).toEqual([0, 0, 1]);
      // A broadcast scalar collects dy from every element it won.
      const [, sb] = grads(tf.maximum, [tf.tensor([1, 4, -2]), tf.scalar(2)]);
      expect(values(sb!)).toEqual([2]);
    });
  });

  it("pow: the exponent gradient is log(a) * a^b where a > 0 and 0 (not NaN) elsewhere", () => {
    tf.tidy(() => {
      const [da, db] = grads(tf.pow, [tf.tensor([-2, 0, 2]), tf.tensor([2, 2, 3])]);
      expect(values(da!)).toEqual([-4, 0, 12]);
      const got = values(db!)!;
      expect(got.slice(0, 2)).toEqual([0, 0]);
      expect(got[2]).toBeCloseTo(8 * Math.log(2), 5);
    });
  });

  it("div: 1 / b and -a / b^2, summed over a broadcast divisor", () => {
    tf.tidy(() => {
      const [da, db] = grads(tf.div, [
        tf.tensor([
          [1, 2],
          [3, 4],
        ]),
        tf.tensor([2, 4]),
      ]);
      expect(values(da!)).toEqual([0.5, 0.25, 0.5, 0.25]);
      expect(values(db!)).toEqual([-(1 + 3) / 4, -(2 + 4) / 16]);
    });
  });

  it("int32 operands get no gradient for either input", () => {
    tf.tidy(() => {
      const ops: Binary[] = [tf.add, tf.sub, tf.mul, tf.mod, tf.pow, tf.maximum, tf.minimum, tf.squaredDifference];
      for (const op of ops) {
        const g = grads(op, [tf.tensor([3, 4], [2], "int32"), tf.tensor([2], [1], "int32")]);
        expect(g).toEqual([null, null]);
      }
    });
  });
});

describe("elementwise gradients: where, cast, clipByValue", () => {
  it("where sends dy to a where the condition holds and to b elsewhere, unbroadcast; the condition gets null", () => {
    tf.tidy(() => {
      const cases: [boolean[], number[], number[], number[]][] = [
        [
          [true, false, true, false, false, true],
          [2, 3],
          [2, 3],
          [2, 3],
        ],
        [[true, false, true, false, false, true], [2, 3], [3], []],
        [[true, false, true], [3], [2, 1], [2, 3]],
        [[false, true], [2, 1], [], [1, 3]],
      ];
      cases.forEach(([flags, cs, sa, sb], i) => {
        const cond = tf.tensor(flags, cs, "bool");
        checkGradient((a, b) => tf.where(cond, a, b), [randomInput(sa, 61 + i), randomInput(sb, 71 + i)]);
      });
      const cond = tf.tensor([true, false, true], [3], "bool");
      const [dc, da, db] = grads(
        (c, a, b) => tf.where(c, a, b),
        [
          cond,
          tf.tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]),
          tf.scalar(0),
        ],
      );
      expect(dc).toBeNull();
      expect(values(da!)).toEqual([1, 0, 1, 1, 0, 1]);
      expect(values(db!)).toEqual([2]);
      const [, ia, ib] = grads((c, a, b) => tf.where(c, a, b), [cond, tf.tensor([1, 2, 3], [3], "int32"), tf.scalar(0, "int32")]);
      expect([ia, ib]).toEqual([null, null]);
    });
  });

  it("cast passes dy between float32 tensors and gives null to and from int32 and bool", () => {
    tf.tidy(() => {
      checkGradient((x) => tf.mul(tf.cast(x, "float32"), x), [randomInput([2, 3], 81)]);
      const x = tf.tensor([1.5, -2.5]);
      // float -> int32/bool is piecewise constant: no gradient, even with an explicit output gradient.
      expect(grads((t) => tf.cast(t, "int32"), [x], tf.tensor([1, 1], [2], "int32"))[0]).toBeNull();
      expect(grads((t) => tf.cast(t, "bool"), [x], tf.tensor([true, true], [2], "bool"))[0]).toBeNull();
      // int32/bool -> float: the integer input carries no gradient.
      expect(grads((t) => tf.cast(t, "float32"), [tf.tensor([1, 2], [2], "int32")])[0]).toBeNull();
      expect(grads((t) => tf.cast(t, "float32"), [tf.tensor([true, false], [2], "bool")])[0]).toBeNull();
      // A round trip through int32 disconnects the source.
      expectNoGradient((t) => tf.cast(tf.cast(t, "int32"), "float32"), [x]);
    });
  });

  it("clipByValue passes dy where min <= x <= max, at every rank", () => {
    tf.tidy(() => {
      for (const shape of [[2, 3], [5], []]) {
        checkGradient((x) => tf.clipByValue(x, -1, 1.5), [avoid(randomInput(shape, 91, -3, 3), [-1, 1.5])]);
      }
      const [dx] = grads((x) => tf.clipByValue(x, 0, 1), [tf.tensor([-1, 0, 0.5, 1, 2])]);
      expect(values(dx!)).toEqual([0, 1, 1, 1, 0]);
      expect(grads((x) => tf.clipByValue(x, 0, 1), [tf.tensor([-1, 2], [2], "int32")])[0]).toBeNull();
    });
  });
});

describe("elementwise gradients: non-differentiable ops", () => {
  const x = () => tf.tensor([-1.7, 0.4, 2.5]);
  const b = () => tf.tensor([true, false, true], [3], "bool");
  const cases: [string, () => void][] = [
    ["floor, ceil, round, sign", () => [tf.floor, tf.ceil, tf.round, tf.sign].forEach((op) => expectNoGradient(op, [x()]))],
    ["isNaN, isFinite", () => [tf.isNaN, tf.isFinite].forEach((op) => expectNoGradient(op, [x()]))],
    [
      "comparisons",
      () =>
        [tf.equal, tf.notEqual, tf.less, tf.lessEqual, tf.greater, tf.greaterEqual].forEach((op) =>
          expectNoGradient(op, [x(), tf.scalar(0.4)]),
        ),
    ],
    ["floorDiv", () => expectNoGradient(tf.floorDiv, [x(), tf.scalar(0.7)])],
    [
      "logicalNot, logicalAnd, logicalOr",
      () =>
        [tf.logicalNot, (p: tf.Tensor) => tf.logicalAnd(p, p), (p: tf.Tensor) => tf.logicalOr(p, p)].forEach((op) =>
          expectNoGradient(op, [b()]),
        ),
    ],
  ];
  it.each(cases)("%s yield no gradient", (_name, run) => tf.tidy(run));

  it("a non-differentiable branch adds nothing to a differentiable one", () => {
    tf.tidy(() => {
      const [dx] = grads((t) => tf.add(t, tf.floor(t)), [x()]);
      expect(values(dx!)).toEqual([1, 1, 1]);
    });
  });
});

describe("elementwise gradients: coverage and higher order", () => {
  /** The op defs a module exports (frozen objects with a name, an api and infer). */
  const opDefs = (module: object) =>
    Object.values(module).filter((v): v is tf.AnyOpDef => typeof v === "object" && v !== null && "infer" in v && "api" in v && "name" in v);

  const NON_DIFFERENTIABLE = [
    "Sign",
    "Floor",
    "Ceil",
    "Round",
    "IsNan",
    "IsFinite",
    "LogicalNot",
    "FloorDiv",
    "Equal",
    "NotEqual",
    "Less",
    "LessEqual",
    "Greater",
    "GreaterEqual",
    "LogicalAnd",
    "LogicalOr",
  ];

  it("every op of unary.ts, binary.ts and selection.ts has a gradient rule or is marked non-differentiable", () => {
    const defs = [unaryOps, binaryOps, selectionOps].flatMap(opDefs);
    // The walk must see every op (28 unary, 19 binary, 3 selection), so the check below is not vacuous.
    expect(defs.length).toBe(28 + 19 + 3);
    for (const def of defs) {
      const marked = def.grad === "none";
      expect(marked, `${def.name} non-differentiable`).toBe(NON_DIFFERENTIABLE.includes(def.name));
    }
  });

  // Traced, so the first gradient's intermediates live in the graph (the eager form needs the
  // tape to keep them alive; see the lead's notes on nested eager tapes).
  it("rules are built from differentiable ops, so gradients of gradients work (nested tapes, traced)", () => {
    tf.tidy(() => {
      const xs = [-1.2, 0.3, 0.9];
      const second = (f: Unary): number[] => {
        const fn = tf.function(
          (x: tf.Tensor) => {
            // Elementwise all the way: output gradients of ones instead of a sum, so only this family's rules run.
            const outer = new tf.GradientTape();
            const first = outer.record(() => {
              outer.watch(x);
              const inner = new tf.GradientTape();
              const y = inner.record(() => {
                inner.watch(x);
                return f(x);
              });
              return inner.gradient(y, x, tf.ones([3]))!;
            });
            return outer.gradient(first, x, tf.ones([3])) ?? tf.zerosLike(x);
          },
          { autograph: false },
        );
        return values(fn(tf.tensor(xs)) as tf.Tensor)!;
      };
      const close = (got: number[], want: number[]) => got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 4));
      close(
        second(tf.tanh),
        xs.map((v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)),
      );
      close(
        second(tf.sigmoid),
        xs.map((v) => {
          const s = 1 / (1 + Math.exp(-v));
          return s * (1 - s) * (1 - 2 * s);
        }),
      );
      close(
        second(tf.sin),
        xs.map((v) => -Math.sin(v)),
      );
      close(second(tf.square), [2, 2, 2]);
      close(
        second((t) => tf.mul(t, tf.square(t))),
        xs.map((v) => 6 * v),
      );
      close(
        second((t) => tf.div(1, t)),
        xs.map((v) => 2 / v ** 3),
      );
      close(
        second((t) => tf.pow(t, 3)),
        xs.map((v) => 6 * v),
      );
      close(
        second((t) => tf.maximum(t, tf.mul(t, t))),
        xs.map((v) => (v * v >= v ? 2 : 0)),
      );
      // relu's rule depends on x only through a mask: d2/dx2 of x * relu(x) is 2 where x > 0.
      close(
        second((t) => tf.mul(t, tf.relu(t))),
        [0, 2, 2],
      );
    });
  });

  it("traced with unknown dims: a broadcasting gradient unbroadcasts inside the graph", () => {
    tf.tidy(() => {
      const step = tf.function(
        (a: tf.Tensor, b: tf.Tensor) => {
          const tape = new tf.GradientTape();
          const y = tape.record(() => {
            tape.watch([a, b]);
            return tf.sum(tf.mul(tf.sub(a, b), a));
          });
          return tape.gradient(y, [a, b]) as tf.Tensor[];
        },
        { inputSignature: [new tf.TensorSpec([null, 3], "float32"), new tf.TensorSpec([3], "float32")], autograph: false },
      );
      const a = tf.tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const b = tf.tensor([1, 1, 1]);
      const [da, db] = step(a, b) as tf.Tensor[];
      expect(values(da!)).toEqual([1, 3, 5, 7, 9, 11]); // 2a - b
      expect(values(db!)).toEqual([-5, -7, -9]); // -sum over rows of a
    });
  });
});
