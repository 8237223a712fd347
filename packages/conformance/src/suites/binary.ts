import { describe, expect, it } from "vitest";
import { expectClose, flat, matchesTfjs, randomValues, seededRandom, tf, tfjs, values } from "../context.js";

type Dtype = "float32" | "int32" | "bool";
type KilnBinary = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
type TfjsBinary = (a: tfjs.Tensor, b: tfjs.Tensor) => tfjs.Tensor;

/** One binary op, the dtypes it accepts, and inputs that stay inside its domain. */
interface BinaryCase {
  readonly name: string;
  readonly kiln: KilnBinary;
  readonly tfjs: TfjsBinary;
  readonly dtypes: readonly Dtype[];
  /** Random float range for each operand. */
  readonly range?: readonly [number, number];
  /** Keep int32 divisors non-zero (division by zero has its own tests). */
  readonly nonZeroB?: boolean;
}

const CASES: readonly BinaryCase[] = [
  { name: "add", kiln: tf.add, tfjs: tfjs.add, dtypes: ["float32", "int32"] },
  { name: "sub", kiln: tf.sub, tfjs: tfjs.sub, dtypes: ["float32", "int32"] },
  { name: "mul", kiln: tf.mul, tfjs: tfjs.mul, dtypes: ["float32", "int32"] },
  { name: "div", kiln: tf.div, tfjs: tfjs.div, dtypes: ["float32", "int32"], nonZeroB: true },
  // tfjs returns int32 for float32 floorDiv; TF (and Kiln) keep float32, so compare values.
  {
    name: "floorDiv",
    kiln: tf.floorDiv,
    tfjs: (a, b) => tfjs.cast(tfjs.floorDiv(a, b), a.dtype),
    dtypes: ["float32", "int32"],
    nonZeroB: true,
  },
  { name: "mod", kiln: tf.mod, tfjs: tfjs.mod, dtypes: ["float32", "int32"], nonZeroB: true },
  { name: "pow", kiln: tf.pow, tfjs: tfjs.pow, dtypes: ["float32", "int32"], range: [0.1, 3] },
  { name: "maximum", kiln: tf.maximum, tfjs: tfjs.maximum, dtypes: ["float32", "int32"] },
  { name: "minimum", kiln: tf.minimum, tfjs: tfjs.minimum, dtypes: ["float32", "int32"] },
  { name: "squaredDifference", kiln: tf.squaredDifference, tfjs: tfjs.squaredDifference, dtypes: ["float32", "int32"] },
  { name: "atan2", kiln: tf.atan2, tfjs: tfjs.atan2, dtypes: ["float32"] },
  { name: "equal", kiln: tf.equal, tfjs: tfjs.equal, dtypes: ["float32", "int32", "bool"] },
  { name: "notEqual", kiln: tf.notEqual, tfjs: tfjs.notEqual, dtypes: ["float32", "int32", "bool"] },
  { name: "less", kiln: tf.less, tfjs: tfjs.less, dtypes: ["float32", "int32"] },
  { name: "lessEqual", kiln: tf.lessEqual, tfjs: tfjs.lessEqual, dtypes: ["float32", "int32"] },
  { name: "greater", kiln: tf.greater, tfjs: tfjs.greater, dtypes: ["float32", "int32"] },
  { name: "greaterEqual", kiln: tf.greaterEqual, tfjs: tfjs.greaterEqual, dtypes: ["float32", "int32"] },
  { name: "logicalAnd", kiln: tf.logicalAnd, tfjs: tfjs.logicalAnd, dtypes: ["bool"] },
  { name: "logicalOr", kiln: tf.logicalOr, tfjs: tfjs.logicalOr, dtypes: ["bool"] },
];

/** Shapes that broadcast: same, scalar either side, trailing, column, both sides, rank-0, empty. */
const BROADCASTS: readonly (readonly [number[], number[]])[] = [
  [
    [2, 3],
    [2, 3],
  ],
  [[2, 3], []],
  [[], [2, 3]],
  [
    [2, 1, 3],
    [4, 3],
  ],
  [[4, 3], [3]],
  [
    [4, 3],
    [4, 1],
  ],
  [
    [3, 1],
    [1, 4],
  ],
  [[1, 3], [3]],
  [
    [2, 1, 4, 1],
    [3, 1, 5],
  ],
  [[], []],
  [[0, 3], [3]],
  [[2, 0], [1]],
  [[0], []],
];

/** Deterministic input values for `dtype`, avoiding zero divisors and pow overflow. */
function inputValues(c: BinaryCase, dtype: Dtype, size: number, seed: number, operand: "a" | "b"): number[] | boolean[] {
  if (dtype === "bool") return randomValues(size, seed).map((v) => v > 0);
  if (dtype === "int32") {
    const raw = randomValues(size, seed, c.name === "pow" ? -3 : -20, c.name === "pow" ? 4 : 20).map(Math.trunc);
    if (c.name === "pow" && operand === "b") return raw.map((v) => Math.abs(v) % 6); // keep powers exact in float64
    return c.nonZeroB === true && operand === "b" ? raw.map((v) => (v === 0 ? 3 : v)) : raw;
  }
  const [lo, hi] = c.range ?? [-4, 4];
  const raw = randomValues(size, seed, lo, hi);
  return c.nonZeroB === true && operand === "b" ? raw.map((v) => (Math.abs(v) < 0.1 ? 0.5 : v)) : raw;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Compares `c` on the given shapes and dtype in Kiln and tfjs. */
async function compareWithTfjs(c: BinaryCase, dtype: Dtype, shapeA: number[], shapeB: number[], seed: number): Promise<void> {
  const a = inputValues(c, dtype, size(shapeA), seed, "a");
  const b = inputValues(c, dtype, size(shapeB), seed + 1, "b");
  await matchesTfjs(
    () => c.kiln(tf.tensor(a, shapeA, dtype), tf.tensor(b, shapeB, dtype)),
    () => c.tfjs(tfjs.tensor(a, shapeA, dtype), tfjs.tensor(b, shapeB, dtype)),
    1e-5,
    1e-5,
  );
}

/** Random broadcast-compatible shape pairs (rank 0-4, some dims 1 on either side). */
function randomBroadcastPairs(count: number, seed: number): [number[], number[]][] {
  const next = seededRandom(seed);
  const pick = (n: number) => Math.floor(next() * n);
  const pairs: [number[], number[]][] = [];
  for (let k = 0; k < count; k++) {
    const out = Array.from({ length: pick(5) }, () => 1 + pick(4));
    const derive = () => out.slice(pick(out.length + 1)).map((d) => (next() < 0.4 ? 1 : d));
    pairs.push([derive(), derive()]);
  }
  return pairs;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** Binary elementwise ops with broadcasting. */
export function binarySuite(): void {
  describe("binary elementwise", () => {
    for (const c of CASES) {
      describe(c.name, () => {
        for (const dtype of c.dtypes) {
          it(`matches tfjs for ${dtype} across broadcast layouts`, async () => {
            for (const [i, [sa, sb]] of BROADCASTS.entries()) await compareWithTfjs(c, dtype, sa, sb, 100 + i);
          });
        }

        it("matches tfjs on random broadcast shapes", async () => {
          for (const [i, [sa, sb]] of randomBroadcastPairs(25, 7).entries()) await compareWithTfjs(c, c.dtypes[0]!, sa, sb, 300 + i);
        });

        it("works as a chainable method", async () => {
          const dtype = c.dtypes[0]!;
          const a = inputValues(c, dtype, 6, 1, "a");
          const b = inputValues(c, dtype, 3, 2, "b");
          const method = (tf.Tensor.prototype as unknown as Record<string, (this: tf.Tensor, b: tf.Tensor) => tf.Tensor>)[c.name]!;
          await matchesTfjs(
            () => method.call(tf.tensor(a, [2, 3], dtype), tf.tensor(b, [3], dtype)),
            () => c.tfjs(tfjs.tensor(a, [2, 3], dtype), tfjs.tensor(b, [3], dtype)),
          );
        });

        it("rejects shapes that do not broadcast with a ShapeError naming both shapes", () => {
          const dtype = c.dtypes[0]!;
          const make = (shape: number[]) => tf.tensor(inputValues(c, dtype, size(shape), 1, "b"), shape, dtype);
          expect(() => tf.tidy(() => c.kiln(make([2, 3]), make([4])))).toThrow(tf.ShapeError);
          expect(() => tf.tidy(() => c.kiln(make([2, 3]), make([4])))).toThrow(
            `${c.name}: shapes [2,3] and [4] cannot be broadcast together`,
          );
          expect(() => tf.tidy(() => c.kiln(make([0]), make([2])))).toThrow(/shapes \[0\] and \[2\]/);
        });

        const rejected = (["float32", "int32", "bool"] as const).filter((d) => !c.dtypes.includes(d));
        for (const dtype of rejected) {
          it(`rejects ${dtype} operands with a DTypeError`, () => {
            const make = () => tf.tensor(dtype === "bool" ? [true, false] : [1, 2], [2], dtype);
            expect(() => tf.tidy(() => c.kiln(make(), make()))).toThrow(tf.DTypeError);
            expect(() => tf.tidy(() => c.kiln(make(), make()))).toThrow(
              `${c.name}: argument 'a' has dtype ${dtype}, but ${c.name} accepts`,
            );
          });
        }
      });
    }

    describe("arithmetic", () => {
      it("matches hand-computed values with broadcasting", async () => {
        expect((await values(() => tf.add(tf.tensor([1, 2]), tf.tensor([3, 4])))).value).toEqual([4, 6]);
        expect(await values(() => tf.add(tf.tensor([1, 2, 3, 4, 5, 6], [2, 1, 3]), tf.tensor([0, 10, 20, 30], [4, 1])))).toEqual({
          shape: [2, 4, 3],
          dtype: "float32",
          value: [
            [
              [1, 2, 3],
              [11, 12, 13],
              [21, 22, 23],
              [31, 32, 33],
            ],
            [
              [4, 5, 6],
              [14, 15, 16],
              [24, 25, 26],
              [34, 35, 36],
            ],
          ],
        });
        expect((await values(() => tf.sub(10, tf.tensor([1, 2])))).value).toEqual([9, 8]);
        expect((await values(() => tf.mul(tf.tensor([[1], [2]]), [10, 100]))).value).toEqual([
          [10, 100],
          [20, 200],
        ]);
        expect((await values(() => tf.div(tf.tensor([1, 3]), 2))).value).toEqual([0.5, 1.5]);
        expect((await values(() => tf.squaredDifference([1, 4], 2))).value).toEqual([1, 4]);
        expect((await values(() => tf.tensor([5, 6]).sub(1).mul(2).div(4))).value).toEqual([2, 2.5]);
      });

      it("a JS operand adopts the tensor's dtype", async () => {
        expect(await values(() => tf.add(tf.tensor([1, 2], [2], "int32"), 1))).toEqual({ shape: [2], dtype: "int32", value: [2, 3] });
        expect(await values(() => tf.mul(3, tf.tensor([1, 2], [2], "int32")))).toEqual({ shape: [2], dtype: "int32", value: [3, 6] });
        expect(await values(() => tf.add(1, 2))).toEqual({ shape: [], dtype: "float32", value: 3 });
        expect(() => tf.tidy(() => tf.add(tf.tensor([1], [1], "int32"), 1.5))).toThrow(tf.DTypeError);
        expect(() => tf.tidy(() => tf.add(tf.tensor([1], [1], "int32"), 1.5))).toThrow(/1\.5 cannot be converted to int32/);
      });

      it("int32 wraps around like C", async () => {
        const int = (v: number[]) => tf.tensor(v, [v.length], "int32");
        expect((await values(() => tf.add(int([INT_MAX]), int([1])))).value).toEqual([INT_MIN]);
        expect((await values(() => tf.add(tf.scalar(INT_MAX, "int32"), 1))).value).toBe(INT_MIN);
        expect((await values(() => tf.sub(int([INT_MIN]), int([1])))).value).toEqual([INT_MAX]);
        expect((await values(() => tf.mul(int([65536, INT_MAX, 3]), int([65536, 2, -3])))).value).toEqual([0, -2, -9]);
        expect((await values(() => tf.squaredDifference(int([INT_MAX, 5]), int([-1, 1])))).value).toEqual([0, 16]);
        // 3^20 = 3486784401 wraps to -808182895; 2^31 wraps to INT_MIN.
        expect((await values(() => tf.pow(int([3, 2, 2, -2]), int([20, 31, 32, 3])))).value).toEqual([-808182895, INT_MIN, 0, -8]);
      });

      it("int32 division and modulo floor toward -Infinity; the result of mod has the divisor's sign", async () => {
        const int = (v: number[]) => tf.tensor(v, [v.length], "int32");
        expect(await values(() => tf.div(int([7, -7, 7, -7]), int([2, 2, -2, -2])))).toEqual({
          shape: [4],
          dtype: "int32",
          value: [3, -4, -4, 3],
        });
        expect((await values(() => tf.floorDiv(int([7, -7, 6]), int([2, 2, 3])))).value).toEqual([3, -4, 2]);
        expect((await values(() => tf.mod(int([7, -7, 7, -7, 6]), int([3, 3, -3, -3, 3])))).value).toEqual([1, 2, -2, -1, 0]);
      });

      it("int32 division or modulo by zero gives 0 (tfjs's result) and INT_MIN / -1 wraps", async () => {
        const int = (v: number[]) => tf.tensor(v, [v.length], "int32");
        expect((await values(() => tf.div(int([5, -5, 0]), int([0, 0, 0])))).value).toEqual([0, 0, 0]);
        expect((await values(() => tf.floorDiv(int([5]), 0))).value).toEqual([0]);
        expect((await values(() => tf.mod(int([5, -5, 0]), int([0, 0, 0])))).value).toEqual([0, 0, 0]);
        await matchesTfjs(
          () => tf.div(int([5, -5, 0]), int([0, 0, 0])),
          () => tfjs.div(tfjs.tensor([5, -5, 0], [3], "int32"), tfjs.tensor([0, 0, 0], [3], "int32")),
        );
        await matchesTfjs(
          () => tf.mod(int([5, -5, 0]), int([0, 0, 0])),
          () => tfjs.mod(tfjs.tensor([5, -5, 0], [3], "int32"), tfjs.tensor([0, 0, 0], [3], "int32")),
        );
        expect((await values(() => tf.floorDiv(int([INT_MIN]), int([-1])))).value).toEqual([INT_MIN]);
        expect((await values(() => tf.mod(int([INT_MIN, INT_MIN]), int([-1, INT_MAX])))).value).toEqual([0, INT_MAX - 1]);
      });

      it("int32 powers with a negative exponent truncate (tfjs's result)", async () => {
        const int = (v: number[]) => tf.tensor(v, [v.length], "int32");
        expect((await values(() => tf.pow(int([2, 1, -1, -1, 0, 5]), int([-1, -5, -3, -2, -1, 0])))).value).toEqual([0, 1, -1, 1, 0, 1]);
        await matchesTfjs(
          () => tf.pow(int([2, 1, -1, -1, 0]), int([-1, -5, -3, -2, -1])),
          () => tfjs.pow(tfjs.tensor([2, 1, -1, -1, 0], [5], "int32"), tfjs.tensor([-1, -5, -3, -2, -1], [5], "int32")),
        );
      });

      it("float division, floorDiv and mod by zero follow IEEE", async () => {
        const result = await flat(() => tf.div(tf.tensor([1, -1, 0]), 0));
        expect(result.data).toEqual([Infinity, -Infinity, Number.NaN]);
        expect((await flat(() => tf.floorDiv(tf.tensor([1, -1]), 0))).data).toEqual([Infinity, -Infinity]);
        expect((await flat(() => tf.mod(tf.tensor([1, -1]), 0))).data).toEqual([Number.NaN, Number.NaN]);
        await matchesTfjs(
          () => tf.div(tf.tensor([1, -1, 0]), 0),
          () => tfjs.div(tfjs.tensor([1, -1, 0]), 0),
        );
      });

      it("float mod takes the divisor's sign; floorDiv floors the float32 quotient like TF", async () => {
        expect((await values(() => tf.mod(tf.tensor([7, -7, 7, -7, 5.5, -0.5]), tf.tensor([3, 3, -3, -3, 2, 2])))).value).toEqual([
          1, 2, -2, -1, 1.5, 1.5,
        ]);
        expect((await values(() => tf.floorDiv(tf.tensor([7, -7, 7.5]), tf.tensor([2, 2, -2])))).value).toEqual([3, -4, -4]);
        // 1 / 0.1f is 9.99999985 in double but exactly 10 in float32: TF's FloorDiv gives 10 (tfjs: 9).
        expect((await values(() => tf.floorDiv(1, 0.1))).value).toBe(10);
        // TF keeps float32 for float FloorDiv (tfjs returns int32).
        expect(await values(() => tf.floorDiv(tf.tensor([5]), 2))).toEqual({ shape: [1], dtype: "float32", value: [2] });
      });

      it("pow follows C for the cases Math.pow differs on", async () => {
        expect(
          (await flat(() => tf.pow(tf.tensor([1, 1, -1, -1, Number.NaN]), tf.tensor([Number.NaN, Infinity, Infinity, -Infinity, 0])))).data,
        ).toEqual([1, 1, 1, 1, 1]);
        expect((await flat(() => tf.pow(tf.tensor([2, 4, -8, 0, 0]), tf.tensor([0.5, -0.5, 1 / 3, -1, 0])))).data).toEqual([
          Math.fround(Math.SQRT2),
          0.5,
          Number.NaN,
          Infinity,
          1,
        ]);
      });

      it("NaN and Infinity propagate", async () => {
        const nan = Number.NaN;
        expect((await flat(() => tf.add(tf.tensor([nan, Infinity, Infinity]), tf.tensor([1, 1, -Infinity])))).data).toEqual([
          nan,
          Infinity,
          nan,
        ]);
        expect((await flat(() => tf.mul(tf.tensor([Infinity, nan]), tf.tensor([0, 2])))).data).toEqual([nan, nan]);
        expect((await flat(() => tf.maximum(tf.tensor([nan, 1, 2]), tf.tensor([1, nan, -Infinity])))).data).toEqual([nan, nan, 2]);
        expect((await flat(() => tf.minimum(tf.tensor([nan, 1, 2]), tf.tensor([1, nan, Infinity])))).data).toEqual([nan, nan, 2]);
        await matchesTfjs(
          () => tf.maximum(tf.tensor([nan, 1]), tf.tensor([1, nan])),
          () => tfjs.maximum(tfjs.tensor([nan, 1]), tfjs.tensor([1, nan])),
        );
        expect((await flat(() => tf.atan2(tf.tensor([1, 1, -1, 0, nan]), tf.tensor([1, -1, -1, 0, 1])))).data).toEqual(
          [Math.PI / 4, (3 * Math.PI) / 4, (-3 * Math.PI) / 4, 0, nan].map(Math.fround),
        );
      });

      it("atan2 gives Math.atan2 on every IEEE special case: signed zeros, infinities, NaN, subnormals", async () => {
        // Every pair of specials, including subnormal pairs (atan2(-1e-45, 1e-45) is -pi/4
        // even where a device flushes subnormals in arithmetic) and the extremes.
        const specials = [0, -0, 1, -1, Infinity, -Infinity, Number.NaN, 1e-45, -1e-45, 1e-40, -3e-39, 3e38, -3e38, 1e-30];
        const ys = specials.flatMap((y) => specials.map(() => y));
        const xs = specials.flatMap(() => specials);
        const got = (await flat(() => tf.atan2(tf.tensor(ys), tf.tensor(xs)))).data;
        const expected = ys.map((y, i) => Math.fround(Math.atan2(Math.fround(y), Math.fround(xs[i]!))));
        expectClose(got, expected, 1e-7, 1e-6, "atan2");
        // The sign of every zero result (atan2(-0, 1) is -0, atan2(0, 1) is +0).
        expected.forEach((e, i) => {
          if (e === 0)
            expect(Object.is(got[i], e), `atan2(${ys[i]}, ${xs[i]}) = ${got[i]}, expected ${Object.is(e, -0) ? "-0" : "0"}`).toBe(true);
        });
      });

      it("maximum and minimum keep int32", async () => {
        const int = (v: number[]) => tf.tensor(v, [v.length], "int32");
        expect(await values(() => tf.maximum(int([INT_MIN, 5]), int([0, INT_MAX])))).toEqual({
          shape: [2],
          dtype: "int32",
          value: [0, INT_MAX],
        });
        expect((await values(() => tf.minimum(int([INT_MIN, 5]), 0))).value).toEqual([INT_MIN, 0]);
      });
    });

    describe("comparisons and logic", () => {
      it("return bool tensors; NaN compares unequal to everything", async () => {
        const nan = Number.NaN;
        const a = [1, 2, 3, nan];
        const b = [2, 2, 2, nan];
        expect(await values(() => tf.equal(a, b))).toEqual({ shape: [4], dtype: "bool", value: [false, true, false, false] });
        expect((await values(() => tf.notEqual(a, b))).value).toEqual([true, false, true, true]);
        expect((await values(() => tf.less(a, b))).value).toEqual([true, false, false, false]);
        expect((await values(() => tf.lessEqual(a, b))).value).toEqual([true, true, false, false]);
        expect((await values(() => tf.greater(a, b))).value).toEqual([false, false, true, false]);
        expect((await values(() => tf.greaterEqual(a, b))).value).toEqual([false, true, true, false]);
        expect((await values(() => tf.tensor([1, 5]).greater(2))).value).toEqual([false, true]);
      });

      it("equal and notEqual accept bool tensors", async () => {
        expect((await values(() => tf.equal(tf.tensor([true, false]), true))).value).toEqual([true, false]);
        expect((await values(() => tf.notEqual(tf.tensor([true, false]), tf.tensor([[true], [false]])))).value).toEqual([
          [false, true],
          [true, false],
        ]);
      });

      it("logicalAnd and logicalOr follow the truth table, broadcast, and read JS values as booleans", async () => {
        expect(
          (await values(() => tf.logicalAnd(tf.tensor([true, true, false, false]), tf.tensor([true, false, true, false])))).value,
        ).toEqual([true, false, false, false]);
        expect(
          (await values(() => tf.logicalOr(tf.tensor([true, true, false, false]), tf.tensor([true, false, true, false])))).value,
        ).toEqual([true, true, true, false]);
        expect((await values(() => tf.logicalAnd([[true], [false]], [true, true]))).value).toEqual([
          [true, true],
          [false, false],
        ]);
        expect(await values(() => tf.logicalOr(tf.tensor([false, false]), 1))).toEqual({ shape: [2], dtype: "bool", value: [true, true] });
        expect((await values(() => tf.scalar(true).logicalAnd(false))).value).toBe(false);
      });

      it("logical ops reject numeric tensors", () => {
        expect(() => tf.tidy(() => tf.logicalAnd(tf.tensor([1]), tf.tensor([true])))).toThrow(tf.DTypeError);
        expect(() => tf.tidy(() => tf.logicalOr(tf.tensor([true]), tf.tensor([1], [1], "int32")))).toThrow(
          "logicalOr: argument 'b' has dtype int32, but logicalOr accepts bool",
        );
      });
    });

    describe("bad input", () => {
      it("operands of different dtypes are a DTypeError", () => {
        expect(() => tf.tidy(() => tf.add(tf.tensor([1]), tf.tensor([1], [1], "int32")))).toThrow(tf.DTypeError);
        expect(() => tf.tidy(() => tf.less(tf.tensor([1]), tf.tensor([1], [1], "int32")))).toThrow(/less: .*float32 and int32/);
        expect(() => tf.tidy(() => tf.equal(tf.tensor([true]), tf.tensor([1])))).toThrow(tf.DTypeError);
      });

      it("bool tensors are rejected by numeric ops, and div says int32 works too", () => {
        expect(() => tf.tidy(() => tf.add(tf.tensor([true]), tf.tensor([false])))).toThrow(
          "add: argument 'a' has dtype bool, but add accepts float32 or int32",
        );
        expect(() => tf.tidy(() => tf.div(tf.tensor([true]), tf.tensor([false])))).toThrow(
          /div: argument 'a' has dtype bool, but div accepts float32; int32 tensors are also accepted/,
        );
        expect(() => tf.tidy(() => tf.atan2(tf.tensor([1], [1], "int32"), tf.tensor([1], [1], "int32")))).toThrow(tf.DTypeError);
      });

      it("non-tensor arguments are an ArgumentError", () => {
        expect(() => tf.add("1" as unknown as number, 1)).toThrow(tf.ArgumentError);
        expect(() => tf.tidy(() => tf.mul(tf.tensor([1]), {} as unknown as number))).toThrow(/mul: argument '.' must be a Tensor/);
        expect(() => tf.tidy(() => tf.sub(tf.tensor([1]), undefined as unknown as number))).toThrow(tf.ArgumentError);
        expect(() => tf.tidy(() => tf.tensor([1]).pow(null as unknown as number))).toThrow(/received null/);
      });

      it("incompatible broadcasts name the op and both shapes, also with a rank-0 or empty side", () => {
        expect(() => tf.tidy(() => tf.add(tf.ones([2, 3]), tf.ones([2, 4])))).toThrow(
          "add: shapes [2,3] and [2,4] cannot be broadcast together",
        );
        expect(() => tf.tidy(() => tf.mul(tf.ones([2, 0]), tf.ones([3])))).toThrow(tf.ShapeError);
      });
    });

    it("does not modify its inputs", async () => {
      const [a, b] = tf.tidy(() => {
        const a = tf.tensor([1, 2, 3]);
        const b = tf.tensor([4, 5, 6]);
        a.add(b).mul(b);
        return [a, b];
      });
      let result: number[];
      try {
        result = [...(await a!.data()), ...(await b!.data())];
      } finally {
        tf.dispose([a, b]);
      }
      expect(result).toEqual([1, 2, 3, 4, 5, 6]);
    });
  });
}
