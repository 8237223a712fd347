import { describe, expect, it } from "vitest";
import { expectClose, flat, matchesTfjs, randomValues, tf, tfjs, values } from "../context.js";

type KilnUnary = (x: tf.Tensor) => tf.Tensor;
type TfjsUnary = (x: tfjs.Tensor) => tfjs.Tensor;

/** One unary op: how to call it in both libraries, and where its inputs make sense. */
interface UnaryCase {
  readonly name: string;
  readonly kiln: KilnUnary;
  readonly tfjs: TfjsUnary | undefined;
  readonly dtypes: readonly ("float32" | "int32")[];
  /** Range for random float inputs (inside the op's domain). */
  readonly range: readonly [number, number];
  /** Hand-computed float32 inputs and their exact expected results. */
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly atol?: number;
}

const SQRT_PI_2 = Math.sqrt(2 / Math.PI);

const BOTH = ["float32", "int32"] as const;
const FLOAT = ["float32"] as const;
const NAN = Number.NaN;
const INF = Infinity;

/** Declares a case: hand inputs `x` map to exact real results `y`. */
function unary(
  name: string,
  kiln: KilnUnary,
  oracle: TfjsUnary | undefined,
  dtypes: readonly ("float32" | "int32")[],
  range: readonly [number, number],
  x: readonly number[],
  y: readonly number[],
  atol?: number,
): UnaryCase {
  return { name, kiln, tfjs: oracle, dtypes, range, x, y, ...(atol === undefined ? {} : { atol }) };
}

const CASES: readonly UnaryCase[] = [
  unary("neg", tf.neg, tfjs.neg, BOTH, [-5, 5], [1, -2.5, 0], [-1, 2.5, -0]),
  unary("abs", tf.abs, tfjs.abs, BOTH, [-5, 5], [-1.5, 2, -INF], [1.5, 2, INF]),
  unary("sign", tf.sign, tfjs.sign, BOTH, [-5, 5], [-3, 0, 0.1, NAN], [-1, 0, 1, 0]),
  unary("square", tf.square, tfjs.square, BOTH, [-5, 5], [-3, 0.5], [9, 0.25]),
  unary("exp", tf.exp, tfjs.exp, FLOAT, [-5, 5], [0, 1, -INF, INF, 100], [1, Math.E, 0, INF, INF]),
  unary("expm1", tf.expm1, tfjs.expm1, FLOAT, [-5, 5], [0, 1e-10, 1], [0, 1e-10, Math.E - 1]),
  unary("log", tf.log, tfjs.log, FLOAT, [0.01, 10], [1, 0, -1, INF], [0, -INF, NAN, INF]),
  unary("log1p", tf.log1p, tfjs.log1p, FLOAT, [-0.99, 10], [0, 1e-10, -1, -2], [0, 1e-10, -INF, NAN]),
  unary("sqrt", tf.sqrt, tfjs.sqrt, FLOAT, [0, 10], [4, 2, -1, INF], [2, Math.SQRT2, NAN, INF]),
  unary("rsqrt", tf.rsqrt, tfjs.rsqrt, FLOAT, [0.01, 10], [4, 0, -1], [0.5, INF, NAN]),
  unary("reciprocal", tf.reciprocal, tfjs.reciprocal, FLOAT, [0.1, 10], [2, -4, 0, INF], [0.5, -0.25, INF, 0]),
  unary("sin", tf.sin, tfjs.sin, FLOAT, [-7, 7], [0, Math.PI / 2, INF], [0, 1, NAN]),
  unary("cos", tf.cos, tfjs.cos, FLOAT, [-7, 7], [0, Math.PI], [1, -1]),
  unary("tanh", tf.tanh, tfjs.tanh, FLOAT, [-5, 5], [0, 100, -INF], [0, 1, -1]),
  unary("sigmoid", tf.sigmoid, tfjs.sigmoid, FLOAT, [-8, 8], [0, -1, INF, -INF, -1000], [0.5, 0.2689414213699951, 1, 0, 0]),
  unary("relu", tf.relu, tfjs.relu, BOTH, [-5, 5], [-1, 2, NAN], [0, 2, NAN]),
  unary("relu6", tf.relu6, tfjs.relu6, BOTH, [-3, 9], [-1, 3, 8, NAN], [0, 3, 6, NAN]),
  unary("elu", tf.elu, tfjs.elu, FLOAT, [-5, 5], [-1, -3, 2, -INF], [-0.6321205588285577, -0.950212931632136, 2, -1]),
  unary(
    "selu",
    tf.selu,
    tfjs.selu,
    FLOAT,
    [-5, 5],
    [-3, -0.5, 1, 2],
    [-1.6705687287671118, -0.6917581878028713, 1.0507009873554805, 2.101401974710961],
  ),
  unary(
    "softplus",
    tf.softplus,
    tfjs.softplus,
    FLOAT,
    [-10, 10],
    [0, 1, -1, 100, 1000, -100],
    [Math.LN2, 1.3132616875182228, 0.3132616875182228, 100, 1000, 3.720075976020836e-44],
  ),
  // tfjs's erf is a 1.5e-7-accurate approximation; Kiln's is accurate to float32 rounding.
  unary(
    "erf",
    tf.erf,
    tfjs.erf,
    FLOAT,
    [-3, 3],
    [0, 0.5, 1, 2, -3, INF],
    [0, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527, -0.9999779095030014, 1],
    1e-6,
  ),
  unary("floor", tf.floor, tfjs.floor, FLOAT, [-5, 5], [1.5, -1.5, -0.5, INF], [1, -2, -1, INF]),
  unary("ceil", tf.ceil, tfjs.ceil, FLOAT, [-5, 5], [1.5, -1.5, 2], [2, -1, 2]),
  unary("round", tf.round, tfjs.round, FLOAT, [-5, 5], [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6, -1.7], [0, 2, 2, -0, -2, -2, 2, 3, -2]),
  // tfjs has no gelu; expected values are 0.5 * x * erfc(-x / sqrt(2)) in high precision.
  unary(
    "gelu",
    (x) => tf.gelu(x),
    undefined,
    FLOAT,
    [-4, 4],
    [-3, -1, 0.5, 1, 2, -10],
    [-0.0040496940948902835, -0.15865525393145705, 0.34573123063700656, 0.8413447460685429, 1.9544997361036416, -7.619853024160526e-23],
  ),
];

/** Runs `op` on float32 input `x` and compares with `expected` (NaN equals NaN, ±Infinity exact). */
async function expectUnary(op: KilnUnary, x: readonly number[], expected: readonly number[], atol = 1e-6): Promise<void> {
  const result = await flat(() => op(tf.tensor(x as number[])));
  expect(result.shape).toEqual([x.length]);
  expect(result.dtype).toBe("float32");
  // Expected values are exact reals; the float32 result is within one rounding of them.
  expectClose(result.data, expected, atol, 1e-6);
}

/** Unary elementwise ops: math, activations, rounding and predicates. */
export function unarySuite(): void {
  describe("unary elementwise", () => {
    for (const c of CASES) {
      describe(c.name, () => {
        it("matches hand-computed values, including NaN and ±Infinity", async () => {
          await expectUnary(c.kiln, c.x, c.y, c.atol ?? 1e-6);
        });

        if (c.tfjs !== undefined) {
          const oracle = c.tfjs;
          it("matches tfjs on random float32 values, as a function and as a method", async () => {
            const x = randomValues(64, 11, c.range[0], c.range[1]);
            await matchesTfjs(
              () => c.kiln(tf.tensor(x, [4, 16])),
              () => oracle(tfjs.tensor(x, [4, 16])),
              c.atol ?? 1e-5,
            );
            const method = (tf.Tensor.prototype as unknown as Record<string, (this: tf.Tensor) => tf.Tensor>)[c.name]!;
            await matchesTfjs(
              () => method.call(tf.tensor(x, [4, 16])),
              () => oracle(tfjs.tensor(x, [4, 16])),
              c.atol ?? 1e-5,
            );
          });
        }

        if (c.dtypes.includes("int32")) {
          it("keeps int32 as int32 and matches tfjs", async () => {
            const x = [-7, -2, -1, 0, 1, 3, 8, 100];
            const result = await flat(() => c.kiln(tf.tensor(x, [8], "int32")));
            expect(result.dtype).toBe("int32");
            const oracle = c.tfjs;
            if (oracle !== undefined)
              await matchesTfjs(
                () => c.kiln(tf.tensor(x, [8], "int32")),
                () => oracle(tfjs.tensor(x, [8], "int32")),
              );
          });
        } else {
          it("rejects int32 with a DTypeError naming the op", () => {
            expect(() => tf.tidy(() => c.kiln(tf.tensor([1, 2], [2], "int32")))).toThrow(tf.DTypeError);
            expect(() => tf.tidy(() => c.kiln(tf.tensor([1, 2], [2], "int32")))).toThrow(
              `${c.name}: argument 'x' has dtype int32, but ${c.name} accepts float32`,
            );
          });
        }

        it("rejects bool input with a DTypeError", () => {
          expect(() => tf.tidy(() => c.kiln(tf.tensor([true, false])))).toThrow(tf.DTypeError);
          expect(() => tf.tidy(() => c.kiln(tf.tensor([true, false])))).toThrow(/has dtype bool/);
        });

        it("keeps the shape of rank-0 and empty tensors", async () => {
          expect((await flat(() => c.kiln(tf.scalar(0.5)))).shape).toEqual([]);
          const empty = await flat(() => c.kiln(tf.zeros([2, 0, 3])));
          expect(empty.shape).toEqual([2, 0, 3]);
          expect(empty.data).toEqual([]);
        });
      });
    }

    it("int32 results wrap around like C", async () => {
      const min = -2147483648;
      expect((await values(() => tf.neg(tf.tensor([min, 2147483647], [2], "int32")))).value).toEqual([min, -2147483647]);
      expect((await values(() => tf.abs(tf.tensor([min, -5], [2], "int32")))).value).toEqual([min, 5]);
      // 65536^2 = 2^32 wraps to 0; 46341^2 = 2147488281 wraps to -2147479015.
      expect((await values(() => tf.square(tf.tensor([65536, 46341, -3], [3], "int32")))).value).toEqual([0, -2147479015, 9]);
      expect((await values(() => tf.relu6(tf.tensor([min, 5, 7], [3], "int32")))).value).toEqual([0, 5, 6]);
      expect((await values(() => tf.sign(tf.tensor([min, 0, 9], [3], "int32")))).value).toEqual([-1, 0, 1]);
    });

    it("exp and expm1 stay finite up to ln(FLT_MAX) = 88.72 and overflow to Infinity just past it", async () => {
      const xs = [88, 88.25, 88.5, 88.7, 88.72, 88.7228, 88.73, 89, 100];
      for (const [name, op, exact] of [
        ["exp", tf.exp, Math.exp],
        ["expm1", tf.expm1, Math.expm1],
      ] as const) {
        const got = (await flat(() => op(tf.tensor(xs)))).data;
        const want = xs.map((x) => Math.fround(exact(Math.fround(x))));
        expect(got.map(Number.isFinite), name).toEqual(want.map(Number.isFinite));
        expectClose(got, want, 0, 4e-7, name);
      }
    });

    it("round halves to even, unlike Math.round, and keeps -0", async () => {
      const result = await flat(() => tf.round(tf.tensor([-0.5, -0.4, 0.5, 3.5, 4.5, -3.5, 1e7 + 0.5])));
      expect(result.data.map((v) => (Object.is(v, -0) ? "-0" : v))).toEqual(["-0", "-0", 0, 4, 4, -4, 1e7]);
    });

    it("floor, ceil and round reject int32 and say why", () => {
      for (const op of [tf.floor, tf.ceil, tf.round]) {
        expect(() => tf.tidy(() => op(tf.tensor([1], [1], "int32")))).toThrow(/int32 values are already whole numbers/);
      }
    });

    describe("gelu", () => {
      it("approximate uses the tanh form", async () => {
        const x = [-3, -1, -0.5, 0, 0.5, 1, 2, 3];
        const expected = x.map((v) => 0.5 * v * (1 + Math.tanh(SQRT_PI_2 * (v + 0.044715 * v ** 3))));
        expectClose((await flat(() => tf.gelu(tf.tensor(x), true))).data, expected, 1e-6, 1e-6);
        expectClose((await flat(() => tf.tensor(x).gelu(true))).data, expected, 1e-6, 1e-6);
        expectClose((await flat(() => tf.tensor([1]).gelu())).data, [0.8413447460685429], 1e-7, 1e-6);
      });

      it("propagates NaN, and follows TF's formula at ±Infinity", async () => {
        // 0.5 * x * (1 + erf(x / sqrt(2))): Infinity * 1 at +Infinity, -Infinity * 0 = NaN at -Infinity.
        const result = await flat(() => tf.gelu(tf.tensor([Number.NaN, Infinity, -Infinity, 10, -40])));
        expect(result.data.slice(0, 4)).toEqual([Number.NaN, Infinity, Number.NaN, 10]);
        expect(Object.is(result.data[4], -0)).toBe(true);
      });

      it("rejects a non-boolean approximate flag", () => {
        expect(() => tf.tidy(() => tf.gelu(tf.tensor([1]), "yes" as unknown as boolean))).toThrow(tf.ArgumentError);
        expect(() => tf.tidy(() => tf.gelu(tf.tensor([1]), 1 as unknown as boolean))).toThrow(
          /gelu: 'approximate' must be a boolean, received 1/,
        );
      });
    });

    describe("isNaN, isFinite", () => {
      const x = [1, Number.NaN, Infinity, -Infinity, 0, -3.5];
      it("return bool tensors and match tfjs", async () => {
        expect(await values(() => tf.isNaN(tf.tensor(x)))).toEqual({
          shape: [6],
          dtype: "bool",
          value: [false, true, false, false, false, false],
        });
        expect(await values(() => tf.isFinite(tf.tensor(x)))).toEqual({
          shape: [6],
          dtype: "bool",
          value: [true, false, false, false, true, true],
        });
        await matchesTfjs(
          () => tf.isNaN(tf.tensor(x)),
          () => tfjs.isNaN(tfjs.tensor(x)),
        );
        await matchesTfjs(
          () => tf.isFinite(tf.tensor(x)),
          () => tfjs.isFinite(tfjs.tensor(x)),
        );
        expect((await values(() => tf.tensor(x).isNaN())).value).toEqual([false, true, false, false, false, false]);
        expect((await values(() => tf.tensor(x).isFinite())).value).toEqual([true, false, false, false, true, true]);
      });

      it("reject int32 (never NaN) with a DTypeError that says so", () => {
        expect(() => tf.tidy(() => tf.isNaN(tf.tensor([1], [1], "int32")))).toThrow(/int32 values are never NaN/);
        expect(() => tf.tidy(() => tf.isFinite(tf.tensor([1], [1], "int32")))).toThrow(tf.DTypeError);
      });
    });

    describe("logicalNot", () => {
      it("negates bool tensors and reads JS values as booleans", async () => {
        expect(await values(() => tf.logicalNot(tf.tensor([true, false, true])))).toEqual({
          shape: [3],
          dtype: "bool",
          value: [false, true, false],
        });
        expect(await values(() => tf.logicalNot([[true], [false]]))).toEqual({ shape: [2, 1], dtype: "bool", value: [[false], [true]] });
        expect(await values(() => tf.logicalNot([1, 0]))).toEqual({ shape: [2], dtype: "bool", value: [false, true] });
        expect((await values(() => tf.scalar(true).logicalNot())).value).toBe(false);
        await matchesTfjs(
          () => tf.logicalNot(tf.tensor([true, false])),
          () => tfjs.logicalNot(tfjs.tensor([true, false])),
        );
        expect((await flat(() => tf.logicalNot(tf.tensor([], [0], "bool")))).shape).toEqual([0]);
      });

      it("rejects numeric tensors", () => {
        expect(() => tf.tidy(() => tf.logicalNot(tf.tensor([1, 0])))).toThrow(tf.DTypeError);
        expect(() => tf.tidy(() => tf.logicalNot(tf.tensor([1, 0])))).toThrow(
          "logicalNot: argument 'x' has dtype float32, but logicalNot accepts bool",
        );
      });
    });

    it("accepts JS numbers and nested arrays, rejects non-tensors with an ArgumentError", async () => {
      expect((await values(() => tf.exp(0))).value).toBe(1);
      expect(await values(() => tf.neg([[1, 2]]))).toEqual({ shape: [1, 2], dtype: "float32", value: [[-1, -2]] });
      expect(() => tf.exp("2" as unknown as number)).toThrow(tf.ArgumentError);
      expect(() => tf.exp({} as unknown as number)).toThrow(/exp: argument 'x' must be a Tensor/);
      expect(() => tf.relu(undefined as unknown as number)).toThrow(tf.ArgumentError);
      expect(() => tf.sqrt(null as unknown as number)).toThrow(/received null/);
    });

    it("chains methods like tfjs", async () => {
      const x = randomValues(12, 5, 0.1, 3);
      await matchesTfjs(
        () => tf.tensor(x, [3, 4]).log().exp().sqrt().square().neg().abs().sigmoid().tanh().relu(),
        () => tfjs.relu(tfjs.tanh(tfjs.sigmoid(tfjs.abs(tfjs.neg(tfjs.square(tfjs.sqrt(tfjs.exp(tfjs.log(tfjs.tensor(x, [3, 4])))))))))),
      );
    });

    it("does not modify its input", async () => {
      const x = tf.tidy(() => {
        const x = tf.tensor([1, -2, 3]);
        tf.neg(x);
        tf.exp(x);
        return x;
      });
      let result: number[];
      try {
        result = Array.from(await x.data());
      } finally {
        x.dispose();
      }
      expect(result).toEqual([1, -2, 3]);
    });
  });
}
