import { type DType, renderScalar, type ScalarDialect, type ScalarKernel, type ScalarTemplates } from "@kiln/core";

/**
 * Core's scalar functions written as C on SIMD128 vectors of four lanes (`vec`, see
 * csrc/simd_math.h): every value is a v128_t; float32 and int32 lanes hold numbers, bool
 * lanes hold masks (all ones for true). float32 arithmetic is float32 arithmetic (the
 * table allows this: results are stored as float32 anyway and transcendentals need only
 * be accurate to a few ulps). Lane-wise wasm instructions already have the table's
 * meaning in most places: int32 add/sub/mul/neg/abs wrap, f32x4.min/max return NaN when
 * either operand is NaN and order -0 below +0, trunc_sat saturates and maps NaN to 0,
 * nearest rounds ties to even. The rest are helpers in simd_math.h.
 */
const f = (op: string) => (args: readonly string[]) => `wasm_f32x4_${op}(${args.join(", ")})`;
const i = (op: string) => (args: readonly string[]) => `wasm_i32x4_${op}(${args.join(", ")})`;
const call = (fn: string) => (args: readonly string[]) => `${fn}(${args.join(", ")})`;
const select = ([c, a, b]: readonly string[]) => `wasm_v128_bitselect(${a}, ${b}, ${c})`;
const same = ([a]: readonly string[]) => a!;

/** `1 + e^-x` as rendered; `1 / (1 + e^-x)` (core's sigmoid) becomes one call. */
const onePlusExpNeg = /^wasm_f32x4_add\(v_f32\(1\.00000000f\), v_exp\(v_neg_f32\((.*)\)\)\)$/;
const ONE = "v_f32(1.00000000f)";
/**
 * float32 division, except that the logistic function 1 / (1 + e^-x) renders as
 * `v_sigmoid(x)`: the same bits for every input without v_exp's range test (see
 * simd_math.h). The match is on whole rendered arguments, so `x` is one expression.
 */
const divide = (args: readonly string[]) => {
  const sigmoid = args[0] === ONE ? onePlusExpNeg.exec(args[1]!) : null;
  return sigmoid ? `v_sigmoid(${sigmoid[1]})` : f("div")(args);
};

const templates: ScalarTemplates = {
  add: { float32: f("add"), int32: i("add") },
  sub: { float32: f("sub"), int32: i("sub") },
  mul: { float32: f("mul"), int32: i("mul") },
  div: { float32: divide },
  // The sign bit by a mask (one instruction with the mask kept in a register; V8 builds
  // f32x4.neg's and f32x4.abs's mask anew at every use): the same bits, NaNs included.
  neg: { float32: call("v_neg_f32"), int32: i("neg") },
  abs: { float32: call("v_abs_f32"), int32: i("abs") },
  max: { float32: f("max"), int32: i("max") },
  min: { float32: f("min"), int32: i("min") },
  rem: { float32: call("v_rem_f32"), int32: call("v_rem_i32") },
  floorDiv: { int32: call("v_floordiv_i32") },
  pow: { float32: call("v_pow_f32"), int32: call("v_pow_i32") },
  exp: { float32: call("v_exp") },
  expm1: { float32: call("v_expm1") },
  log: { float32: call("v_log") },
  log1p: { float32: call("v_log1p") },
  sqrt: { float32: f("sqrt") },
  sin: { float32: call("v_sin") },
  cos: { float32: call("v_cos") },
  tanh: { float32: call("v_tanh") },
  atan2: { float32: call("v_atan2") },
  erf: { float32: call("v_erf") },
  erfc: { float32: call("v_erfc") },
  floor: { float32: f("floor") },
  ceil: { float32: f("ceil") },
  roundHalfEven: { float32: f("nearest") },
  // Arithmetic is already float32: rounding an intermediate to float32 changes nothing.
  roundF32: { float32: same },
  isNan: { float32: ([a]) => `wasm_f32x4_ne(${a}, ${a})` },
  finite: { float32: ([a]) => `wasm_f32x4_lt(v_abs_f32(${a}), v_f32(INFINITY))` },
  lt: { float32: f("lt"), int32: i("lt") },
  le: { float32: f("le"), int32: i("le") },
  gt: { float32: f("gt"), int32: i("gt") },
  ge: { float32: f("ge"), int32: i("ge") },
  eq: { float32: f("eq"), int32: i("eq"), bool: i("eq") },
  ne: { float32: f("ne"), int32: i("ne"), bool: i("ne") },
  and: { bool: ([a, b]) => `wasm_v128_and(${a}, ${b})` },
  or: { bool: ([a, b]) => `wasm_v128_or(${a}, ${b})` },
  not: { bool: ([a]) => `wasm_v128_not(${a})` },
  select: { float32: select, int32: select, bool: select },
  // int32 -> float32 rounds to nearest (cvt); a bool mask ANDed with 1.0f's bits is 1.0f or 0.
  toFloat32: { float32: same, int32: ([a]) => `wasm_f32x4_convert_i32x4(${a})`, bool: ([a]) => `wasm_v128_and(${a}, v_f32(1.0f))` },
  toInt32: { float32: ([a]) => `wasm_i32x4_trunc_sat_f32x4(${a})`, int32: same, bool: ([a]) => `wasm_i32x4_neg(${a})` },
  toBool: { float32: ([a]) => `wasm_f32x4_ne(${a}, v_f32(0.0f))`, int32: ([a]) => `wasm_i32x4_ne(${a}, v_i32(0))`, bool: same },
};

/** A C float literal that reads back as exactly `value` rounded to float32. */
function floatLiteral(value: number): string {
  if (Number.isNaN(value)) return "NAN";
  if (value === Infinity) return "INFINITY";
  if (value === -Infinity) return "(-INFINITY)";
  if (Object.is(value, -0)) return "(-0.0f)";
  const rounded = Math.fround(value);
  if (!Number.isFinite(rounded)) return rounded > 0 ? "INFINITY" : "(-INFINITY)";
  const text = rounded.toPrecision(9);
  const literal = /[.e]/.test(text) ? `${text}f` : `${text}.0f`;
  return rounded < 0 ? `(${literal})` : literal;
}

function intLiteral(value: number): string {
  return value === -2147483648 ? "(-2147483647 - 1)" : value < 0 ? `(${value})` : String(value);
}

/**
 * The C dialect of the wasm backend: renders core's scalar expressions into SIMD128 C.
 *
 * ```ts
 * renderScalar(reluKernel, cDialect, ["x0"], "t").value;
 * // "wasm_v128_bitselect(v_f32(0.0f), x0, wasm_f32x4_lt(x0, v_f32(0.0f)))"
 * ```
 */
export const cDialect: ScalarDialect = {
  templates,
  literal: (value: number, dtype: DType) =>
    dtype === "float32"
      ? `v_f32(${floatLiteral(value)})`
      : dtype === "int32"
        ? `v_i32(${intLiteral(value)})`
        : `v_i32(${value !== 0 ? -1 : 0})`,
  temp: (name: string, value: string) => `const vec ${name} = ${value};`,
};

/** The C loader of a four-lane element of `dtype` (see simd_math.h). */
export function loadC(dtype: DType): string {
  return dtype === "float32" ? "ld_f32" : dtype === "int32" ? "ld_i32" : "ld_bool";
}

/** The C storer of a four-lane element of `dtype`. */
export function storeC(dtype: DType): string {
  return dtype === "float32" ? "st_f32" : dtype === "int32" ? "st_i32" : "st_bool";
}

/** A rendered kernel: the C statements and value for inputs named x0, x1, x2. */
export interface RenderedKernel {
  readonly statements: readonly string[];
  readonly value: string;
  /** Identifies the kernel's semantics exactly: equal keys, equal C code. */
  readonly key: string;
}

/**
 * Renders one scalar kernel of core's table as C over vectors `x0..x2` (names and
 * temporaries get `suffix`, so a loop can hold two independent copies); its `key` is how
 * the runtime finds the kernel compiled from the same semantics in the binary.
 *
 * ```ts
 * renderKernel(scalarKernelOf(tf.Relu, ["float32"], "float32", {})!).key;
 * ```
 */
export function renderKernel(kernel: ScalarKernel, suffix = ""): RenderedKernel {
  const names = kernel.args.map((_, k) => `x${k}${suffix}`);
  const rendered = renderScalar(kernel, cDialect, names, `t${suffix}`);
  const key = `${kernel.args.join(",")}->${kernel.body.dtype}:${rendered.statements.join(" ")}${rendered.value}`;
  return { statements: rendered.statements, value: rendered.value, key };
}
