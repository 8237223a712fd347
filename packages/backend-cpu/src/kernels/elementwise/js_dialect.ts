import type { DType, ScalarDialect, ScalarTemplates } from "@kiln/core";
import { INLINED_HELPERS } from "./math.js";

/** A call that costs more than a few instructions, in a rendered value. */
const COSTLY = new RegExp(`${INLINED_HELPERS.source}|\\b(?:powFloat|powInt|Math\\.(?:sin|cos|atan2))\\(`);

/**
 * Core's scalar functions written in JS (see `ir/scalar.ts` in @kiln/core for their exact
 * meaning). Values are JS numbers for float32 and int32 and JS booleans for bool. float32
 * arithmetic runs in double precision and is rounded to float32 once, when the kernel
 * stores the result (for + - * / and sqrt that is exactly float32 arithmetic's result);
 * int32 results are wrapped with `| 0` or Math.imul, as C does. Helpers named here come
 * from `math.ts`, which the code generator puts in scope. Transcendentals use the
 * float32-accurate helpers of `float32_math/` (`expf`, `logf`, `tanhf`, `erff`, ...; within
 * one float32 ulp once stored, several times faster than `Math.exp`); sin, cos and atan2
 * use Math. A float select with cheap values is `selectFloat` (no branch to mispredict).
 */
const templates: ScalarTemplates = {
  add: { float32: ([a, b]) => `(${a} + ${b})`, int32: ([a, b]) => `((${a} + ${b}) | 0)` },
  sub: { float32: ([a, b]) => `(${a} - ${b})`, int32: ([a, b]) => `((${a} - ${b}) | 0)` },
  mul: { float32: ([a, b]) => `(${a} * ${b})`, int32: ([a, b]) => `Math.imul(${a}, ${b})` },
  div: { float32: ([a, b]) => `(${a} / ${b})` },
  neg: { float32: ([a]) => `(-${a})`, int32: ([a]) => `((-${a}) | 0)` },
  // Math.abs(-2147483648) | 0 wraps back to -2147483648, as C does.
  abs: { float32: ([a]) => `Math.abs(${a})`, int32: ([a]) => `(Math.abs(${a}) | 0)` },
  // Math.max/min give NaN if either side is NaN and order -0 below 0.
  max: { float32: ([a, b]) => `Math.max(${a}, ${b})`, int32: ([a, b]) => `Math.max(${a}, ${b})` },
  min: { float32: ([a, b]) => `Math.min(${a}, ${b})`, int32: ([a, b]) => `Math.min(${a}, ${b})` },
  // JS's % is C's fmod on doubles; remInt gives 0 for x % 0 and for -2147483648 % -1.
  rem: { float32: ([a, b]) => `(${a} % ${b})`, int32: ([a, b]) => `remInt(${a}, ${b})` },
  floorDiv: { int32: ([a, b]) => `floorDivInt(${a}, ${b})` },
  pow: { float32: ([a, b]) => `powFloat(${a}, ${b})`, int32: ([a, b]) => `powInt(${a}, ${b})` },
  exp: { float32: ([a]) => `expf(${a})` },
  expm1: { float32: ([a]) => `expm1f(${a})` },
  log: { float32: ([a]) => `logf(${a})` },
  log1p: { float32: ([a]) => `log1pf(${a})` },
  sqrt: { float32: ([a]) => `Math.sqrt(${a})` },
  sin: { float32: ([a]) => `Math.sin(${a})` },
  cos: { float32: ([a]) => `Math.cos(${a})` },
  tanh: { float32: ([a]) => `tanhf(${a})` },
  atan2: { float32: ([a, b]) => `Math.atan2(${a}, ${b})` },
  erf: { float32: ([a]) => `erff(${a})` },
  erfc: { float32: ([a]) => `erfcf(${a})` },
  floor: { float32: ([a]) => `Math.floor(${a})` },
  ceil: { float32: ([a]) => `Math.ceil(${a})` },
  roundHalfEven: { float32: ([a]) => `roundHalfEven(${a})` },
  roundF32: { float32: ([a]) => `Math.fround(${a})` },
  isNan: { float32: ([a]) => `Number.isNaN(${a})` },
  finite: { float32: ([a]) => `Number.isFinite(${a})` },
  lt: { float32: ([a, b]) => `(${a} < ${b})`, int32: ([a, b]) => `(${a} < ${b})` },
  le: { float32: ([a, b]) => `(${a} <= ${b})`, int32: ([a, b]) => `(${a} <= ${b})` },
  gt: { float32: ([a, b]) => `(${a} > ${b})`, int32: ([a, b]) => `(${a} > ${b})` },
  ge: { float32: ([a, b]) => `(${a} >= ${b})`, int32: ([a, b]) => `(${a} >= ${b})` },
  eq: { float32: ([a, b]) => `(${a} === ${b})`, int32: ([a, b]) => `(${a} === ${b})`, bool: ([a, b]) => `(${a} === ${b})` },
  ne: { float32: ([a, b]) => `(${a} !== ${b})`, int32: ([a, b]) => `(${a} !== ${b})`, bool: ([a, b]) => `(${a} !== ${b})` },
  and: { bool: ([a, b]) => `(${a} && ${b})` },
  or: { bool: ([a, b]) => `(${a} || ${b})` },
  not: { bool: ([a]) => `(!${a})` },
  // Both values are computed (core's semantics allow it) and picked without a branch, unless
  // one is costly: then only the chosen one is (softplus, elu).
  select: {
    float32: ([c, a, b]) => (COSTLY.test(a!) || COSTLY.test(b!) ? `(${c} ? ${a} : ${b})` : `selectFloat(${c}, ${a}, ${b})`),
    int32: ([c, a, b]) => `(${c} ? ${a} : ${b})`,
    bool: ([c, a, b]) => `(${c} ? ${a} : ${b})`,
  },
  // int32 -> float32 is rounded to the nearest float32 when stored, like TF.
  toFloat32: { float32: ([a]) => a!, int32: ([a]) => a!, bool: ([a]) => `(${a} ? 1 : 0)` },
  toInt32: { float32: ([a]) => `floatToInt32(${a})`, int32: ([a]) => a!, bool: ([a]) => `(${a} ? 1 : 0)` },
  toBool: { float32: ([a]) => `(${a} !== 0)`, int32: ([a]) => `(${a} !== 0)`, bool: ([a]) => a! },
};

/**
 * The JS dialect used by the cpu backend's generated loops and fused kernels.
 *
 * ```ts
 * renderScalar(kernel, jsDialect, ["a"], "t").value; // "((a < 0) ? 0 : a)" for relu
 * ```
 */
export const jsDialect: ScalarDialect = {
  templates,
  literal: (value, dtype) => (dtype === "bool" ? (value !== 0 ? "true" : "false") : numberLiteral(value)),
  temp: (name, value) => `const ${name} = ${value};`,
};

/** A JS number literal that parses back to exactly `value` (wrapped so `-1` is safe after operators). */
function numberLiteral(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "(-Infinity)";
  if (Object.is(value, -0)) return "(-0)";
  return value < 0 ? `(${value})` : String(value);
}

/** An element read from a typed array, as the dialect's value (bools are stored as 0/1). */
export function loadJs(element: string, dtype: DType): string {
  return dtype === "bool" ? `(${element} !== 0)` : element;
}

/** A dialect value as the number a typed array of `dtype` stores. */
export function storeJs(value: string, dtype: DType): string {
  return dtype === "bool" ? `(${value} ? 1 : 0)` : value;
}

/** A dialect value as a later op in a fused kernel must see it: float32 rounded, as if stored. */
export function roundJs(value: string, dtype: DType): string {
  return dtype === "float32" ? `Math.fround(${value})` : value;
}
