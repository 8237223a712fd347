import { tf, tfjs } from "../context.js";
import {
  broadcastOf,
  type FloatProfile,
  type FuzzDType,
  type FuzzInput,
  INT_MAX,
  INT_MIN,
  type IntProfile,
  type Rng,
  SPECIAL_FLOATS,
  sizeOf,
} from "./fuzz_ops_random.js";

/**
 * The op fuzzer's cases: for each op Kiln shares with tfjs, a generator of random calls
 * (shapes, dtypes, JS arguments, values) and how to call the op in both libraries.
 *
 * Where Kiln documents a deliberate difference from tfjs (packages/core/README.md, the op
 * docs, and the hand-written conformance suites), the case either keeps the inputs that
 * would show it out (`NO_NAN` for argMax, ...), rewrites tfjs's answer into Kiln's
 * documented one (`adapt`), checks that Kiln rejects (`kilnRejects`), or accepts tfjs
 * throwing (`tfjsMayThrow`) and checks Kiln against a plain-JS reference. Each such place
 * says why in a comment. Inputs whose results tfjs computes inexactly (int32 products past
 * 2^53 in doubles) are kept in the range where tfjs is exact, with the same comment.
 */

/** One output: shape, dtype, values (bool as 0/1). */
export interface FuzzResult {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly data: number[];
}

/** One random call of an op, in both libraries. */
export interface FuzzCase {
  readonly inputs: readonly FuzzInput[];
  /** The JS-valued arguments (axes, flags, sizes), printed with a failure. */
  readonly attrs: Record<string, unknown>;
  readonly kiln: (xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
  readonly tfjs: (xs: tfjs.Tensor[]) => tfjs.Tensor | tfjs.Tensor[];
  readonly atol?: number;
  readonly rtol?: number;
  /** A documented difference: rewrites tfjs's results (copies) into what Kiln documents. */
  readonly adapt?: (expected: FuzzResult[]) => FuzzResult[];
  /** Replaces tfjs for this call (a documented tfjs bug on these inputs): the expected results. */
  readonly reference?: () => FuzzResult[];
  /** A documented tfjs limitation: tfjs may throw where Kiln answers (then `fallback`, if given, is the oracle). */
  readonly tfjsMayThrow?: string;
  readonly fallback?: () => FuzzResult[];
  /** Kiln documents rejecting this call (TF's rule) where tfjs answers: Kiln must throw a typed error. */
  readonly kilnRejects?: string;
  /** Always run inside a tf.function (default: as KILN_FUZZ_MODE says). */
  readonly alwaysTraced?: boolean;
}

export interface OpFuzzer {
  readonly name: string;
  /** Share of the iterations (default 1). */
  readonly weight?: number;
  readonly make: (r: Rng) => FuzzCase;
}

type T4 = tfjs.Tensor4D;

const NUMERIC: readonly FuzzDType[] = ["float32", "int32"];
const ALL: readonly FuzzDType[] = ["float32", "int32", "bool"];

/** Special values without the huge finite ones: for ops whose float32 results depend on accumulation order or width. */
const NO_HUGE: readonly number[] = SPECIAL_FLOATS.filter((v) => !(Number.isFinite(v) && Math.abs(v) >= 1e9));
/** Special values whose finite ones are at most 4 in magnitude: factors that do not scale a rounding error much. */
const SMALL_FACTORS: readonly number[] = SPECIAL_FLOATS.filter((v) => !(Number.isFinite(v) && Math.abs(v) > 4));
/** Special values without NaN: for ops where Kiln documents a NaN rule tfjs does not follow. */
const NO_NAN: readonly number[] = SPECIAL_FLOATS.filter((v) => !Number.isNaN(v));

// ---------------------------------------------------------------------------------------
// Small helpers

/** Row-major strides of `shape` aligned to `out` (0 where `shape` broadcasts). */
function alignedStrides(shape: readonly number[], out: readonly number[]): number[] {
  const st = new Array<number>(out.length).fill(0);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const o = out.length - shape.length + d;
    st[o] = shape[d] === 1 ? 0 : acc;
    acc *= shape[d]!;
  }
  return st;
}

/** `fn` applied elementwise over the broadcast of `inputs` (flat, row-major). */
export function broadcastMap<T>(inputs: readonly FuzzInput[], fn: (...v: number[]) => T): T[] {
  const out = broadcastOf(inputs.map((x) => x.shape));
  const strides = inputs.map((x) => alignedStrides(x.shape, out));
  const n = sizeOf(out);
  const result: T[] = [];
  const idx = new Array<number>(out.length).fill(0);
  for (let i = 0; i < n; i++) {
    result.push(fn(...inputs.map((x, k) => x.values[idx.reduce((s, v, d) => s + v * strides[k]![d]!, 0)]!)));
    for (let d = out.length - 1; d >= 0; d--) {
      if (++idx[d]! < out[d]!) break;
      idx[d] = 0;
    }
  }
  return result;
}

const sameNumber = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || a === b;

/** Replaces each element of `expected` for which `fix` gives a number (a documented rule). */
function fixElements(expected: FuzzResult, fix: (i: number) => number | undefined): FuzzResult {
  return { ...expected, data: expected.data.map((v, i) => fix(i) ?? v) };
}

/** A random axis argument for a reduction over rank `rank`: null, one axis, a list, or []. */
function axisArg(r: Rng, rank: number): number | number[] | null {
  const kind = r.int(0, 3);
  if (rank === 0) return kind === 0 ? [] : null;
  const signed = (a: number) => (r.chance(0.3) ? a - rank : a);
  if (kind === 0) return null;
  if (kind === 1) return signed(r.int(0, rank - 1));
  if (kind === 2 && r.chance(0.1)) return [];
  return r.permutation(rank).slice(0, r.int(1, rank)).map(signed);
}

/** The axes (non-negative, sorted) an axis argument reduces. */
function reducedAxes(axis: number | number[] | null, rank: number): number[] {
  if (axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list = Array.isArray(axis) ? axis : [axis];
  return list.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

/** tfjs takes `undefined` for "all axes". */
const tfjsAxis = (axis: number | number[] | null) => axis ?? undefined;

const floatInput = (r: Rng, name: string, shape: readonly number[], profile: FloatProfile = {}) => r.input(name, shape, "float32", profile);

/** The largest finite magnitude among `values` (at least 1). */
function maxAbs(values: readonly number[]): number {
  let m = 1;
  for (const v of values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}

// ---------------------------------------------------------------------------------------
// Elementwise unary

interface UnarySpec {
  readonly name: string;
  readonly kiln: (x: tf.Tensor) => tf.Tensor;
  readonly tfjs: (x: tfjs.Tensor) => tfjs.Tensor;
  readonly dtypes: readonly FuzzDType[];
  readonly range?: readonly [number, number];
  readonly ints?: IntProfile;
  /** The int32 result where tfjs's is wrong (see abs). */
  readonly intReference?: (x: number) => number;
  readonly atol?: number;
  readonly rtol?: number;
}

const UNARY: readonly UnarySpec[] = [
  { name: "neg", kiln: tf.neg, tfjs: tfjs.neg, dtypes: NUMERIC },
  // tfjs computes int32 abs and square in a Float32Array, exact only below 2^24 (abs(-2147483647)
  // gives -2147483648, square(46341) -2147479040): int32 results are checked against C's wrapping arithmetic instead.
  { name: "abs", kiln: tf.abs, tfjs: tfjs.abs, dtypes: NUMERIC, intReference: (x) => (x === INT_MIN ? INT_MIN : Math.abs(x)) },
  { name: "sign", kiln: tf.sign, tfjs: tfjs.sign, dtypes: NUMERIC },
  { name: "square", kiln: tf.square, tfjs: tfjs.square, dtypes: NUMERIC, intReference: (x) => Math.imul(x, x) },
  { name: "exp", kiln: tf.exp, tfjs: tfjs.exp, dtypes: ["float32"], range: [-12, 12] },
  { name: "expm1", kiln: tf.expm1, tfjs: tfjs.expm1, dtypes: ["float32"], range: [-3, 3] },
  { name: "log", kiln: tf.log, tfjs: tfjs.log, dtypes: ["float32"], range: [0, 20] },
  { name: "log1p", kiln: tf.log1p, tfjs: tfjs.log1p, dtypes: ["float32"], range: [-1, 5] },
  { name: "sqrt", kiln: tf.sqrt, tfjs: tfjs.sqrt, dtypes: ["float32"], range: [0, 20] },
  { name: "rsqrt", kiln: tf.rsqrt, tfjs: tfjs.rsqrt, dtypes: ["float32"], range: [0, 20] },
  { name: "reciprocal", kiln: tf.reciprocal, tfjs: tfjs.reciprocal, dtypes: ["float32"] },
  { name: "sin", kiln: tf.sin, tfjs: tfjs.sin, dtypes: ["float32"], range: [-10, 10] },
  { name: "cos", kiln: tf.cos, tfjs: tfjs.cos, dtypes: ["float32"], range: [-10, 10] },
  { name: "tanh", kiln: tf.tanh, tfjs: tfjs.tanh, dtypes: ["float32"] },
  { name: "sigmoid", kiln: tf.sigmoid, tfjs: tfjs.sigmoid, dtypes: ["float32"], range: [-20, 20] },
  { name: "relu", kiln: tf.relu, tfjs: tfjs.relu, dtypes: NUMERIC },
  { name: "relu6", kiln: tf.relu6, tfjs: tfjs.relu6, dtypes: NUMERIC, range: [-3, 9] },
  { name: "elu", kiln: tf.elu, tfjs: tfjs.elu, dtypes: ["float32"] },
  { name: "selu", kiln: tf.selu, tfjs: tfjs.selu, dtypes: ["float32"] },
  { name: "softplus", kiln: tf.softplus, tfjs: tfjs.softplus, dtypes: ["float32"], range: [-30, 30] },
  // tfjs's erf is a polynomial approximation accurate to about 1.5e-7 (Kiln's is accurate to float32 rounding).
  { name: "erf", kiln: tf.erf, tfjs: tfjs.erf, dtypes: ["float32"], range: [-4, 4], atol: 1e-6 },
  { name: "floor", kiln: tf.floor, tfjs: tfjs.floor, dtypes: ["float32"] },
  { name: "ceil", kiln: tf.ceil, tfjs: tfjs.ceil, dtypes: ["float32"] },
  { name: "round", kiln: tf.round, tfjs: tfjs.round, dtypes: ["float32"] },
  { name: "isNaN", kiln: tf.isNaN, tfjs: tfjs.isNaN, dtypes: ["float32"] },
  { name: "isFinite", kiln: tf.isFinite, tfjs: tfjs.isFinite, dtypes: ["float32"] },
  { name: "logicalNot", kiln: tf.logicalNot, tfjs: tfjs.logicalNot, dtypes: ["bool"] },
];

function unaryFuzzer(spec: UnarySpec): OpFuzzer {
  return {
    name: spec.name,
    make: (r) => {
      // Kiln follows TF's dtype rules (exp of int32 is a DTypeError; tfjs casts to float32):
      // now and then, check that Kiln rejects a dtype the op does not accept.
      if (!spec.dtypes.includes("int32") && spec.dtypes.includes("float32") && r.chance(0.03)) {
        const x = r.input("x", r.shape(), "int32");
        return {
          inputs: [x],
          attrs: {},
          kiln: ([a]) => spec.kiln(a!),
          tfjs: ([a]) => spec.tfjs(a!),
          kilnRejects: "TF's dtype rules: int32 is not accepted",
        };
      }
      const dtype = r.pick(spec.dtypes);
      const [lo, hi] = spec.range ?? [-6, 6];
      const x = r.input("x", r.shape(), dtype, { lo, hi }, spec.ints ?? {});
      const intReference = spec.intReference;
      const adapt =
        dtype === "int32" && intReference !== undefined
          ? ([e]: FuzzResult[]) => [fixElements(e!, (i) => intReference(x.values[i]!))]
          : undefined;
      return {
        inputs: [x],
        attrs: {},
        kiln: ([a]) => spec.kiln(a!),
        tfjs: ([a]) => spec.tfjs(a!),
        atol: spec.atol ?? 1e-6,
        rtol: spec.rtol ?? 1e-5,
        ...(adapt === undefined ? {} : { adapt }),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------
// Elementwise binary (broadcasting)

interface BinarySpec {
  readonly name: string;
  readonly kiln: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  readonly tfjs: (a: tfjs.Tensor, b: tfjs.Tensor) => tfjs.Tensor;
  readonly dtypes: readonly FuzzDType[];
  readonly range?: readonly [number, number];
  readonly ints?: IntProfile;
  readonly intsB?: IntProfile;
  /** Rewrites tfjs's float32 result where Kiln documents another answer. */
  readonly adaptFloat?: (a: number, b: number) => number | undefined;
}

// tfjs multiplies int32 in doubles, exact only below 2^53: operands up to 2^26 keep the
// product exact, so both sides wrap the same exact value (C's wrap-around).
const MUL_INTS: IntProfile = { extremes: true, pool: [46341, -46341, 65536, -65536, 0, 1, -1], wide: 2 ** 26 };

/**
 * TF's FloorMod for floats (Kiln's documented rule, ir/scalar.ts): `r = fmod(a, b)`, plus `b`
 * when `r` is non-zero and its sign differs from `b`'s. tfjs computes `(r + b) % b` instead,
 * which differs when `b` is infinite (TF: `mod(-5, Infinity)` is Infinity, tfjs NaN) or
 * `r + b` rounds to `b` (TF: `mod(-1e-30, 3)` is 3, tfjs 0).
 */
function tfFloorMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? Math.fround(r + b) : r;
}

function tfjsFloorMod(a: number, b: number): number {
  const r = a % b;
  if ((a < 0 && b < 0) || (a >= 0 && b >= 0)) return r;
  return (r + b) % b;
}

const BINARY: readonly BinarySpec[] = [
  { name: "add", kiln: tf.add, tfjs: tfjs.add, dtypes: NUMERIC },
  { name: "sub", kiln: tf.sub, tfjs: tfjs.sub, dtypes: NUMERIC },
  { name: "mul", kiln: tf.mul, tfjs: tfjs.mul, dtypes: NUMERIC, ints: MUL_INTS, intsB: MUL_INTS },
  { name: "div", kiln: tf.div, tfjs: tfjs.div, dtypes: NUMERIC },
  {
    name: "floorDiv",
    kiln: tf.floorDiv,
    // Documented: tfjs returns int32 for float32 floorDiv; TF (and Kiln) keep float32. tfjs's
    // values are compared after a cast back, and replaced by TF's rule (below) where tfjs's int32 result cannot hold them.
    tfjs: (a, b) => tfjs.cast(tfjs.floorDiv(a, b), a.dtype),
    dtypes: NUMERIC,
    // Documented (binary suite): TF floors the float32-rounded quotient (1 / 0.1f is 10, tfjs 9);
    // tfjs's int32 result also turns NaN, ±Infinity and quotients past the int32 range into other numbers.
    adaptFloat: (a, b) => {
      const tf32 = Math.floor(Math.fround(a / b));
      const js = Math.floor(a / b);
      return !Number.isFinite(tf32) || Math.abs(tf32) >= 2 ** 31 || js !== tf32 ? tf32 : undefined;
    },
  },
  {
    name: "mod",
    kiln: tf.mod,
    tfjs: tfjs.mod,
    dtypes: NUMERIC,
    adaptFloat: (a, b) => {
      const want = tfFloorMod(a, b);
      return sameNumber(want, Math.fround(tfjsFloorMod(a, b))) ? undefined : want;
    },
  },
  {
    name: "pow",
    kiln: tf.pow,
    tfjs: tfjs.pow,
    dtypes: NUMERIC,
    range: [-4, 4],
    // tfjs computes int32 powers with Math.pow in doubles: exact while |result| < 2^53.
    ints: { lo: -12, hi: 12, extremes: false, wide: 12 },
    intsB: { lo: -3, hi: 14, extremes: false, wide: 3 },
    // Documented: Kiln follows C's powf where Math.pow differs: pow(1, y) is 1 for every y
    // (NaN too) and pow(-1, ±Infinity) is 1.
    adaptFloat: (a, b) => (a === 1 || (a === -1 && !Number.isFinite(b) && !Number.isNaN(b)) ? 1 : undefined),
  },
  { name: "maximum", kiln: tf.maximum, tfjs: tfjs.maximum, dtypes: NUMERIC },
  { name: "minimum", kiln: tf.minimum, tfjs: tfjs.minimum, dtypes: NUMERIC },
  // (a - b)^2 in doubles is exact while |a - b| < 2^26.5.
  {
    name: "squaredDifference",
    kiln: tf.squaredDifference,
    tfjs: tfjs.squaredDifference,
    dtypes: NUMERIC,
    ints: { ...MUL_INTS, wide: 2 ** 25 },
    intsB: { ...MUL_INTS, wide: 2 ** 25 },
  },
  { name: "atan2", kiln: tf.atan2, tfjs: tfjs.atan2, dtypes: ["float32"] },
  { name: "equal", kiln: tf.equal, tfjs: tfjs.equal, dtypes: ALL },
  { name: "notEqual", kiln: tf.notEqual, tfjs: tfjs.notEqual, dtypes: ALL },
  { name: "less", kiln: tf.less, tfjs: tfjs.less, dtypes: NUMERIC },
  { name: "lessEqual", kiln: tf.lessEqual, tfjs: tfjs.lessEqual, dtypes: NUMERIC },
  { name: "greater", kiln: tf.greater, tfjs: tfjs.greater, dtypes: NUMERIC },
  { name: "greaterEqual", kiln: tf.greaterEqual, tfjs: tfjs.greaterEqual, dtypes: NUMERIC },
  { name: "logicalAnd", kiln: tf.logicalAnd, tfjs: tfjs.logicalAnd, dtypes: ["bool"] },
  { name: "logicalOr", kiln: tf.logicalOr, tfjs: tfjs.logicalOr, dtypes: ["bool"] },
];

function binaryFuzzer(spec: BinarySpec): OpFuzzer {
  return {
    name: spec.name,
    make: (r) => {
      const dtype = r.pick(spec.dtypes);
      const call = { kiln: ([a, b]: tf.Tensor[]) => spec.kiln(a!, b!), tfjs: ([a, b]: tfjs.Tensor[]) => spec.tfjs(a!, b!) };
      // Both libraries reject shapes that do not broadcast.
      if (r.chance(0.03)) {
        const a = r.input("a", [2, 3], dtype);
        const b = r.input("b", r.pick([[4], [3, 2], [2, 0]]), dtype);
        return { inputs: [a, b], attrs: {}, ...call };
      }
      // Kiln (like TF) rejects operands of different dtypes; tfjs upcasts them.
      if (spec.dtypes.length > 1 && dtype !== "bool" && r.chance(0.02)) {
        const a = r.input("a", r.shape(), dtype);
        const b = r.input("b", r.shape(), dtype === "float32" ? "int32" : "float32");
        return { inputs: [a, b], attrs: {}, ...call, kilnRejects: "operands of different dtypes are a DTypeError (TF), tfjs upcasts" };
      }
      const [sa, sb] = r.broadcastShapes(2);
      const [lo, hi] = spec.range ?? [-6, 6];
      const a = r.input("a", sa!, dtype, { lo, hi }, spec.ints ?? {});
      const b = r.input("b", sb!, dtype, { lo, hi }, spec.intsB ?? spec.ints ?? {});
      const adaptFloat = spec.adaptFloat;
      const adapt =
        adaptFloat !== undefined && dtype === "float32"
          ? ([e]: FuzzResult[]) => {
              const fixes = broadcastMap([a, b], adaptFloat);
              return [fixElements(e!, (i) => fixes[i])];
            }
          : undefined;
      return { inputs: [a, b], attrs: {}, ...call, ...(adapt === undefined ? {} : { adapt }) };
    },
  };
}

// ---------------------------------------------------------------------------------------
// Selection: where, cast, clipByValue

const whereFuzzer: OpFuzzer = {
  name: "where",
  make: (r) => {
    const dtype = r.pick(ALL);
    const [sc, sa, sb] = r.broadcastShapes(3);
    const c = r.input("condition", sc!, "bool");
    const a = r.input("a", sa!, dtype);
    const b = r.input("b", sb!, dtype);
    const out = broadcastOf([sc!, sa!, sb!]);
    const base: FuzzCase = {
      inputs: [c, a, b],
      attrs: {},
      kiln: ([x, y, z]) => tf.where(x!, y!, z!),
      tfjs: ([x, y, z]) => tfjs.where(x!, y!, z!),
    };
    // Documented (selection suite): tfjs 4.22 drops a zero-size broadcast dim (NumPy keeps it):
    // an empty result is checked against the broadcast shape instead.
    if (sizeOf(out) === 0) return { ...base, reference: () => [{ shape: out, dtype, data: [] }] };
    return base;
  },
};

const castFuzzer: OpFuzzer = {
  name: "cast",
  make: (r) => {
    const from = r.pick(ALL);
    const to = r.pick(ALL);
    const x = r.input("x", r.shape(), from);
    // Documented (tf.cast): float32 -> int32 saturates out-of-range values and ±Infinity (tfjs wraps them modulo 2^32).
    const adapt =
      from === "float32" && to === "int32"
        ? ([e]: FuzzResult[]) => [
            fixElements(e!, (i) => {
              const v = x.values[i]!;
              if (Number.isNaN(v)) return 0;
              if (v >= 2 ** 31) return INT_MAX;
              if (v <= -(2 ** 31) - 1) return INT_MIN;
              return undefined;
            }),
          ]
        : undefined;
    return {
      inputs: [x],
      attrs: { dtype: to },
      kiln: ([a]) => tf.cast(a!, to),
      tfjs: ([a]) => tfjs.cast(a!, to),
      ...(adapt === undefined ? {} : { adapt }),
    };
  },
};

const clipFuzzer: OpFuzzer = {
  name: "clipByValue",
  make: (r) => {
    const dtype = r.pick(NUMERIC);
    const x = r.input("x", r.shape(), dtype, { lo: -4, hi: 4 });
    const bounds =
      dtype === "float32"
        ? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, -2, -0.5, 0, 1, 3, 1e30, -1e30].map(Math.fround)
        : [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, INT_MIN, INT_MAX, -3, 0, 2, 5];
    let lo = r.pick(bounds);
    let hi = r.pick(bounds);
    if (lo > hi) [lo, hi] = [hi, lo];
    // Documented (selection suite): with min == max, NaN elements stay NaN (tfjs fills every
    // element with the bound, and an int32 fill with ±Infinity stores 0; Kiln saturates the bound).
    const saturated = Math.min(INT_MAX, Math.max(INT_MIN, lo));
    const adapt =
      lo !== hi
        ? undefined
        : dtype === "int32"
          ? ([e]: FuzzResult[]) => [fixElements(e!, () => saturated)]
          : ([e]: FuzzResult[]) => [fixElements(e!, (i) => (Number.isNaN(x.values[i]!) ? Number.NaN : undefined))];
    return {
      inputs: [x],
      attrs: { clipValueMin: lo, clipValueMax: hi },
      kiln: ([a]) => tf.clipByValue(a!, lo, hi),
      tfjs: ([a]) => tfjs.clipByValue(a!, lo, hi),
      ...(adapt === undefined ? {} : { adapt }),
    };
  },
};

// ---------------------------------------------------------------------------------------
// Reductions

type Reducer = "sum" | "mean" | "max" | "min" | "prod";

/** What each reduction gives over no elements, per input dtype (bool max/min are or/and). */
const EMPTY_IDENTITY: Record<Reducer, Record<FuzzDType, number>> = {
  sum: { float32: 0, int32: 0, bool: 0 },
  prod: { float32: 1, int32: 1, bool: 1 },
  max: { float32: Number.NEGATIVE_INFINITY, int32: INT_MIN, bool: 0 },
  min: { float32: Number.POSITIVE_INFINITY, int32: INT_MAX, bool: 1 },
  mean: { float32: Number.NaN, int32: Number.NaN, bool: Number.NaN },
};

function reductionFuzzer(op: Reducer): OpFuzzer {
  return {
    name: op,
    make: (r) => {
      const dtype = r.pick(ALL);
      // prod of int32 in tfjs multiplies in doubles, exact only below 2^53: small factors and at most 30 of them.
      const shape = r.shape({ maxSize: op === "prod" ? 30 : 96 });
      // Documented (reduction suite): Kiln accumulates float32 sums in double precision, so a
      // mean of huge values stays finite where tfjs's float32 sum overflows. No huge values for mean.
      const floats: FloatProfile = op === "mean" ? { pool: NO_HUGE } : {};
      const ints: IntProfile = op === "prod" ? { lo: -3, hi: 3, extremes: false, wide: 3 } : {};
      const x = r.input("x", shape, dtype, floats, ints);
      let axis = axisArg(r, shape.length);
      // Both reject an axis out of range.
      if (shape.length > 0 && r.chance(0.03)) axis = r.pick([shape.length, -shape.length - 1]);
      const keepDims = r.chance(0.5);
      const reduced = sizeOf(reducedAxes(axis, shape.length).map((a) => shape[a] ?? 1));
      // Documented (reduction suite): a reduction over no elements gives TF's identity (sum 0,
      // prod 1, max -Infinity, min +Infinity, mean NaN); tfjs gives NaN for max/min and 0 for mean.
      const identity = EMPTY_IDENTITY[op][dtype];
      const adapt = reduced === 0 ? ([e]: FuzzResult[]) => [fixElements(e!, () => identity)] : undefined;
      return {
        inputs: [x],
        attrs: { axis, keepDims },
        kiln: ([a]) => tf[op](a!, axis, keepDims),
        tfjs: ([a]) => tfjs[op](a!, tfjsAxis(axis), keepDims),
        ...(adapt === undefined ? {} : { adapt }),
        // Sums of n terms: rounding grows with n and the largest term.
        atol: 1e-6 * Math.max(1, reduced) * maxAbs(x.values),
        rtol: 1e-5,
      };
    },
  };
}

function allAnyFuzzer(op: "all" | "any"): OpFuzzer {
  return {
    name: op,
    make: (r) => {
      const shape = r.shape();
      const x = r.input("x", shape, "bool");
      const axis = axisArg(r, shape.length);
      const keepDims = r.chance(0.5);
      const reducedEmpty = reducedAxes(axis, shape.length).some((a) => shape[a] === 0);
      // Documented (reduction suite): over no elements all is true and any is false (TF); tfjs gives false for both.
      const adapt = op === "all" && reducedEmpty ? ([e]: FuzzResult[]) => [fixElements(e!, () => 1)] : undefined;
      return {
        inputs: [x],
        attrs: { axis, keepDims },
        kiln: ([a]) => tf[op](a!, axis, keepDims),
        tfjs: ([a]) => tfjs[op](a!, tfjsAxis(axis), keepDims),
        ...(adapt === undefined ? {} : { adapt }),
      };
    },
  };
}

function argFuzzer(op: "argMax" | "argMin"): OpFuzzer {
  return {
    name: op,
    make: (r) => {
      const dtype = r.pick(ALL);
      const shape = r.shape({ minRank: 1 });
      // Documented (reduction suite): Kiln points at the first NaN (NumPy, consistent with max); tfjs skips NaN. No NaN here.
      const x = r.input("x", shape, dtype, { pool: NO_NAN });
      const axis = r.int(-shape.length, shape.length - 1);
      const base: FuzzCase = { inputs: [x], attrs: { axis }, kiln: ([a]) => tf[op](a!, axis), tfjs: ([a]) => tfjs[op](a!, axis) };
      // Documented (reduction suite): an empty axis has no largest element: Kiln raises an ArgumentError, tfjs returns zeros.
      if (shape[axis < 0 ? axis + shape.length : axis] === 0)
        return { ...base, kilnRejects: "argMax/argMin over an empty axis is an ArgumentError" };
      return base;
    },
  };
}

const logSumExpFuzzer: OpFuzzer = {
  name: "logSumExp",
  make: (r) => {
    const shape = r.shape();
    // Documented (reduction suite): Kiln handles ±Infinity as TF does (tfjs gives NaN): no infinities here.
    const x = floatInput(r, "x", shape, { lo: -10, hi: 10, pool: SPECIAL_FLOATS.filter((v) => Number.isNaN(v) || Number.isFinite(v)) });
    const axis = axisArg(r, shape.length);
    const keepDims = r.chance(0.5);
    const reducedEmpty = reducedAxes(axis, shape.length).some((a) => shape[a] === 0);
    // Documented (reduction suite): the logSumExp of no elements is -Infinity (TF; log of an empty sum).
    const adapt = reducedEmpty ? ([e]: FuzzResult[]) => [fixElements(e!, () => Number.NEGATIVE_INFINITY)] : undefined;
    return {
      inputs: [x],
      attrs: { axis, keepDims },
      kiln: ([a]) => tf.logSumExp(a!, axis, keepDims),
      tfjs: ([a]) => tfjs.logSumExp(a!, tfjsAxis(axis), keepDims),
      atol: 1e-5,
      rtol: 1e-5,
      ...(adapt === undefined ? {} : { adapt }),
    };
  },
};

const cumsumFuzzer: OpFuzzer = {
  name: "cumsum",
  make: (r) => {
    const dtype = r.pick(ALL);
    const shape = r.shape({ minRank: 1 });
    // Kiln carries float32 running sums in double precision (like its reductions), tfjs in
    // float32: FLT_MAX + FLT_MAX - FLT_MAX is FLT_MAX in Kiln and Infinity in tfjs. No huge values here.
    const x = r.input("x", shape, dtype, { pool: NO_HUGE });
    const axis = r.int(-shape.length, shape.length - 1);
    const exclusive = r.chance(0.5);
    const reverse = r.chance(0.5);
    // tfjs 4.22's cumsum does not normalize a negative axis (it returns a malformed shape, [,4,1]
    // for [4,1,4] along -1): tfjs gets the axis as a non-negative number.
    const tfjsAxisValue = axis < 0 ? axis + shape.length : axis;
    return {
      inputs: [x],
      attrs: { axis, exclusive, reverse },
      kiln: ([a]) => tf.cumsum(a!, axis, exclusive, reverse),
      tfjs: ([a]) => tfjs.cumsum(a!, tfjsAxisValue, exclusive, reverse),
      atol: 1e-6 * 6 * maxAbs(x.values),
    };
  },
};

// ---------------------------------------------------------------------------------------
// Shape and movement ops (every dtype, every value)

function anyInput(r: Rng, name: string, shape: readonly number[]): FuzzInput {
  return r.input(name, shape, r.pick(ALL));
}

/** A random shape with the same number of elements as `shape` (dims shuffled, merged, split, 1s inserted). */
function reshapeTarget(r: Rng, shape: readonly number[]): number[] {
  let dims = r.permutation(shape.length).map((i) => shape[i]!);
  if (dims.length > 1 && r.chance(0.5)) {
    const i = r.int(0, dims.length - 2);
    dims = [...dims.slice(0, i), dims[i]! * dims[i + 1]!, ...dims.slice(i + 2)];
  }
  const splittable = dims.findIndex((d) => d === 4 || d === 6 || d === 9);
  if (splittable >= 0 && r.chance(0.5)) {
    const d = dims[splittable]!;
    const f = d === 9 ? 3 : 2;
    dims = [...dims.slice(0, splittable), f, d / f, ...dims.slice(splittable + 1)];
  }
  if (r.chance(0.3)) dims.splice(r.int(0, dims.length), 0, 1);
  return dims;
}

const reshapeFuzzer: OpFuzzer = {
  name: "reshape",
  make: (r) => {
    const shape = r.shape();
    const x = anyInput(r, "x", shape);
    const target = reshapeTarget(r, shape);
    // One -1 to infer, where the other dims are not zero (with a zero, -1 has no single answer: both reject).
    if (target.length > 0 && r.chance(0.4)) target[r.int(0, target.length - 1)] = -1;
    return { inputs: [x], attrs: { shape: target }, kiln: ([a]) => tf.reshape(a!, target), tfjs: ([a]) => tfjs.reshape(a!, target) };
  },
};

const transposeFuzzer: OpFuzzer = {
  name: "transpose",
  make: (r) => {
    const shape = r.shape({ maxRank: 5 });
    const x = anyInput(r, "x", shape);
    const perm = r.chance(0.2) ? undefined : r.permutation(shape.length);
    return { inputs: [x], attrs: { perm }, kiln: ([a]) => tf.transpose(a!, perm), tfjs: ([a]) => tfjs.transpose(a!, perm) };
  },
};

const expandDimsFuzzer: OpFuzzer = {
  name: "expandDims",
  make: (r) => {
    const shape = r.shape();
    const x = anyInput(r, "x", shape);
    const axis = r.int(-shape.length - 1, shape.length);
    return { inputs: [x], attrs: { axis }, kiln: ([a]) => tf.expandDims(a!, axis), tfjs: ([a]) => tfjs.expandDims(a!, axis) };
  },
};

const squeezeFuzzer: OpFuzzer = {
  name: "squeeze",
  make: (r) => {
    const shape = r.shape().map((d) => (r.chance(0.4) ? 1 : d));
    const x = anyInput(r, "x", shape);
    const ones = shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
    let axis: number[] | undefined = r.chance(0.3)
      ? undefined
      : ones.filter(() => r.chance(0.6)).map((a) => (r.chance(0.3) ? a - shape.length : a));
    // Both reject squeezing a dim that is not 1.
    const notOne = shape.findIndex((d) => d !== 1);
    if (notOne >= 0 && r.chance(0.05)) axis = [notOne];
    return { inputs: [x], attrs: { axis }, kiln: ([a]) => tf.squeeze(a!, axis), tfjs: ([a]) => tfjs.squeeze(a!, axis) };
  },
};

const broadcastToFuzzer: OpFuzzer = {
  name: "broadcastTo",
  make: (r) => {
    const shape = r.shape({ maxRank: 3, maxSize: 24 }).map((d) => (r.chance(0.5) ? 1 : d));
    const x = anyInput(r, "x", shape);
    const lead = Array.from({ length: r.int(0, 2) }, () => r.int(0, 3));
    const target = [...lead, ...shape.map((d) => (d === 1 ? r.int(0, 4) : d))];
    const base: FuzzCase = {
      inputs: [x],
      attrs: { shape: target },
      kiln: ([a]) => tf.broadcastTo(a!, target),
      tfjs: ([a]) => tfjs.broadcastTo(a!, target),
    };
    // tfjs 4.22 ignores a zero in the target (broadcastTo([1], [0]) has shape [1]); NumPy, TF and Kiln give the empty shape.
    return sizeOf(target) === 0 ? { ...base, reference: () => [{ shape: target, dtype: x.dtype, data: [] }] } : base;
  },
};

const tileFuzzer: OpFuzzer = {
  name: "tile",
  make: (r) => {
    const shape = r.shape({ maxRank: 3, maxSize: 24 });
    const x = anyInput(r, "x", shape);
    const reps = shape.map(() => r.int(0, 3));
    return { inputs: [x], attrs: { reps }, kiln: ([a]) => tf.tile(a!, reps), tfjs: ([a]) => tfjs.tile(a!, reps) };
  },
};

const reverseFuzzer: OpFuzzer = {
  name: "reverse",
  make: (r) => {
    const shape = r.shape();
    const x = anyInput(r, "x", shape);
    const rank = shape.length;
    const axis: number | number[] | undefined =
      r.chance(0.2) || rank === 0
        ? undefined
        : r.chance(0.3)
          ? r.int(-rank, rank - 1)
          : r.subset(rank).map((a) => (r.chance(0.3) ? a - rank : a));
    return { inputs: [x], attrs: { axis }, kiln: ([a]) => tf.reverse(a!, axis), tfjs: ([a]) => tfjs.reverse(a!, axis) };
  },
};

const padFuzzer: OpFuzzer = {
  name: "pad",
  make: (r) => {
    const shape = r.shape({ maxRank: 3, maxSize: 40 });
    const dtype = r.pick(ALL);
    const x = r.input("x", shape, dtype);
    const paddings = shape.map(() => [r.int(0, 2), r.int(0, 2)] as [number, number]);
    const constant =
      dtype === "bool"
        ? r.int(0, 1)
        : dtype === "int32"
          ? r.pick([0, -7, INT_MIN, INT_MAX])
          : r.pick([0, -1.5, Number.NaN, Number.POSITIVE_INFINITY, -0]);
    // Kiln takes a boolean constant for bool tensors; tfjs a number.
    const kilnConstant = dtype === "bool" ? constant === 1 : constant;
    const base: FuzzCase = {
      inputs: [x],
      attrs: { paddings, constantValue: constant },
      kiln: ([a]) => tf.pad(a!, paddings, kilnConstant),
      tfjs: ([a]) => tfjs.pad(a!, paddings, constant),
    };
    // Documented (shape ops suite): a scalar pads to itself with no paddings (TF); tfjs throws.
    if (shape.length === 0)
      return { ...base, tfjsMayThrow: "tfjs cannot pad a scalar", fallback: () => [{ shape: [], dtype, data: [...x.values] }] };
    return base;
  },
};

const concatFuzzer: OpFuzzer = {
  name: "concat",
  make: (r) => {
    const base = r.shape({ minRank: 1, maxRank: 3, maxSize: 24 });
    const dtype = r.pick(ALL);
    const rank = base.length;
    const axis = r.int(-rank, rank - 1);
    const a = axis < 0 ? axis + rank : axis;
    const n = r.int(1, 4);
    const inputs = Array.from({ length: n }, (_, i) => {
      const shape = [...base];
      shape[a] = r.int(0, 3);
      return r.input(`x${i}`, shape, dtype);
    });
    // Both reject parts whose other dims differ.
    if (n > 1 && rank > 1 && r.chance(0.04)) {
      const other = (a + 1) % rank;
      const shape = [...inputs[0]!.shape];
      shape[other] = shape[other]! + 1;
      inputs[0] = r.input("x0", shape, dtype);
    }
    return { inputs, attrs: { axis }, kiln: (xs) => tf.concat(xs, axis), tfjs: (xs) => tfjs.concat(xs, axis) };
  },
};

const stackFuzzer: OpFuzzer = {
  name: "stack",
  make: (r) => {
    const shape = r.shape({ maxRank: 3, maxSize: 24 });
    const dtype = r.pick(ALL);
    const axis = r.int(-shape.length - 1, shape.length);
    const inputs = Array.from({ length: r.int(1, 4) }, (_, i) => r.input(`x${i}`, shape, dtype));
    return { inputs, attrs: { axis }, kiln: (xs) => tf.stack(xs, axis), tfjs: (xs) => tfjs.stack(xs, axis) };
  },
};

const unstackFuzzer: OpFuzzer = {
  name: "unstack",
  make: (r) => {
    const shape = r.shape({ minRank: 1 });
    const x = anyInput(r, "x", shape);
    const axis = r.int(-shape.length, shape.length - 1);
    return { inputs: [x], attrs: { axis }, kiln: ([a]) => tf.unstack(a!, axis), tfjs: ([a]) => tfjs.unstack(a!, axis) };
  },
};

const splitFuzzer: OpFuzzer = {
  name: "split",
  make: (r) => {
    const shape = r.shape({ minRank: 1, maxDim: 7 });
    const x = anyInput(r, "x", shape);
    const axis = r.int(-shape.length, shape.length - 1);
    const dim = shape[axis < 0 ? axis + shape.length : axis]!;
    let splits: number | number[];
    if (r.chance(0.4)) {
      const divisors = [1, 2, 3, 4, 5, 6, 7].filter((k) => dim % k === 0);
      splits = r.pick(divisors);
    } else {
      const sizes: number[] = [];
      let left = dim;
      while (left > 0 && sizes.length < 4) {
        const s = r.int(0, left);
        sizes.push(s);
        left -= s;
      }
      if (left > 0 || sizes.length === 0) sizes.push(left);
      // A -1 infers the rest. Documented (joining suite): tfjs 4.22 miscounts a leading -1, so never first.
      if (sizes.length > 1 && r.chance(0.4)) sizes[r.int(1, sizes.length - 1)] = -1;
      splits = sizes;
    }
    return {
      inputs: [x],
      attrs: { numOrSizeSplits: splits, axis },
      kiln: ([a]) => tf.split(a!, splits, axis),
      tfjs: ([a]) => tfjs.split(a!, splits, axis),
    };
  },
};

const sliceFuzzer: OpFuzzer = {
  name: "slice",
  make: (r) => {
    const shape = r.shape();
    const x = anyInput(r, "x", shape);
    const begin = shape.map((d) => r.int(0, d));
    const size = shape.map((d, i) => (r.chance(0.25) ? -1 : r.int(0, d - begin[i]!)));
    const base: FuzzCase = {
      inputs: [x],
      attrs: { begin, size },
      kiln: ([a]) => tf.slice(a!, begin, size),
      tfjs: ([a]) => tfjs.slice(a!, begin, size),
    };
    // Documented (slicing suite): Kiln slices a scalar with empty begin/size to itself, as TF does; tfjs throws.
    if (shape.length === 0)
      return { ...base, tfjsMayThrow: "tfjs cannot slice a scalar", fallback: () => [{ shape: [], dtype: x.dtype, data: [...x.values] }] };
    return base;
  },
};

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

/** Reads `values` (row-major, `shape`) at every combination of the picked indices. */
function gatherPicks(values: readonly number[], shape: readonly number[], picks: readonly number[][]): number[] {
  const out: number[] = [];
  const walk = (d: number, offset: number): void => {
    if (d === shape.length) {
      out.push(values[offset]!);
      return;
    }
    const stride = sizeOf(shape.slice(d + 1));
    for (const i of picks[d]!) walk(d + 1, offset + i * stride);
  };
  walk(0, 0);
  return out;
}

const stridedSliceFuzzer: OpFuzzer = {
  name: "stridedSlice",
  weight: 2,
  make: (r) => {
    const shape = r.shape({ minRank: 1, maxDim: 6 });
    const x = anyInput(r, "x", shape);
    const n = r.int(1, shape.length);
    const bits = () => r.subset(n, 0.3).reduce((m, i) => m | (1 << i), 0);
    const begin = Array.from({ length: n }, (_, i) => r.int(-shape[i]! - 2, shape[i]! + 2));
    const end = Array.from({ length: n }, (_, i) => r.int(-shape[i]! - 2, shape[i]! + 2));
    const strides = Array.from({ length: n }, () => r.pick([-3, -2, -1, 1, 1, 2, 3]));
    const beginMask = bits();
    const endMask = bits();
    // Ellipsis, new-axis and shrink masks now and then (shrink only on in-range indices).
    let ellipsisMask = 0;
    let newAxisMask = 0;
    let shrinkAxisMask = 0;
    if (r.chance(0.3)) {
      const kind = r.int(0, 2);
      const i = r.int(0, n - 1);
      if (kind === 0) ellipsisMask = 1 << i;
      else if (kind === 1) newAxisMask = 1 << i;
      else if (shape[i]! > 0) {
        shrinkAxisMask = 1 << i;
        begin[i] = r.int(-shape[i]!, shape[i]! - 1);
        end[i] = begin[i]! + 1;
        strides[i] = 1;
      }
    }
    const args = [begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask] as const;
    const reference = () => [referenceStridedSlice(x, begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask)];
    const base: FuzzCase = {
      inputs: [x],
      attrs: { begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask },
      kiln: ([a]) => tf.stridedSlice(a!, ...args),
      tfjs: ([a]) => tfjs.stridedSlice(a!, ...args),
      // Documented (slicing suite): tfjs 4.22 throws on some valid empty and reversed slices:
      // then Kiln is checked against NumPy's semantics (the reference below).
      tfjsMayThrow: "tfjs 4.22 throws on some valid empty and reversed slices",
      fallback: reference,
    };
    // tfjs 4.22 reads the wrong element on shrunk axes with a negative index (x[-1] is begin -1,
    // end 0: tfjs reads x[0]) or with a begin/end mask bit set (TF ignores masks on shrunk
    // axes): every shrink is checked against the reference.
    return shrinkAxisMask !== 0 ? { ...base, reference } : base;
  },
};

/** StridedSlice with NumPy's meaning (TF's sparse spec: ellipsis, new axes, shrunk axes, masks), as the oracle where tfjs fails. */
function referenceStridedSlice(
  x: FuzzInput,
  begin: readonly number[],
  end: readonly number[],
  strides: readonly number[],
  beginMask: number,
  endMask: number,
  ellipsisMask: number,
  newAxisMask: number,
  shrinkAxisMask: number,
): FuzzResult {
  const shape = x.shape;
  const n = begin.length;
  const bit = (mask: number, i: number) => (mask & (1 << i)) !== 0;
  let real = 0;
  for (let i = 0; i < n; i++) if (!bit(newAxisMask, i) && !bit(ellipsisMask, i)) real++;
  const picks: number[][] = [];
  const outShape: number[] = [];
  let dim = 0;
  const whole = () => {
    const d = shape[dim++]!;
    picks.push(Array.from({ length: d }, (_, k) => k));
    outShape.push(d);
  };
  let sawEllipsis = false;
  for (let i = 0; i < n; i++) {
    if (bit(ellipsisMask, i) && !sawEllipsis) {
      sawEllipsis = true;
      for (let k = 0; k < shape.length - real; k++) whole();
    } else if (bit(newAxisMask, i)) {
      outShape.push(1);
    } else if (bit(shrinkAxisMask, i)) {
      const d = shape[dim++]!;
      picks.push([begin[i]! < 0 ? begin[i]! + d : begin[i]!]);
    } else {
      const d = shape[dim++]!;
      const p = pythonSlice(d, bit(beginMask, i) ? null : begin[i]!, bit(endMask, i) ? null : end[i]!, strides[i]!);
      picks.push(p);
      outShape.push(p.length);
    }
  }
  while (dim < shape.length) whole();
  return { shape: outShape, dtype: x.dtype, data: gatherPicks(x.values, shape, picks) };
}

// ---------------------------------------------------------------------------------------
// Gather, scatter, oneHot

const gatherFuzzer: OpFuzzer = {
  name: "gather",
  weight: 2,
  make: (r) => {
    const shape = r.shape({ minRank: 1, maxSize: 60 });
    const x = anyInput(r, "x", shape);
    const rank = shape.length;
    const axisPos = r.int(0, rank - 1);
    const batchDims = r.int(0, Math.min(axisPos, 2));
    const axis = r.chance(0.3) ? axisPos - rank : axisPos;
    const idxShape = [...shape.slice(0, batchDims), ...r.shape({ maxRank: 2, maxSize: 6 })];
    const dim = shape[axisPos]!;
    const values = Array.from({ length: sizeOf(idxShape) }, () => (dim === 0 ? 0 : r.int(0, dim - 1)));
    if (values.length > 0 && r.chance(0.04)) values[r.int(0, values.length - 1)] = r.pick([dim, -1, dim + 5]);
    const indices: FuzzInput = { name: "indices", shape: idxShape, dtype: "int32", values };
    const base: FuzzCase = {
      inputs: [x, indices],
      attrs: { axis, batchDims },
      kiln: ([a, i]) => tf.gather(a!, i!, axis, batchDims),
      tfjs: ([a, i]) => tfjs.gather(a!, i!, axis, batchDims),
    };
    // tfjs 4.22 fails on empty inputs with batch dims (a reshape to a NaN dim); the result is empty, of this shape.
    // Kiln (like the gather suite says) rejects every out-of-range index, also when the result
    // is empty; tfjs checks only the indices it copies from.
    if (values.some((v) => v < 0 || v >= dim)) return { ...base, kilnRejects: "an out-of-range index is an ArgumentError" };
    const outShape = [...shape.slice(0, axisPos), ...idxShape.slice(batchDims), ...shape.slice(axisPos + 1)];
    if (sizeOf(outShape) === 0)
      return {
        ...base,
        tfjsMayThrow: "tfjs 4.22 fails on empty gathers with batchDims",
        fallback: () => [{ shape: outShape, dtype: x.dtype, data: [] }],
      };
    return base;
  },
};

const gatherNdFuzzer: OpFuzzer = {
  name: "gatherNd",
  make: (r) => {
    const shape = r.shape({ minRank: 1, maxSize: 60 });
    const x = anyInput(r, "x", shape);
    const m = r.int(1, shape.length);
    const outer = r.shape({ minRank: 1, maxRank: 2, maxSize: 6 });
    const values: number[] = [];
    for (let k = 0; k < sizeOf(outer); k++) for (let j = 0; j < m; j++) values.push(shape[j] === 0 ? 0 : r.int(0, shape[j]! - 1));
    if (values.length > 0 && r.chance(0.04)) values[0] = shape[0]!;
    const indices: FuzzInput = { name: "indices", shape: [...outer, m], dtype: "int32", values };
    const base: FuzzCase = {
      inputs: [x, indices],
      attrs: {},
      kiln: ([a, i]) => tf.gatherNd(a!, i!),
      tfjs: ([a, i]) => tfjs.gatherND(a!, i!),
    };
    // tfjs 4.22 throws for an empty x ("Requested more than 0 entries"); the result is empty, of this shape.
    const outShape = [...outer, ...shape.slice(m)];
    // Kiln rejects every out-of-range index (an index into an empty dimension too: TF says
    // "Requested more than 0 entries, but params is empty"); tfjs checks only what it copies.
    if (values.some((v, k) => v < 0 || v >= shape[k % m]!)) return { ...base, kilnRejects: "an out-of-range index is an ArgumentError" };
    if (sizeOf(shape) === 0 && sizeOf(outShape) === 0)
      return {
        ...base,
        tfjsMayThrow: "tfjs 4.22 cannot gather from an empty tensor",
        fallback: () => [{ shape: outShape, dtype: x.dtype, data: [] }],
      };
    return base;
  },
};

const scatterNdFuzzer: OpFuzzer = {
  name: "scatterNd",
  make: (r) => {
    // Kiln ors bool updates; tfjs 4.22 adds them into a bool buffer (2 for two trues): numeric dtypes only.
    const dtype = r.pick(NUMERIC);
    const shape = r.shape({ minRank: 1, maxRank: 3, maxSize: 40, empty: false });
    const m = r.int(1, shape.length);
    const count = r.int(0, 6);
    const values: number[] = [];
    for (let k = 0; k < count; k++) for (let j = 0; j < m; j++) values.push(r.int(0, shape[j]! - 1));
    const indices: FuzzInput = { name: "indices", shape: [count, m], dtype: "int32", values };
    // Duplicate indices add up: float sums of specials depend only on the order, which both keep.
    const updates = r.input("updates", [count, ...shape.slice(m)], dtype, { pool: NO_HUGE }, { extremes: false, wide: 1000 });
    return {
      inputs: [indices, updates],
      attrs: { shape },
      kiln: ([i, u]) => tf.scatterNd(i!, u!, shape),
      tfjs: ([i, u]) => tfjs.scatterND(i!, u!, shape),
      atol: 1e-5 * maxAbs(updates.values),
    };
  },
};

const oneHotFuzzer: OpFuzzer = {
  name: "oneHot",
  make: (r) => {
    const depth = r.int(0, 5);
    const shape = r.shape({ maxRank: 2, maxSize: 12 });
    const values = Array.from({ length: sizeOf(shape) }, () => r.int(-2, depth + 1));
    const indices: FuzzInput = { name: "indices", shape, dtype: "int32", values };
    const dtype = r.pick(NUMERIC);
    const on = dtype === "int32" ? r.pick([1, 5, -3]) : r.pick([1, 2.5, -0.5]);
    const off = dtype === "int32" ? r.pick([0, -1, 7]) : r.pick([0, 0.25, -3]);
    // Documented: Kiln's default dtype is float32 (TF), tfjs 4 defaults to int32: pass it to both.
    return {
      inputs: [indices],
      attrs: { depth, onValue: on, offValue: off, dtype },
      kiln: ([i]) => tf.oneHot(i!, depth, on, off, dtype),
      tfjs: ([i]) => tfjs.oneHot(i!, depth, on, off, dtype),
      // Documented (gather suite): depth 0 and 1 are valid (TF); tfjs requires depth >= 2.
      tfjsMayThrow: "tfjs requires depth >= 2",
      fallback: () => [
        { shape: [...shape, depth], dtype, data: values.flatMap((v) => Array.from({ length: depth }, (_, j) => (j === v ? on : off))) },
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------
// Contractions: matMul, conv2d, depthwiseConv2d, pools

/** Float values for contractions: no huge values (sums of products then depend on accumulation order and width). */
const CONTRACTION_FLOATS: FloatProfile = { lo: -2, hi: 2, pool: NO_HUGE.filter((v) => !Number.isFinite(v) || Math.abs(v) < 100) };

/**
 * Filter values: finite, because Kiln's conv2d turns a NaN or infinite tap over padding into
 * NaN (it multiplies the padding's zeros: 0 * Infinity) while tfjs and Kiln's own
 * depthwiseConv2d and conv2dTranspose skip padded taps: a known inconsistency, kept out of the
 * default run. `KILN_FUZZ_NONFINITE_FILTERS=1` lets NaN and ±Infinity into filters, to reproduce it.
 */
const FILTER_FLOATS: FloatProfile =
  (typeof process === "undefined" ? undefined : process.env.KILN_FUZZ_NONFINITE_FILTERS) === "1"
    ? CONTRACTION_FLOATS
    : { ...CONTRACTION_FLOATS, pool: CONTRACTION_FLOATS.pool!.filter(Number.isFinite) };

const matMulFuzzer: OpFuzzer = {
  name: "matMul",
  weight: 3,
  make: (r) => {
    const dtype = r.pick(NUMERIC);
    // Now and then sizes past the blocked GEMM's tiles and packing blocks.
    const big = r.chance(0.15);
    const [m, k, n] = [r.int(0, big ? 40 : 6), r.int(0, big ? 70 : 8), r.int(0, big ? 40 : 6)].map((d) =>
      d === 0 && r.chance(0.7) ? 1 : d,
    ) as [number, number, number];
    const tA = r.chance(0.5);
    const tB = r.chance(0.5);
    // Batch dims broadcast (NumPy rules), either side or both.
    const [batchA, batchB] = r.chance(0.4)
      ? [r.shape({ maxRank: 2, maxSize: 6, maxDim: 3 }), undefined]
      : r.broadcastShapes(2, { maxRank: 3, maxSize: 8 });
    const sameBatch = batchB === undefined;
    const sa = [...batchA!, ...(tA ? [k, m] : [m, k])];
    const sb = [...(batchB ?? batchA!), ...(tB ? [n, k] : [k, n])];
    const ints: IntProfile = { lo: -50, hi: 50, extremes: false, wide: 50 };
    const a = r.input("a", sa, dtype, CONTRACTION_FLOATS, ints);
    const b = r.input("b", sb, dtype, CONTRACTION_FLOATS, ints);
    const base: FuzzCase = {
      inputs: [a, b],
      attrs: { transposeA: tA, transposeB: tB },
      kiln: ([x, y]) => tf.matMul(x!, y!, tA, tB),
      tfjs: ([x, y]) => tfjs.matMul(x!, y!, tA, tB),
      atol: 2e-6 * Math.max(1, k) * maxAbs(a.values) * maxAbs(b.values),
      rtol: 1e-5,
    };
    // Documented (matmul suite): tfjs 4.22 indexes the smaller batch modulo its size, right only
    // when the broadcast dims lead ([3,4,5] x [5,6], [2,3,..] x [1,3,..]); two-way and inner
    // broadcasts ([2,1,..] x [2,2,..]) get other stacks' values. Those are checked against a float64 reference.
    // tfjs 4.22 also returns values for an empty batch (NaN for [3,1] x [3,2,0,1,2]).
    const emptyBatch = sizeOf(broadcastOf([batchA!, batchB ?? batchA!])) === 0;
    if (!emptyBatch && (sameBatch || tfjsBatchesRight(batchA!, batchB!))) return base;
    return { ...base, reference: () => [referenceMatMul(a, b, tA, tB, dtype)] };
  },
};

/**
 * Whether tfjs 4.22's batch indexing (output batch `i` reads `a`'s batch `i % sizeA`) is right
 * for these batch shapes: each side, aligned right, must equal the output's trailing dims and be 1 before them.
 */
function tfjsBatchesRight(a: readonly number[], b: readonly number[]): boolean {
  const out = broadcastOf([a, b]);
  const leadsOnly = (side: readonly number[]) => {
    const padded = [...new Array<number>(out.length - side.length).fill(1), ...side];
    let j = out.length;
    while (j > 0 && padded[j - 1] === out[j - 1]) j--;
    return padded.slice(0, j).every((d) => d === 1);
  };
  return leadsOnly(a) && leadsOnly(b);
}

/** A batched matrix product with broadcasting, in float64 (int32 wraps like C), as the oracle where tfjs is wrong. */
function referenceMatMul(a: FuzzInput, b: FuzzInput, tA: boolean, tB: boolean, dtype: FuzzDType): FuzzResult {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [m, k] = tA ? [a.shape[ra - 1]!, a.shape[ra - 2]!] : [a.shape[ra - 2]!, a.shape[ra - 1]!];
  const n = tB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastOf([batchA, batchB]);
  const sa = alignedStrides(batchA, batch);
  const sb = alignedStrides(batchB, batch);
  const data: number[] = [];
  const idx = new Array<number>(batch.length).fill(0);
  for (let q = 0; q < sizeOf(batch); q++) {
    const offA = idx.reduce((s, v, d) => s + v * sa[d]!, 0) * m * k;
    const offB = idx.reduce((s, v, d) => s + v * sb[d]!, 0) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const x = a.values[offA + (tA ? p * m + i : i * k + p)]!;
          const y = b.values[offB + (tB ? j * k + p : p * n + j)]!;
          sum = dtype === "int32" ? (sum + Math.imul(x, y)) | 0 : sum + x * y;
        }
        data.push(dtype === "int32" ? sum : Math.fround(sum));
      }
    }
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++idx[d]! < batch[d]!) break;
      idx[d] = 0;
    }
  }
  return { shape: [...batch, m, n], dtype, data };
}

type Padding = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];

interface Window {
  readonly strides: number | [number, number];
  readonly pad: Padding;
  readonly dilations: number | [number, number];
  readonly dimRoundingMode: "floor" | "round" | "ceil" | undefined;
}

/** Random strides, padding, dilations (only with strides 1: both libraries reject both > 1) and rounding mode. */
function randomWindow(r: Rng, fh: number, fw: number, dilate: boolean): Window {
  const strides: number | [number, number] = r.chance(0.5) ? r.int(1, 3) : [r.int(1, 3), r.int(1, 3)];
  const unitStrides = typeof strides === "number" ? strides === 1 : strides[0] === 1 && strides[1] === 1;
  const dilations: number | [number, number] =
    dilate && unitStrides && r.chance(0.4) ? (r.chance(0.5) ? 2 : [r.int(1, 2), r.int(1, 2)]) : 1;
  const [dh, dw] = typeof dilations === "number" ? [dilations, dilations] : dilations;
  const kind = r.int(0, 3);
  let pad: Padding;
  let dimRoundingMode: Window["dimRoundingMode"];
  // tfjs 4.22 bug: a numeric pad sizes both output dims with the filter height and the stride
  // height (computeOutputShape2D), so numeric pads are used only with square effective windows and equal strides.
  const [sh, sw] = typeof strides === "number" ? [strides, strides] : strides;
  if (kind === 2 && (fh - 1) * dh === (fw - 1) * dw && sh === sw) {
    pad = r.int(0, 2);
    dimRoundingMode = r.pick([undefined, "floor", "round", "ceil"] as const);
  } else if (kind === 3) {
    pad = [
      [0, 0],
      [r.int(0, 2), r.int(0, 2)],
      [r.int(0, 2), r.int(0, 2)],
      [0, 0],
    ];
  } else {
    pad = r.pick(["same", "valid"] as const);
  }
  return { strides, pad, dilations, dimRoundingMode };
}

/**
 * Why Kiln documents rejecting this window where tfjs answers, or undefined:
 * - like TF's GetWindowedOutputSize, an output size `trunc((in + pads - window + stride) / stride)`
 *   below zero is a ShapeError (tfjs returns an empty output or a malformed shape);
 * - TF's explicit padding rounds the output size down: dimRoundingMode "round" and "ceil" are an ArgumentError.
 */
function windowRejection(h: number, w: number, fh: number, fw: number, win: Window): string | undefined {
  if (win.dimRoundingMode === "round" || win.dimRoundingMode === "ceil")
    return `dimRoundingMode "${win.dimRoundingMode}" is an ArgumentError (TF rounds down)`;
  if (win.pad === "same") return undefined;
  const [dh, dw] = typeof win.dilations === "number" ? [win.dilations, win.dilations] : win.dilations;
  const [sh, sw] = typeof win.strides === "number" ? [win.strides, win.strides] : win.strides;
  const [pt, pb, pl, pr] =
    win.pad === "valid"
      ? [0, 0, 0, 0]
      : typeof win.pad === "number"
        ? [win.pad, win.pad, win.pad, win.pad]
        : [win.pad[1][0], win.pad[1][1], win.pad[2][0], win.pad[2][1]];
  const size = (input: number, pads: number, f: number, d: number, s: number) => Math.trunc((input + pads - ((f - 1) * d + 1) + s) / s);
  if (size(h, pt + pb, fh, dh, sh) < 0 || size(w, pl + pr, fw, dw, sw) < 0)
    return "a window larger than the padded input is a ShapeError (TF); tfjs returns an empty or malformed output";
  return undefined;
}

/**
 * Whether the window is larger than the padded input in a dim where TF's output size still
 * truncates to 0 (`(1 + 0 - 4 + 2) / 2` is 0 in C): Kiln, like TF, returns an empty result;
 * tfjs computes a negative size and throws ("Invalid typed array length") or returns a
 * malformed shape ([2,0,-1,3]).
 */
function windowEmpty(h: number, w: number, fh: number, fw: number, win: Window): boolean {
  if (win.pad === "same") return false;
  const [dh, dw] = typeof win.dilations === "number" ? [win.dilations, win.dilations] : win.dilations;
  const [pt, pb, pl, pr] =
    win.pad === "valid"
      ? [0, 0, 0, 0]
      : typeof win.pad === "number"
        ? [win.pad, win.pad, win.pad, win.pad]
        : [win.pad[1][0], win.pad[1][1], win.pad[2][0], win.pad[2][1]];
  return h + pt + pb < (fh - 1) * dh + 1 || w + pl + pr < (fw - 1) * dw + 1;
}

/** A window that does not fit (see windowEmpty): the expected result is empty, of TF's shape (tfjs is not consulted). */
function emptyWindowFallback(c: FuzzCase, shape: () => number[]): FuzzCase {
  return { ...c, reference: () => [{ shape: shape(), dtype: c.inputs[0]!.dtype, data: [] }] };
}

/** The output shape Kiln (TF) gives a windowed op: SAME ceil(in / stride), else trunc((in + pads - window + stride) / stride). */
function windowedShape(x: FuzzInput, fh: number, fw: number, win: Window, channels: number): number[] {
  const rank3 = x.shape.length === 3;
  const [h, w] = rank3 ? [x.shape[0]!, x.shape[1]!] : [x.shape[1]!, x.shape[2]!];
  const [dh, dw] = typeof win.dilations === "number" ? [win.dilations, win.dilations] : win.dilations;
  const [sh, sw] = typeof win.strides === "number" ? [win.strides, win.strides] : win.strides;
  const [pt, pb, pl, pr] =
    win.pad === "valid" || win.pad === "same"
      ? [0, 0, 0, 0]
      : typeof win.pad === "number"
        ? [win.pad, win.pad, win.pad, win.pad]
        : [win.pad[1][0], win.pad[1][1], win.pad[2][0], win.pad[2][1]];
  const size = (input: number, pads: number, f: number, d: number, s: number) =>
    win.pad === "same" ? Math.ceil(input / s) : Math.max(0, Math.trunc((input + pads - ((f - 1) * d + 1) + s) / s));
  const out = [size(h, pt + pb, fh, dh, sh), size(w, pl + pr, fw, dw, sw), channels];
  return rank3 ? out : [x.shape[0]!, ...out];
}

function imageShape(r: Rng, channels: number, big = false): { shape: number[]; h: number; w: number } {
  const h = r.int(1, big ? 18 : 7);
  const w = r.int(1, big ? 18 : 7);
  const batch = r.chance(0.2) ? [] : [r.chance(0.05) ? 0 : r.int(1, 2)];
  return { shape: [...batch, h, w, channels], h, w };
}

function convFuzzer(op: "conv2d" | "depthwiseConv2d"): OpFuzzer {
  return {
    name: op,
    weight: 3,
    make: (r) => {
      // Now and then a layer large enough for the blocked GEMM and several im2col chunks.
      const big = r.chance(0.1);
      const c = r.int(1, big ? 12 : 3);
      const { shape, h, w } = imageShape(r, c, big);
      const [fh, fw] = [r.int(1, big ? 5 : 3), r.int(1, big ? 5 : 3)];
      const last = r.int(1, big ? 12 : 3);
      const win = randomWindow(r, fh, fw, true);
      const x = floatInput(r, "x", shape, CONTRACTION_FLOATS);
      // Finite filters: see FILTER_FLOATS.
      const filter = floatInput(r, "filter", [fh, fw, c, last], FILTER_FLOATS);
      const { strides, pad, dilations, dimRoundingMode } = win;
      const kilnOp = op === "conv2d" ? tf.conv2d : tf.depthwiseConv2d;
      const tfjsOp = op === "conv2d" ? tfjs.conv2d : tfjs.depthwiseConv2d;
      const base: FuzzCase = {
        inputs: [x, filter],
        attrs: { strides, pad, dilations, dimRoundingMode },
        kiln: ([a, f]) => kilnOp(a!, f!, strides, pad, "NHWC", dilations, dimRoundingMode),
        tfjs: ([a, f]) => tfjsOp(a as T4, f as T4, strides, pad as never, "NHWC", dilations, dimRoundingMode),
        atol: 2e-6 * fh * fw * c * maxAbs(x.values) * maxAbs(filter.values),
        rtol: 1e-5,
      };
      const rejection = windowRejection(h, w, fh, fw, win);
      if (rejection !== undefined) return { ...base, kilnRejects: rejection };
      if (windowEmpty(h, w, fh, fw, win))
        return emptyWindowFallback(base, () => windowedShape(x, fh, fw, win, op === "conv2d" ? last : c * last));
      return base;
    },
  };
}

/** conv2dTranspose (Conv2DBackpropInput): the gradient of a random conv2d for its input. */
const conv2dTransposeFuzzer: OpFuzzer = {
  name: "conv2dTranspose",
  weight: 2,
  make: (r) => {
    const big = r.chance(0.1);
    const [n, outDepth, inDepth] = [r.int(1, 2), r.int(1, big ? 8 : 3), r.int(1, big ? 8 : 3)];
    const [fh, fw] = [r.int(1, 3), r.int(1, 3)];
    const [H, W] = [r.int(fh, big ? 16 : 7), r.int(fw, big ? 16 : 7)];
    const strides: number | [number, number] = r.chance(0.5) ? r.int(1, 3) : [r.int(1, 3), r.int(1, 3)];
    const [sh, sw] = typeof strides === "number" ? [strides, strides] : strides;
    const pad = r.pick(["same", "valid"] as const);
    const size = (d: number, f: number, s: number) => (pad === "same" ? Math.ceil(d / s) : Math.floor((d - f) / s) + 1);
    const outputShape: [number, number, number, number] = [n, H, W, outDepth];
    const x = r.input("x", [n, size(H, fh, sh), size(W, fw, sw), inDepth], "float32", CONTRACTION_FLOATS);
    const filter = r.input("filter", [fh, fw, outDepth, inDepth], "float32", FILTER_FLOATS);
    return {
      inputs: [x, filter],
      attrs: { outputShape, strides, pad },
      kiln: ([a, f]) => tf.conv2dTranspose(a!, f!, outputShape, strides, pad),
      tfjs: ([a, f]) => tfjs.conv2dTranspose(a as T4, f as T4, outputShape, strides, pad),
      atol: 2e-6 * fh * fw * inDepth * maxAbs(x.values) * maxAbs(filter.values),
      rtol: 1e-5,
    };
  },
};

function poolFuzzer(op: "maxPool" | "avgPool"): OpFuzzer {
  return {
    name: op,
    weight: 2,
    make: (r) => {
      // maxPool takes int32 too (Kiln and tfjs); avgPool is float32 only.
      const dtype: FuzzDType = op === "maxPool" && r.chance(0.3) ? "int32" : "float32";
      const c = r.int(1, 3);
      const { shape, h, w } = imageShape(r, c);
      const [fh, fw] = [r.int(1, 3), r.int(1, 3)];
      let win = randomWindow(r, fh, fw, false);
      // A window wholly inside explicit padding has no elements: Kiln gives the identity
      // (INT_MIN for an int32 max), tfjs 0. Keep int32 pads below the window.
      if (dtype === "int32" && typeof win.pad !== "string") win = { ...win, pad: "same", dimRoundingMode: undefined };
      const x = r.input("x", shape, dtype);
      const { strides, pad, dimRoundingMode } = win;
      const kilnOp = op === "maxPool" ? tf.maxPool : tf.avgPool;
      const tfjsOp = op === "maxPool" ? tfjs.maxPool : tfjs.avgPool;
      const base: FuzzCase = {
        inputs: [x],
        attrs: { filterSize: [fh, fw], strides, pad, dimRoundingMode },
        kiln: ([a]) => kilnOp(a!, [fh, fw], strides, pad, dimRoundingMode),
        tfjs: ([a]) => tfjsOp(a as T4, [fh, fw], strides, pad as never, dimRoundingMode),
        atol: 1e-6 * maxAbs(x.values),
      };
      const rejection = windowRejection(h, w, fh, fw, win);
      if (rejection !== undefined) return { ...base, kilnRejects: rejection };
      if (windowEmpty(h, w, fh, fw, win)) return emptyWindowFallback(base, () => windowedShape(x, fh, fw, { ...win, dilations: 1 }, c));
      // Documented (convolution suite): a NaN in a maxPool window gives NaN (TF); tfjs drops it.
      // tfjs 4.22 also returns a 1x1 pool's input unchanged whenever its output shape matches,
      // ignoring strides and padding (avgPool 1x1, stride 2, pad 2 on [5,4] gives x, not NaN
      // for windows inside the padding). Both are checked against the reference instead.
      const hasNaN = op === "maxPool" && x.values.some(Number.isNaN);
      if (hasNaN || (fh === 1 && fw === 1)) return { ...base, reference: () => [referencePool(op, x, fh, fw, win)] };
      return base;
    },
  };
}

/** MaxPool / AvgPool with TF's meaning (windows over in-bounds elements; NaN wins a max; an empty window gives -Infinity / INT_MIN / NaN). */
function referencePool(op: "maxPool" | "avgPool", x: FuzzInput, fh: number, fw: number, win: Window): FuzzResult {
  const rank3 = x.shape.length === 3;
  const [n, h, w, c] = (rank3 ? [1, ...x.shape] : x.shape) as [number, number, number, number];
  const [sh, sw] = typeof win.strides === "number" ? [win.strides, win.strides] : win.strides;
  let pt = 0;
  let pb = 0;
  let pl = 0;
  let pr = 0;
  if (win.pad === "same") {
    const padH = Math.max((Math.ceil(h / sh) - 1) * sh + fh - h, 0);
    const padW = Math.max((Math.ceil(w / sw) - 1) * sw + fw - w, 0);
    [pt, pb, pl, pr] = [Math.floor(padH / 2), padH - Math.floor(padH / 2), Math.floor(padW / 2), padW - Math.floor(padW / 2)];
  } else if (typeof win.pad === "number") {
    [pt, pb, pl, pr] = [win.pad, win.pad, win.pad, win.pad];
  } else if (win.pad !== "valid") {
    [pt, pb, pl, pr] = [win.pad[1][0], win.pad[1][1], win.pad[2][0], win.pad[2][1]];
  }
  const oh = win.pad === "same" ? Math.ceil(h / sh) : Math.trunc((h + pt + pb - fh + sh) / sh);
  const ow = win.pad === "same" ? Math.ceil(w / sw) : Math.trunc((w + pl + pr - fw + sw) / sw);
  const data: number[] = [];
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ch = 0; ch < c; ch++) {
          let best = x.dtype === "int32" ? INT_MIN : Number.NEGATIVE_INFINITY;
          let sum = 0;
          let count = 0;
          for (let dy = 0; dy < fh; dy++) {
            for (let dx = 0; dx < fw; dx++) {
              const y = oy * sh - pt + dy;
              const xx = ox * sw - pl + dx;
              if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
              const v = x.values[((b * h + y) * w + xx) * c + ch]!;
              best = Number.isNaN(best) || Number.isNaN(v) ? Number.NaN : Math.max(best, v);
              sum += v;
              count++;
            }
          }
          data.push(op === "maxPool" ? best : count === 0 ? Number.NaN : Math.fround(sum / count));
        }
      }
    }
  }
  return { shape: rank3 ? [oh, ow, c] : [n, oh, ow, c], dtype: x.dtype, data };
}

// ---------------------------------------------------------------------------------------
// nn: softmax, logSoftmax, topK

function softmaxFuzzer(op: "softmax" | "logSoftmax"): OpFuzzer {
  return {
    name: op,
    make: (r) => {
      const shape = r.shape({ minRank: 1 });
      const x = floatInput(r, "logits", shape, { lo: -10, hi: 10 });
      // tfjs supports only the last axis (Kiln any): the last axis, spelled -1 or rank - 1.
      const axis = r.chance(0.5) ? -1 : shape.length - 1;
      return {
        inputs: [x],
        attrs: { axis },
        kiln: ([a]) => (op === "softmax" ? tf.softmax(a!, axis) : tf.logSoftmax(a!, axis)),
        tfjs: ([a]) => (op === "softmax" ? tfjs.softmax(a!, axis) : tfjs.logSoftmax(a!, axis)),
        atol: 1e-6,
        rtol: 1e-5,
      };
    },
  };
}

/** The indices of the k largest entries of each row (stable: ties keep the lower index first). */
function stableTopKIndices(values: readonly number[], rowLength: number, k: number): number[] {
  const out: number[] = [];
  for (let start = 0; start < values.length; start += rowLength) {
    const order = Array.from({ length: rowLength }, (_, i) => i);
    order.sort((i, j) => {
      const a = values[start + i]!;
      const b = values[start + j]!;
      return a > b ? -1 : a < b ? 1 : i - j;
    });
    out.push(...order.slice(0, k));
  }
  return out;
}

const topKFuzzer: OpFuzzer = {
  name: "topK",
  make: (r) => {
    const dtype = r.pick(ALL);
    const shape = r.shape({ minRank: 1 });
    // Documented (topK): NaN counts as larger than every number. tfjs selects with the
    // comparator b - a, which is NaN for NaN and for two infinities of one sign, so its answer
    // depends on the neighbours: no NaN and no infinities here.
    const x = r.input("x", shape, dtype, { pool: SPECIAL_FLOATS.filter(Number.isFinite) });
    const last = shape.at(-1)!;
    const k = r.int(0, last);
    return {
      inputs: [x],
      attrs: { k },
      kiln: ([a]) => {
        const { values, indices } = tf.topK(a!, k);
        return [values, indices];
      },
      tfjs: ([a]) => {
        const { values, indices } = tfjs.topk(a!, k);
        return [values, indices];
      },
      // Documented (topK): equal values keep the lower index first (tfjs too, for finite values);
      // the indices are also checked against a stable sort.
      adapt: ([values, indices]) => [values!, { ...indices!, data: stableTopKIndices(x.values, last, k) }],
    };
  },
};

// ---------------------------------------------------------------------------------------
// Creation

const fillFuzzer: OpFuzzer = {
  name: "fill",
  make: (r) => {
    const shape = r.shape();
    const dtype = r.pick(ALL);
    const value = dtype === "float32" ? r.pick(SPECIAL_FLOATS) : dtype === "int32" ? r.pick([0, 7, INT_MIN, INT_MAX]) : r.int(0, 1);
    const kilnValue = dtype === "bool" ? value === 1 : value;
    return {
      inputs: [],
      attrs: { shape, value, dtype },
      kiln: () => tf.fill(shape, kilnValue, dtype),
      tfjs: () => tfjs.fill(shape, value, dtype),
    };
  },
};

const rangeFuzzer: OpFuzzer = {
  name: "range",
  make: (r) => {
    const dtype = r.pick(["float32", "int32"] as const);
    const num = () => (dtype === "int32" ? r.int(-20, 20) : Math.fround(r.int(-40, 40) / 4));
    const start = num();
    const stop = num();
    let step = dtype === "int32" ? r.pick([1, 2, 3, -1, -2, 5]) : r.pick([1, 0.5, 0.25, -1, -0.75, 3, 0.1]);
    // The step is always given: with the default step tfjs counts down when stop < start (documented: Kiln returns an empty range, like TF).
    if (r.chance(0.7)) step = Math.sign(stop - start || 1) * Math.abs(step);
    const base: FuzzCase = {
      inputs: [],
      attrs: { start, stop, step, dtype },
      kiln: () => tf.range(start, stop, step, dtype),
      tfjs: () => tfjs.range(start, stop, step, dtype),
      atol: 1e-5,
    };
    // Documented (core README): a step pointing away from stop gives an empty range. tfjs 4.22
    // treats only steps > 1 that way, and counts up from start for a positive step <= 1 (range(1.25, -7, 0.1) has 82 elements).
    if ((stop < start && step > 0) || (stop > start && step < 0)) return { ...base, reference: () => [{ shape: [0], dtype, data: [] }] };
    return base;
  },
};

const linspaceFuzzer: OpFuzzer = {
  name: "linspace",
  make: (r) => {
    const start = Math.fround(r.int(-20, 20) / 3);
    const stop = Math.fround(r.int(-20, 20) / 3);
    const num = r.int(1, 12);
    return {
      inputs: [],
      attrs: { start, stop, num },
      kiln: () => tf.linspace(start, stop, num),
      tfjs: () => tfjs.linspace(start, stop, num),
      atol: 1e-5,
    };
  },
};

const eyeFuzzer: OpFuzzer = {
  name: "eye",
  make: (r) => {
    const rows = r.int(0, 4);
    const cols = r.chance(0.5) ? undefined : r.int(0, 4);
    const batch = r.pick([undefined, [2], [2, 1]]);
    const dtype = r.pick(NUMERIC);
    return {
      inputs: [],
      attrs: { numRows: rows, numColumns: cols, batchShape: batch, dtype },
      kiln: () => tf.eye(rows, cols, batch, dtype),
      tfjs: () => tfjs.eye(rows, cols, batch as [number] | [number, number] | undefined, dtype),
    };
  },
};

function likeFuzzer(op: "zerosLike" | "onesLike"): OpFuzzer {
  return {
    name: op,
    weight: 0.5,
    make: (r) => {
      const x = anyInput(r, "x", r.shape());
      return { inputs: [x], attrs: {}, kiln: ([a]) => tf[op](a!), tfjs: ([a]) => tfjs[op](a!) };
    },
  };
}

// ---------------------------------------------------------------------------------------
// Fused chains: 2-4 elementwise float32 or int32 ops with broadcasting, run inside
// tf.function (one fused loop on backends that fuse) and compared with tfjs op by op. The
// ops are exact in both libraries (IEEE arithmetic, max/min, comparisons and selects;
// wrapping int32 sums), so on cpu the results agree bit for bit; the tolerance (1e-6) only
// leaves room for a GPU backend that contracts a * b + c into one fused multiply-add. And fused epilogues: matMul,
// conv2d or depthwiseConv2d followed by elementwise steps with a bias-like operand.

interface ChainStep {
  readonly name: string;
  readonly arity: 1 | 2;
  /** Exact for int32 in tfjs too (tfjs computes int32 mul, abs and square in float32 or doubles). */
  readonly int?: boolean;
  /** Only for int32 (float mod follows TF's FloorMod, which tfjs does not: see `mod`). */
  readonly intOnly?: boolean;
  readonly kiln: (a: tf.Tensor, b?: tf.Tensor) => tf.Tensor;
  readonly tfjs: (a: tfjs.Tensor, b?: tfjs.Tensor) => tfjs.Tensor;
}

const CHAIN_STEPS: readonly ChainStep[] = [
  { name: "add", arity: 2, int: true, kiln: (a, b) => tf.add(a, b!), tfjs: (a, b) => tfjs.add(a, b!) },
  { name: "sub", arity: 2, int: true, kiln: (a, b) => tf.sub(a, b!), tfjs: (a, b) => tfjs.sub(a, b!) },
  { name: "mul", arity: 2, kiln: (a, b) => tf.mul(a, b!), tfjs: (a, b) => tfjs.mul(a, b!) },
  { name: "div", arity: 2, int: true, kiln: (a, b) => tf.div(a, b!), tfjs: (a, b) => tfjs.div(a, b!) },
  { name: "mod", arity: 2, int: true, intOnly: true, kiln: (a, b) => tf.mod(a, b!), tfjs: (a, b) => tfjs.mod(a, b!) },
  { name: "maximum", arity: 2, int: true, kiln: (a, b) => tf.maximum(a, b!), tfjs: (a, b) => tfjs.maximum(a, b!) },
  { name: "minimum", arity: 2, int: true, kiln: (a, b) => tf.minimum(a, b!), tfjs: (a, b) => tfjs.minimum(a, b!) },
  {
    name: "whereGreater",
    arity: 2,
    int: true,
    kiln: (a, b) => tf.where(tf.greater(a, b!), a, b!),
    tfjs: (a, b) => tfjs.where(tfjs.greater(a, b!), a, b!),
  },
  { name: "neg", arity: 1, int: true, kiln: (a) => tf.neg(a), tfjs: (a) => tfjs.neg(a) },
  { name: "abs", arity: 1, kiln: (a) => tf.abs(a), tfjs: (a) => tfjs.abs(a) },
  { name: "square", arity: 1, kiln: (a) => tf.square(a), tfjs: (a) => tfjs.square(a) },
  { name: "relu", arity: 1, int: true, kiln: (a) => tf.relu(a), tfjs: (a) => tfjs.relu(a) },
  { name: "sqrt", arity: 1, kiln: (a) => tf.sqrt(a), tfjs: (a) => tfjs.sqrt(a) },
  { name: "floor", arity: 1, kiln: (a) => tf.floor(a), tfjs: (a) => tfjs.floor(a) },
];

const fusedChainFuzzer: OpFuzzer = {
  name: "fusedChain",
  weight: 3,
  make: (r) => {
    const dtype = r.chance(0.3) ? "int32" : "float32";
    const candidates = CHAIN_STEPS.filter((s) => (dtype === "int32" ? s.int === true : s.intOnly !== true));
    const steps = Array.from({ length: r.int(2, 4) }, () => r.pick(candidates));
    const binaries = steps.filter((s) => s.arity === 2).length;
    const shapes = r.broadcastShapes(binaries + 1, { maxRank: 4, maxSize: 96 });
    const inputs = shapes.map((s, i) => r.input(`x${i}`, s, dtype));
    const run = <T>(xs: T[], call: (step: ChainStep, a: T, b?: T) => T): T => {
      let acc = xs[0] as T;
      let next = 1;
      for (const step of steps) acc = step.arity === 2 ? call(step, acc, xs[next++]) : call(step, acc);
      return acc;
    };
    const out = broadcastOf(shapes);
    // Documented (selection suite): tfjs 4.22's where drops a zero-size broadcast dim: empty results are checked by shape.
    const empty = sizeOf(out) === 0 ? { reference: () => [{ shape: out, dtype, data: [] }] } : {};
    return {
      ...empty,
      inputs,
      attrs: { steps: steps.map((s) => s.name), dtype },
      kiln: (xs) => run(xs, (step, a, b) => step.kiln(a, b)),
      tfjs: (xs) => run(xs, (step, a, b) => step.tfjs(a, b)),
      alwaysTraced: true,
      atol: dtype === "int32" ? 0 : 1e-6,
      rtol: dtype === "int32" ? 0 : 1e-6,
    };
  },
};

/** Steps an epilogue may fuse: no division, so the head's rounding is never amplified. */
const EPILOGUE_STEPS = CHAIN_STEPS.filter((s) =>
  ["add", "sub", "mul", "maximum", "minimum", "whereGreater", "neg", "abs", "relu"].includes(s.name),
);

const fusedEpilogueFuzzer: OpFuzzer = {
  name: "fusedEpilogue",
  weight: 3,
  make: (r) => {
    const head = r.pick(["matMul", "conv2d", "depthwiseConv2d"] as const);
    const finite = FILTER_FLOATS;
    let headInputs: FuzzInput[];
    let out: number[];
    let attrs: Record<string, unknown>;
    let kilnHead: (xs: tf.Tensor[]) => tf.Tensor;
    let tfjsHead: (xs: tfjs.Tensor[]) => tfjs.Tensor;
    let k: number;
    if (head === "matMul") {
      const [m, n] = [r.int(1, 9), r.int(1, 9)];
      k = r.int(1, 12);
      const [tA, tB] = [r.chance(0.3), r.chance(0.3)];
      const batch = r.chance(0.3) ? [r.int(1, 3)] : [];
      headInputs = [
        r.input("a", [...batch, ...(tA ? [k, m] : [m, k])], "float32", CONTRACTION_FLOATS),
        r.input("b", [...batch, ...(tB ? [n, k] : [k, n])], "float32", finite),
      ];
      out = [...batch, m, n];
      attrs = { head, transposeA: tA, transposeB: tB };
      kilnHead = ([a, b]) => tf.matMul(a!, b!, tA, tB);
      tfjsHead = ([a, b]) => tfjs.matMul(a!, b!, tA, tB);
    } else {
      const c = r.int(1, 3);
      const [h, w] = [r.int(2, 7), r.int(2, 7)];
      const f = r.int(1, Math.min(3, h, w));
      const stride = r.int(1, 2);
      const pad = r.pick(["same", "valid"] as const);
      const last = r.int(1, 3);
      k = f * f * c;
      headInputs = [r.input("x", [1, h, w, c], "float32", CONTRACTION_FLOATS), r.input("filter", [f, f, c, last], "float32", finite)];
      const size = (d: number) => (pad === "same" ? Math.ceil(d / stride) : Math.floor((d - f) / stride) + 1);
      out = [1, size(h), size(w), head === "conv2d" ? last : c * last];
      attrs = { head, strides: stride, pad };
      const kilnOp = head === "conv2d" ? tf.conv2d : tf.depthwiseConv2d;
      const tfjsOp = head === "conv2d" ? tfjs.conv2d : tfjs.depthwiseConv2d;
      kilnHead = ([x, f4]) => kilnOp(x!, f4!, stride, pad);
      tfjsHead = ([x, f4]) => tfjsOp(x as T4, f4 as T4, stride, pad);
    }
    const steps = Array.from({ length: r.int(1, 3) }, () => r.pick(EPILOGUE_STEPS));
    // Bias-like operands: the last dim (a bias row), a scalar, the whole shape, or a suffix with 1s.
    // A `mul` operand stays small (special values up to 4 in magnitude, infinities, NaN): a
    // large factor scales the head's absolute rounding error past `atol` where the head's
    // sum cancels (2^24 times a one-ulp error of a 5-term dot product is about 1).
    const operands = steps
      .filter((s) => s.arity === 2)
      .map((step, i) => {
        const shape = r.pick([[out.at(-1)!], [], out, out.slice(r.int(0, out.length)).map((d) => (r.chance(0.4) ? 1 : d))]);
        return r.input(`bias${i}`, shape, "float32", { lo: -2, hi: 2, pool: step.name === "mul" ? SMALL_FACTORS : NO_HUGE });
      });
    const run = <T>(acc0: T, extra: T[], call: (step: ChainStep, a: T, b?: T) => T): T => {
      let acc = acc0;
      let next = 0;
      for (const step of steps) acc = step.arity === 2 ? call(step, acc, extra[next++]) : call(step, acc);
      return acc;
    };
    const heads = headInputs.length;
    return {
      inputs: [...headInputs, ...operands],
      attrs: { ...attrs, steps: steps.map((s) => s.name) },
      kiln: (xs) => run(kilnHead(xs.slice(0, heads)), xs.slice(heads), (step, a, b) => step.kiln(a, b)),
      tfjs: (xs) => run(tfjsHead(xs.slice(0, heads)), xs.slice(heads), (step, a, b) => step.tfjs(a, b)),
      alwaysTraced: true,
      atol: 8e-6 * k * maxAbs(headInputs[0]!.values) * maxAbs(headInputs[1]!.values),
      rtol: 2e-5,
    };
  },
};

/** Every op fuzzer, in suite order. */
export const OP_FUZZERS: readonly OpFuzzer[] = [
  ...UNARY.map(unaryFuzzer),
  ...BINARY.map(binaryFuzzer),
  whereFuzzer,
  castFuzzer,
  clipFuzzer,
  ...(["sum", "mean", "max", "min", "prod"] as const).map(reductionFuzzer),
  allAnyFuzzer("all"),
  allAnyFuzzer("any"),
  argFuzzer("argMax"),
  argFuzzer("argMin"),
  logSumExpFuzzer,
  cumsumFuzzer,
  reshapeFuzzer,
  transposeFuzzer,
  expandDimsFuzzer,
  squeezeFuzzer,
  broadcastToFuzzer,
  tileFuzzer,
  reverseFuzzer,
  padFuzzer,
  concatFuzzer,
  stackFuzzer,
  unstackFuzzer,
  splitFuzzer,
  sliceFuzzer,
  stridedSliceFuzzer,
  gatherFuzzer,
  gatherNdFuzzer,
  scatterNdFuzzer,
  oneHotFuzzer,
  matMulFuzzer,
  convFuzzer("conv2d"),
  convFuzzer("depthwiseConv2d"),
  conv2dTransposeFuzzer,
  poolFuzzer("maxPool"),
  poolFuzzer("avgPool"),
  softmaxFuzzer("softmax"),
  softmaxFuzzer("logSoftmax"),
  topKFuzzer,
  fillFuzzer,
  rangeFuzzer,
  linspaceFuzzer,
  eyeFuzzer,
  likeFuzzer("zerosLike"),
  likeFuzzer("onesLike"),
  fusedChainFuzzer,
  fusedEpilogueFuzzer,
];
