/** Cases for the unary, binary and selection ops. */
import { type OpCase, rand, randBool, randInt, TRANSCENDENTAL, tf } from "./case.js";

const unaryFloat = (op: string, fn: (x: tf.Tensor) => tf.Tensor, lo = -3, hi = 3, tol = TRANSCENDENTAL): OpCase => ({
  op,
  label: "float32",
  inputs: () => [rand([3, 4], op.length, lo, hi)],
  fn,
  tol,
});

const unaryInt = (op: string, fn: (x: tf.Tensor) => tf.Tensor): OpCase => ({
  op,
  label: "int32 (with 0 and -2^31)",
  inputs: () => [tf.tensor([-7, 0, 3, -2147483648, 2147483647, 6, -1, 8], [2, 4], "int32")],
  fn,
});

const specials = () => tf.tensor([0, -0, 1.5, -2.5, 2.5, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-30, -3.7, 7.2], [3, 4]);

export const unaryCases: OpCase[] = [
  unaryFloat("Neg", tf.neg),
  unaryInt("Neg", tf.neg),
  unaryFloat("Abs", tf.abs),
  unaryInt("Abs", tf.abs),
  unaryFloat("Sign", tf.sign),
  unaryInt("Sign", tf.sign),
  unaryFloat("Square", tf.square),
  { op: "Square", label: "int32", inputs: () => [randInt([2, 3], 9, -1000, 1000)], fn: tf.square },
  unaryFloat("Exp", tf.exp),
  unaryFloat("Expm1", tf.expm1, -1, 1, { atol: 1e-7, rtol: 1e-5 }),
  unaryFloat("Log", tf.log, 0.01, 10),
  unaryFloat("Log1p", tf.log1p, -0.9, 5, { atol: 1e-7, rtol: 1e-5 }),
  unaryFloat("Sqrt", tf.sqrt, 0, 10),
  unaryFloat("Rsqrt", tf.rsqrt, 0.1, 10),
  unaryFloat("Reciprocal", tf.reciprocal, 0.1, 10),
  unaryFloat("Sin", tf.sin, -6, 6),
  unaryFloat("Cos", tf.cos, -6, 6),
  unaryFloat("Tanh", tf.tanh),
  unaryFloat("Sigmoid", tf.sigmoid, -8, 8),
  unaryFloat("Relu", tf.relu),
  unaryInt("Relu", tf.relu),
  unaryFloat("Relu6", tf.relu6, -8, 8),
  unaryInt("Relu6", tf.relu6),
  unaryFloat("Elu", tf.elu),
  unaryFloat("Selu", tf.selu),
  unaryFloat("Softplus", tf.softplus, -20, 20),
  unaryFloat("Erf", tf.erf),
  { op: "Floor", label: "float32 specials", inputs: () => [specials()], fn: tf.floor },
  { op: "Ceil", label: "float32 specials", inputs: () => [specials()], fn: tf.ceil },
  { op: "Round", label: "ties to even", inputs: () => [specials()], fn: tf.round },
  { op: "IsNan", label: "specials", inputs: () => [specials()], fn: tf.isNaN },
  { op: "IsFinite", label: "specials", inputs: () => [specials()], fn: tf.isFinite },
  { op: "LogicalNot", label: "bool", inputs: () => [randBool([3, 4], 3)], fn: tf.logicalNot },
  unaryFloat("Gelu", (x) => tf.gelu(x)),
  { ...unaryFloat("Gelu", (x) => tf.gelu(x, true)), label: "approximate (tanh)" },
];

const binary = (op: string, fn: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, dtype: "float32" | "int32" | "bool", lo = -4, hi = 4, tol?: OpCase["tol"]): OpCase => ({
  op,
  label: `${dtype}, broadcast [2,1,3] with [4,3]`,
  inputs: () =>
    dtype === "float32"
      ? [rand([2, 1, 3], 11, lo, hi), rand([4, 3], 12, lo, hi)]
      : dtype === "int32"
        ? [randInt([2, 1, 3], 11, lo, hi), randInt([4, 3], 12, lo, hi)]
        : [randBool([2, 1, 3], 11), randBool([4, 3], 12)],
  fn,
  ...(tol === undefined ? {} : { tol }),
});

/** Integer division corner cases: signs, zero divisors, and -2^31 / -1. */
const intDivision = () => [
  tf.tensor([7, -7, 7, -7, 5, 0, -2147483648, 2147483647, 9, -9], [10], "int32"),
  tf.tensor([2, 2, -2, -2, 0, 3, -1, -1, 0, 4], [10], "int32"),
];
const floatDivision = () => [tf.tensor([7, -7, 7, -7, 5.5, 0, -0.5, 1, 6, 0], [10]), tf.tensor([2, 2, -2, -2, 0.5, 3, 0.25, 0.1, -1.5, 0], [10])];

export const binaryCases: OpCase[] = [
  binary("AddV2", tf.add, "float32"),
  binary("AddV2", tf.add, "int32"),
  { op: "AddV2", label: "int32 wraps", inputs: () => [tf.tensor([2147483647, -2147483648], [2], "int32"), tf.tensor([1, -1], [2], "int32")], fn: tf.add },
  binary("Sub", tf.sub, "float32"),
  binary("Sub", tf.sub, "int32"),
  binary("Mul", tf.mul, "float32"),
  binary("Mul", tf.mul, "int32"),
  binary("RealDiv", tf.div, "float32", 0.5, 4),
  { op: "FloorDiv", label: "float32 signs and zero divisors", inputs: floatDivision, fn: tf.floorDiv },
  { op: "FloorDiv", label: "int32 signs, zero divisors, -2^31 / -1", inputs: intDivision, fn: tf.floorDiv },
  { op: "FloorMod", label: "float32 signs and zero divisors", inputs: floatDivision, fn: tf.mod, tol: { atol: 1e-6, rtol: 1e-6 } },
  { op: "FloorMod", label: "int32 signs, zero divisors, -2^31 % -1", inputs: intDivision, fn: tf.mod },
  binary("Pow", tf.pow, "float32", 0.1, 3, TRANSCENDENTAL),
  { op: "Pow", label: "int32", inputs: () => [tf.tensor([2, -3, 5, 1, -1, 0, 7], [7], "int32"), tf.tensor([10, 3, 0, -4, -3, 2, 5], [7], "int32")], fn: tf.pow },
  binary("Maximum", tf.maximum, "float32"),
  binary("Maximum", tf.maximum, "int32"),
  binary("Minimum", tf.minimum, "float32"),
  binary("Minimum", tf.minimum, "int32"),
  binary("SquaredDifference", tf.squaredDifference, "float32"),
  binary("SquaredDifference", tf.squaredDifference, "int32"),
  binary("Atan2", tf.atan2, "float32", -4, 4, TRANSCENDENTAL),
  {
    op: "Atan2",
    label: "axes and quadrants",
    inputs: () => [tf.tensor([0, 1, -1, 0, 1, -1, 1, -1, 0]), tf.tensor([1, 0, 0, -1, -1, -1, 1, 1, 0])],
    fn: tf.atan2,
    tol: TRANSCENDENTAL,
  },
  binary("Equal", tf.equal, "float32", -2, 2),
  binary("Equal", tf.equal, "int32", -2, 2),
  binary("Equal", tf.equal, "bool"),
  binary("NotEqual", tf.notEqual, "int32", -2, 2),
  binary("NotEqual", tf.notEqual, "bool"),
  binary("Less", tf.less, "float32"),
  binary("Less", tf.less, "int32", -2, 2),
  binary("LessEqual", tf.lessEqual, "int32", -2, 2),
  binary("Greater", tf.greater, "float32"),
  binary("GreaterEqual", tf.greaterEqual, "int32", -2, 2),
  binary("LogicalAnd", tf.logicalAnd, "bool"),
  binary("LogicalOr", tf.logicalOr, "bool"),
];

export const selectionCases: OpCase[] = [
  {
    op: "SelectV2",
    label: "broadcast condition",
    inputs: () => [randBool([3, 1], 1), rand([3, 4], 2), rand([4], 3)],
    fn: tf.where,
  },
  { op: "SelectV2", label: "int32", inputs: () => [randBool([5], 4), randInt([5], 5), randInt([5], 6)], fn: tf.where },
  {
    op: "Cast",
    label: "float32 -> int32 (truncation, saturation, NaN)",
    inputs: () => [tf.tensor([1.7, -1.7, 3e9, -3e9, Number.NaN, 2147483520, 2147483648, -2147483648, 0.5, Number.POSITIVE_INFINITY])],
    fn: (x) => tf.cast(x, "int32"),
  },
  { op: "Cast", label: "int32 -> float32 (rounding)", inputs: () => [tf.tensor([16777217, -16777217, 3, 2147483647], [4], "int32")], fn: (x) => tf.cast(x, "float32") },
  { op: "Cast", label: "float32 -> bool (NaN is true)", inputs: () => [tf.tensor([0, -0, 1, Number.NaN, -2])], fn: (x) => tf.cast(x, "bool") },
  { op: "Cast", label: "int32 -> bool", inputs: () => [tf.tensor([0, 5, -1], [3], "int32")], fn: (x) => tf.cast(x, "bool") },
  { op: "Cast", label: "bool -> float32", inputs: () => [randBool([6], 2)], fn: (x) => tf.cast(x, "float32") },
  { op: "Cast", label: "bool -> int32", inputs: () => [randBool([6], 3)], fn: (x) => tf.cast(x, "int32") },
  {
    op: "ClipByValue",
    label: "scalar bounds, NaN stays NaN",
    inputs: () => [tf.tensor([-3, -1, 0, 1, 3, Number.NaN])],
    fn: (x) => tf.clipByValue(x, -1.5, 2),
  },
  {
    op: "ClipByValue",
    label: "int32",
    inputs: () => [randInt([2, 3], 7)],
    fn: (x) => tf.clipByValue(x, -2, 4),
  },
];
