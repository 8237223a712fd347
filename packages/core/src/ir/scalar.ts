import type { DType } from "../base/dtype.js";
import { ArgumentError } from "../base/errors.js";

/**
 * The scalar functions elementwise semantics are written in. Each backend renders them
 * into its own language (JS on cpu, C on wasm, WGSL on webgpu), so the exact meaning of
 * every elementwise op (int32 wrapping, floor-division signs, NaN in max/min, rounding)
 * is decided once, here, and never re-derived by a backend.
 *
 * Meaning, per operand dtype (the result dtype is the operands' unless noted):
 * - `add`, `sub`, `mul`: float32 IEEE arithmetic; int32 wraps modulo 2^32 like C's
 *   unsigned arithmetic (`2147483647 + 1` is `-2147483648`).
 * - `div` (float32): IEEE division (`x / 0` is ±Infinity or NaN).
 * - `neg`, `abs`: int32 wraps (`neg(-2147483648)` and `abs(-2147483648)` are themselves).
 * - `max`, `min`: float32 returns NaN when either operand is NaN and orders -0 below +0;
 *   int32 is the usual integer order.
 * - `rem`: truncated remainder, the sign of the dividend (C's `fmodf` / `%`). float32:
 *   `rem(x, 0)` is NaN. int32: `rem(x, 0)` is 0 and `rem(-2147483648, -1)` is 0.
 * - `floorDiv` (int32): `floor(a / b)` computed exactly; `floorDiv(x, 0)` is 0 and
 *   `floorDiv(-2147483648, -1)` wraps to -2147483648. (float32 floor division is written
 *   as `floor(roundF32(div(a, b)))`.)
 * - `pow`: float32 follows C's `powf` special cases (`pow(1, y)` is 1 for every y, NaN too;
 *   `pow(-1, ±Infinity)` is 1). int32 is exact by squaring with wrapping multiplies; a
 *   negative exponent gives 1 for base 1, ±1 for base -1 (by the exponent's parity), else 0.
 * - float32 only: `exp`, `expm1`, `log`, `log1p`, `sqrt`, `sin`, `cos`, `tanh`, `atan2`,
 *   `erf`, `erfc`, `floor`, `ceil`, `roundHalfEven` (ties to even, keeps -0),
 *   `roundF32` (round a wider intermediate to float32; the identity where arithmetic is
 *   already float32). Transcendentals are accurate to a few float32 ulps on every backend.
 * - `isNan`, `finite` (float32 -> bool; `finite(x)` is false for NaN and ±Infinity).
 * - `lt`, `le`, `gt`, `ge` (float32, int32 -> bool; false when an operand is NaN), `eq`,
 *   `ne` (any dtype -> bool; `ne(NaN, NaN)` is true).
 * - `and`, `or`, `not` (bool).
 * - `select(c, x, y)`: `x` where the bool `c` is true, else `y` (both are evaluated).
 * - `toFloat32` (int32 rounds to nearest; bool is 0 or 1), `toInt32` (float32 truncates
 *   toward zero and saturates at the int32 range, NaN is 0; bool is 0 or 1), `toBool`
 *   (`x != 0`, so NaN is true).
 *
 * float32 intermediates may be evaluated in wider precision (the JS backend uses doubles);
 * an op's result is rounded to float32 when it is stored. Where rounding an intermediate
 * is part of an op's definition, the expression says so with `roundF32`.
 */
export type ScalarFn =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "neg"
  | "abs"
  | "max"
  | "min"
  | "rem"
  | "floorDiv"
  | "pow"
  | "exp"
  | "expm1"
  | "log"
  | "log1p"
  | "sqrt"
  | "sin"
  | "cos"
  | "tanh"
  | "atan2"
  | "erf"
  | "erfc"
  | "floor"
  | "ceil"
  | "roundHalfEven"
  | "roundF32"
  | "isNan"
  | "finite"
  | "lt"
  | "le"
  | "gt"
  | "ge"
  | "eq"
  | "ne"
  | "and"
  | "or"
  | "not"
  | "select"
  | "toFloat32"
  | "toInt32"
  | "toBool";

/**
 * A node of a scalar expression: an argument (the current element of input `index`), a
 * literal, or a scalar function applied to other nodes. Every node knows its dtype. A node
 * used more than once (the same object) is computed once by renderers.
 */
export type ScalarExpr =
  | { readonly kind: "arg"; readonly index: number; readonly dtype: DType }
  | { readonly kind: "literal"; readonly value: number; readonly dtype: DType }
  | { readonly kind: "call"; readonly fn: ScalarFn; readonly args: readonly ScalarExpr[]; readonly dtype: DType };

/**
 * The semantics of an elementwise op for one combination of input dtypes: `args` are the
 * inputs' dtypes, `body` computes the output element (its dtype is the output's).
 *
 * ```ts
 * const addInt = scalarKernel(["int32", "int32"], (a, b) => add(a, b));
 * addInt.body.dtype; // "int32"
 * ```
 */
export interface ScalarKernel {
  readonly args: readonly DType[];
  readonly body: ScalarExpr;
}

/** An operand of a builder function: a node, or a JS number/boolean typed like its sibling. */
export type Operand = ScalarExpr | number | boolean;

/** Which operand dtypes each function accepts and what it returns (`same` = the operands' dtype). */
const SIGNATURES: Readonly<Record<ScalarFn, { readonly accepts: readonly DType[]; readonly returns: DType | "same"; readonly arity: number }>> = {
  add: { accepts: ["float32", "int32"], returns: "same", arity: 2 },
  sub: { accepts: ["float32", "int32"], returns: "same", arity: 2 },
  mul: { accepts: ["float32", "int32"], returns: "same", arity: 2 },
  div: { accepts: ["float32"], returns: "same", arity: 2 },
  neg: { accepts: ["float32", "int32"], returns: "same", arity: 1 },
  abs: { accepts: ["float32", "int32"], returns: "same", arity: 1 },
  max: { accepts: ["float32", "int32"], returns: "same", arity: 2 },
  min: { accepts: ["float32", "int32"], returns: "same", arity: 2 },
  rem: { accepts: ["float32", "int32"], returns: "same", arity: 2 },
  floorDiv: { accepts: ["int32"], returns: "same", arity: 2 },
  pow: { accepts: ["float32", "int32"], returns: "same", arity: 2 },
  exp: { accepts: ["float32"], returns: "same", arity: 1 },
  expm1: { accepts: ["float32"], returns: "same", arity: 1 },
  log: { accepts: ["float32"], returns: "same", arity: 1 },
  log1p: { accepts: ["float32"], returns: "same", arity: 1 },
  sqrt: { accepts: ["float32"], returns: "same", arity: 1 },
  sin: { accepts: ["float32"], returns: "same", arity: 1 },
  cos: { accepts: ["float32"], returns: "same", arity: 1 },
  tanh: { accepts: ["float32"], returns: "same", arity: 1 },
  atan2: { accepts: ["float32"], returns: "same", arity: 2 },
  erf: { accepts: ["float32"], returns: "same", arity: 1 },
  erfc: { accepts: ["float32"], returns: "same", arity: 1 },
  floor: { accepts: ["float32"], returns: "same", arity: 1 },
  ceil: { accepts: ["float32"], returns: "same", arity: 1 },
  roundHalfEven: { accepts: ["float32"], returns: "same", arity: 1 },
  roundF32: { accepts: ["float32"], returns: "same", arity: 1 },
  isNan: { accepts: ["float32"], returns: "bool", arity: 1 },
  finite: { accepts: ["float32"], returns: "bool", arity: 1 },
  lt: { accepts: ["float32", "int32"], returns: "bool", arity: 2 },
  le: { accepts: ["float32", "int32"], returns: "bool", arity: 2 },
  gt: { accepts: ["float32", "int32"], returns: "bool", arity: 2 },
  ge: { accepts: ["float32", "int32"], returns: "bool", arity: 2 },
  eq: { accepts: ["float32", "int32", "bool"], returns: "bool", arity: 2 },
  ne: { accepts: ["float32", "int32", "bool"], returns: "bool", arity: 2 },
  and: { accepts: ["bool"], returns: "bool", arity: 2 },
  or: { accepts: ["bool"], returns: "bool", arity: 2 },
  not: { accepts: ["bool"], returns: "bool", arity: 1 },
  // The condition is checked separately; `accepts` covers the two values.
  select: { accepts: ["float32", "int32", "bool"], returns: "same", arity: 3 },
  toFloat32: { accepts: ["float32", "int32", "bool"], returns: "float32", arity: 1 },
  toInt32: { accepts: ["float32", "int32", "bool"], returns: "int32", arity: 1 },
  toBool: { accepts: ["float32", "int32", "bool"], returns: "bool", arity: 1 },
};

/** Every scalar function, for renderers' coverage checks. */
export const SCALAR_FNS = Object.keys(SIGNATURES) as ScalarFn[];

/** The operand dtypes a scalar function accepts. */
export function scalarFnOperandDTypes(fn: ScalarFn): readonly DType[] {
  return SIGNATURES[fn].accepts;
}

/** A literal of `dtype`. Booleans become 1 and 0. */
export function literal(value: number | boolean, dtype: DType): ScalarExpr {
  const v = typeof value === "boolean" ? (value ? 1 : 0) : value;
  if (dtype === "int32" && !(Number.isInteger(v) && v >= -2147483648 && v <= 2147483647)) {
    throw new ArgumentError(`scalar literal ${v} is not an int32 value`);
  }
  if (dtype === "bool" && v !== 0 && v !== 1) throw new ArgumentError(`scalar literal ${v} is not a bool value (0 or 1)`);
  // float32 literals keep their JS value: backends with float32 arithmetic round them, and
  // the JS backend computes intermediates in double precision anyway.
  return { kind: "literal", value: v, dtype };
}

/** Turns JS numbers among `operands` into literals of the first node's dtype. */
function typedOperands(fn: ScalarFn, operands: readonly Operand[]): ScalarExpr[] {
  const anchor = operands.find((o): o is ScalarExpr => typeof o === "object");
  if (anchor === undefined) throw new ArgumentError(`scalar ${fn}: at least one operand must be an expression; type a lone literal with literal(value, dtype)`);
  return operands.map((o) => (typeof o === "object" ? o : literal(o, anchor.dtype)));
}

/** Applies a scalar function, checking operand count and dtypes when the table is built. */
export function call(fn: ScalarFn, ...operands: Operand[]): ScalarExpr {
  const signature = SIGNATURES[fn];
  if (operands.length !== signature.arity) throw new ArgumentError(`scalar ${fn}: expects ${signature.arity} operands, received ${operands.length}`);
  if (fn === "select") {
    const [condition, ...values] = operands;
    if (typeof condition !== "object" || condition.dtype !== "bool") throw new ArgumentError("scalar select: the condition must be a bool expression");
    const [x, y] = typedOperands(fn, values);
    if (x!.dtype !== y!.dtype) throw new ArgumentError(`scalar select: both values must share a dtype, received ${x!.dtype} and ${y!.dtype}`);
    return { kind: "call", fn, args: [condition, x!, y!], dtype: x!.dtype };
  }
  const args = typedOperands(fn, operands);
  const dtype = args[0]!.dtype;
  for (const arg of args) {
    if (arg.dtype !== dtype) throw new ArgumentError(`scalar ${fn}: operands must share a dtype, received ${args.map((a) => a.dtype).join(" and ")}`);
  }
  if (!signature.accepts.includes(dtype)) throw new ArgumentError(`scalar ${fn}: does not accept ${dtype} operands (accepts ${signature.accepts.join(", ")})`);
  return { kind: "call", fn, args, dtype: signature.returns === "same" ? dtype : signature.returns };
}

/**
 * Builds the semantics of an elementwise op for one input-dtype combination: `body`
 * receives one argument node per input.
 *
 * ```ts
 * scalarKernel(["float32"], (x) => s.select(s.lt(x, 0), 0, x)); // relu; NaN passes through
 * ```
 */
export function scalarKernel(args: readonly DType[], body: (...xs: ScalarExpr[]) => ScalarExpr): ScalarKernel {
  const nodes = args.map((dtype, index): ScalarExpr => ({ kind: "arg", index, dtype }));
  return { args: [...args], body: body(...nodes) };
}

/** The same body for several dtypes, one kernel each (e.g. `add` for float32 and int32). */
export function scalarKernels(dtypes: readonly DType[], arity: number, body: (...xs: ScalarExpr[]) => ScalarExpr): ScalarKernel[] {
  return dtypes.map((dtype) => scalarKernel(new Array<DType>(arity).fill(dtype), body));
}

// Builders for each scalar function, so op tables read like math: `s.add(a, b)`.
const unary = (fn: ScalarFn) => (x: Operand) => call(fn, x);
const binary = (fn: ScalarFn) => (x: Operand, y: Operand) => call(fn, x, y);
export const add = binary("add");
export const sub = binary("sub");
export const mul = binary("mul");
export const div = binary("div");
export const neg = unary("neg");
export const abs = unary("abs");
export const max = binary("max");
export const min = binary("min");
export const rem = binary("rem");
export const floorDiv = binary("floorDiv");
export const pow = binary("pow");
export const exp = unary("exp");
export const expm1 = unary("expm1");
export const log = unary("log");
export const log1p = unary("log1p");
export const sqrt = unary("sqrt");
export const sin = unary("sin");
export const cos = unary("cos");
export const tanh = unary("tanh");
export const atan2 = binary("atan2");
export const erf = unary("erf");
export const erfc = unary("erfc");
export const floor = unary("floor");
export const ceil = unary("ceil");
export const roundHalfEven = unary("roundHalfEven");
export const roundF32 = unary("roundF32");
export const isNan = unary("isNan");
export const finite = unary("finite");
export const lt = binary("lt");
export const le = binary("le");
export const gt = binary("gt");
export const ge = binary("ge");
export const eq = binary("eq");
export const ne = binary("ne");
export const and = binary("and");
export const or = binary("or");
export const not = unary("not");
export const select = (c: ScalarExpr, x: Operand, y: Operand) => call("select", c, x, y);
export const toFloat32 = unary("toFloat32");
export const toInt32 = unary("toInt32");
export const toBool = unary("toBool");
