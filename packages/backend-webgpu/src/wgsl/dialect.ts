import type { DType, ScalarDialect, ScalarTemplates } from "@kiln/core";

/**
 * Core's scalar functions written in WGSL (see `ir/scalar.ts` in @kiln/core for their exact
 * meaning). Values are `f32`, `i32` and `bool`. Arithmetic that WGSL defines exactly (f32
 * `+ - *` are correctly rounded on the devices tested; i32 `+ - *` wrap) is written inline;
 * everything whose WGSL builtin is loose about NaN, infinities, signed zeros, subnormals or
 * accuracy calls a `kiln_*` helper from `math.ts` (float32 division too: `kiln_div` keeps
 * subnormal operands and quotients right where a device divides as a * (1 / b) and flushes
 * subnormals).
 */
const templates: ScalarTemplates = {
  add: { float32: ([a, b]) => `(${a} + ${b})`, int32: ([a, b]) => `(${a} + ${b})` },
  sub: { float32: ([a, b]) => `(${a} - ${b})`, int32: ([a, b]) => `(${a} - ${b})` },
  mul: { float32: ([a, b]) => `(${a} * ${b})`, int32: ([a, b]) => `(${a} * ${b})` },
  div: { float32: ([a, b]) => `kiln_div(${a}, ${b})` },
  neg: { float32: ([a]) => `(-${a})`, int32: ([a]) => `kiln_neg_i32(${a})` },
  abs: { float32: ([a]) => `abs(${a})`, int32: ([a]) => `kiln_abs_i32(${a})` },
  max: { float32: ([a, b]) => `kiln_max_f32(${a}, ${b})`, int32: ([a, b]) => `max(${a}, ${b})` },
  min: { float32: ([a, b]) => `kiln_min_f32(${a}, ${b})`, int32: ([a, b]) => `min(${a}, ${b})` },
  rem: { float32: ([a, b]) => `kiln_rem_f32(${a}, ${b})`, int32: ([a, b]) => `kiln_rem_i32(${a}, ${b})` },
  floorDiv: { int32: ([a, b]) => `kiln_floordiv_i32(${a}, ${b})` },
  pow: { float32: ([a, b]) => `kiln_pow_f32(${a}, ${b})`, int32: ([a, b]) => `kiln_pow_i32(${a}, ${b})` },
  exp: { float32: ([a]) => `kiln_exp(${a})` },
  expm1: { float32: ([a]) => `kiln_expm1(${a})` },
  log: { float32: ([a]) => `kiln_log(${a})` },
  log1p: { float32: ([a]) => `kiln_log1p(${a})` },
  sqrt: { float32: ([a]) => `kiln_sqrt(${a})` },
  sin: { float32: ([a]) => `kiln_sin(${a})` },
  cos: { float32: ([a]) => `kiln_cos(${a})` },
  tanh: { float32: ([a]) => `kiln_tanh(${a})` },
  atan2: { float32: ([a, b]) => `kiln_atan2(${a}, ${b})` },
  erf: { float32: ([a]) => `kiln_erf(${a})` },
  erfc: { float32: ([a]) => `kiln_erfc(${a})` },
  floor: { float32: ([a]) => `kiln_floor(${a})` },
  ceil: { float32: ([a]) => `kiln_ceil(${a})` },
  roundHalfEven: { float32: ([a]) => `kiln_round(${a})` },
  // WGSL arithmetic is already float32.
  roundF32: { float32: ([a]) => a! },
  isNan: { float32: ([a]) => `kiln_isnan(${a})` },
  finite: { float32: ([a]) => `kiln_finite(${a})` },
  lt: { float32: ([a, b]) => `kiln_lt(${a}, ${b})`, int32: ([a, b]) => `(${a} < ${b})` },
  le: { float32: ([a, b]) => `kiln_le(${a}, ${b})`, int32: ([a, b]) => `(${a} <= ${b})` },
  gt: { float32: ([a, b]) => `kiln_lt(${b}, ${a})`, int32: ([a, b]) => `(${a} > ${b})` },
  ge: { float32: ([a, b]) => `kiln_le(${b}, ${a})`, int32: ([a, b]) => `(${a} >= ${b})` },
  eq: { float32: ([a, b]) => `kiln_eq(${a}, ${b})`, int32: ([a, b]) => `(${a} == ${b})`, bool: ([a, b]) => `(${a} == ${b})` },
  ne: { float32: ([a, b]) => `(!kiln_eq(${a}, ${b}))`, int32: ([a, b]) => `(${a} != ${b})`, bool: ([a, b]) => `(${a} != ${b})` },
  and: { bool: ([a, b]) => `(${a} && ${b})` },
  or: { bool: ([a, b]) => `(${a} || ${b})` },
  not: { bool: ([a]) => `(!${a})` },
  // WGSL's select takes (false value, true value, condition).
  select: {
    float32: ([c, a, b]) => `select(${b}, ${a}, ${c})`,
    int32: ([c, a, b]) => `select(${b}, ${a}, ${c})`,
    bool: ([c, a, b]) => `select(${b}, ${a}, ${c})`,
  },
  toFloat32: { float32: ([a]) => a!, int32: ([a]) => `kiln_i2f(${a})`, bool: ([a]) => `select(0.0, 1.0, ${a})` },
  toInt32: { float32: ([a]) => `kiln_f2i(${a})`, int32: ([a]) => a!, bool: ([a]) => `select(0, 1, ${a})` },
  // x != 0 on the bits, so NaN is true and both zeros are false.
  toBool: { float32: ([a]) => `((bitcast<u32>(${a}) & 0x7fffffffu) != 0u)`, int32: ([a]) => `(${a} != 0)`, bool: ([a]) => a! },
};

/** The WGSL value type of a dtype. */
export function wgslType(dtype: DType): "f32" | "i32" | "bool" {
  return dtype === "float32" ? "f32" : dtype === "int32" ? "i32" : "bool";
}

/** The WGSL element type a buffer of `dtype` is stored as (bools as one u32 each, 0 or 1). */
export function storageType(dtype: DType): "f32" | "i32" | "u32" {
  return dtype === "float32" ? "f32" : dtype === "int32" ? "i32" : "u32";
}

/**
 * A float32 literal that WGSL parses back to exactly `value` rounded to float32. Values
 * WGSL cannot write as a finite decimal (NaN, infinities, -0, subnormals) are bit patterns
 * converted at run time (`kiln_f32_bits`).
 */
export function f32Literal(value: number): string {
  const v = Math.fround(value);
  const bits = new Uint32Array(new Float32Array([v]).buffer)[0]!;
  const exponent = (bits >>> 23) & 0xff;
  if (Number.isNaN(v) || !Number.isFinite(v) || Object.is(v, -0) || (exponent === 0 && v !== 0)) {
    // A runtime value: WGSL rejects NaN and infinities in constant expressions.
    return `kiln_f32_bits(0x${bits.toString(16).padStart(8, "0")}u)`;
  }
  const text = String(v);
  const decimal = /[.e]/.test(text) ? text : `${text}.0`;
  return v < 0 ? `(${decimal})` : decimal;
}

/** An int32 literal (the most negative value has no WGSL literal of its own). */
export function i32Literal(value: number): string {
  if (value === -2147483648) return "bitcast<i32>(0x80000000u)";
  return value < 0 ? `(${value}i)` : `${value}i`;
}

/**
 * The WGSL dialect: core's scalar semantics as WGSL expressions, used for every elementwise
 * kernel and every fused kernel.
 *
 * ```ts
 * renderScalar(kernel, wgslDialect, ["a"], "t").value; // "select(a, 0.0, kiln_lt(a, 0.0))" for relu
 * ```
 */
export const wgslDialect: ScalarDialect = {
  templates,
  literal: (value, dtype) =>
    dtype === "bool" ? (value !== 0 ? "true" : "false") : dtype === "int32" ? i32Literal(value) : f32Literal(value),
  temp: (name, value) => `let ${name} = ${value};`,
};

/** A stored element (`f32`, `i32`, or a bool's `u32`) as the dialect's value. */
export function loadWgsl(element: string, dtype: DType): string {
  return dtype === "bool" ? `(${element} != 0u)` : element;
}

/** A dialect value as the element a buffer of `dtype` stores. */
export function storeWgsl(value: string, dtype: DType): string {
  return dtype === "bool" ? `select(0u, 1u, ${value})` : value;
}
