/**
 * Elementwise steps of the composition fuzzer: unary ops, binary ops with a new input of a
 * broadcasting shape, comparisons, logic, casts and `where`.
 *
 * ```ts
 * const step = unaryStep(b, h); // e.g. "h = tanh(h)"
 * ```
 */
import { tf } from "../setup.js";
import type { Builder, FuzzDType, Step, Value } from "./program.js";

const bcast = (a: readonly number[], c: readonly number[]): number[] => tf.broadcastShapes(a, c, "fuzz") as number[];

/** A shape that broadcasts with `shape`: a suffix with some dims 1, or (sometimes) one that grows it. */
export function partnerShape(b: Builder, shape: readonly number[], grow = true): number[] {
  const r = b.r;
  if (grow && shape.length < 4 && r.chance(0.15)) return [r.int(2, 3), ...shape.map((d) => (d === 1 && r.chance(0.5) ? r.int(2, 3) : d))];
  const drop = r.chance(0.35) ? r.int(0, shape.length) : 0;
  return shape.slice(drop).map((d) => (r.chance(0.3) ? 1 : d));
}

/**
 * How a step treats exactness: `exact` keeps it (IEEE-rounded in both libraries), `inexact`
 * loses it (libm differences); `onExact` steps only follow exact values (they turn small
 * differences into large ones: floor, sign, comparisons, and the reciprocals, logs and powers
 * that blow up an absolute error near 0) and keep exactness; `onExactInexact` likewise, but
 * lose it.
 */
type Kind = "exact" | "inexact" | "onExact" | "onExactInexact";

/** Whether a step of `kind` may follow a value that is (or is not) exact, with or without special values. */
function allowed(kind: Kind, exact: boolean, special: boolean): boolean {
  if (kind === "onExact") return exact;
  if (kind === "onExactInexact") return exact && !special;
  return kind !== "inexact" || !special;
}

const keepsExact = (kind: Kind, exact: boolean) => exact && (kind === "exact" || kind === "onExact");

type Unary = readonly [name: string, fn: (h: tf.Tensor) => tf.Tensor, kind: Kind, to?: FuzzDType];

const FLOAT_UNARY: readonly Unary[] = [
  ["neg", tf.neg, "exact"],
  ["abs", tf.abs, "exact"],
  ["square", tf.square, "exact"],
  ["sqrt", tf.sqrt, "exact"],
  ["identity", tf.identity, "exact"],
  ["relu", tf.relu, "exact"],
  ["relu6", tf.relu6, "exact"],
  ["clipByValue(h, -1, 2)", (h) => tf.clipByValue(h, -1, 2), "exact"],
  ["exp", tf.exp, "inexact"],
  ["expm1", tf.expm1, "inexact"],
  ["sin", tf.sin, "inexact"],
  ["cos", tf.cos, "inexact"],
  ["tanh", tf.tanh, "inexact"],
  ["sigmoid", tf.sigmoid, "inexact"],
  ["softplus", tf.softplus, "inexact"],
  ["erf", tf.erf, "inexact"],
  ["elu", tf.elu, "inexact"],
  ["selu", tf.selu, "inexact"],
  ["gelu", (h) => tf.gelu(h), "inexact"],
  ["reciprocal", tf.reciprocal, "onExact"],
  ["floor", tf.floor, "onExact"],
  ["ceil", tf.ceil, "onExact"],
  ["round", tf.round, "onExact"],
  ["sign", tf.sign, "onExact"],
  ["isNaN", tf.isNaN, "onExact", "bool"],
  ["isFinite", tf.isFinite, "onExact", "bool"],
  ["rsqrt", tf.rsqrt, "onExactInexact"],
  ["log", tf.log, "onExactInexact"],
  ["log1p", tf.log1p, "onExactInexact"],
];

const INT_UNARY: readonly Unary[] = [
  ["neg", tf.neg, "exact"],
  ["abs", tf.abs, "exact"],
  ["square", tf.square, "exact"],
  ["sign", tf.sign, "exact"],
  ["relu", tf.relu, "exact"],
];

/** A unary op on `h` (none for bool: logicalNot is in `logicStep`). */
export function unaryStep(b: Builder, h: Value): Step | undefined {
  if (h.dtype === "bool") return undefined;
  const table = h.dtype === "int32" ? INT_UNARY : FLOAT_UNARY.filter(([, , kind]) => allowed(kind, h.exact, b.special));
  const [name, fn, kind, to] = b.r.pick(table);
  return {
    line: `h = ${name.includes("(") ? name : `${name}(h)`}`,
    out: { shape: h.shape, dtype: to ?? h.dtype, exact: keepsExact(kind, h.exact) },
    apply: (x) => fn(x),
  };
}

type Binary = readonly [name: string, fn: (a: tf.Tensor, c: tf.Tensor) => tf.Tensor, kind: Kind, to?: FuzzDType];

const FLOAT_BINARY: readonly Binary[] = [
  ["add", tf.add, "exact"],
  ["sub", tf.sub, "exact"],
  ["mul", tf.mul, "exact"],
  ["squaredDifference", tf.squaredDifference, "exact"],
  ["maximum", tf.maximum, "exact"],
  ["minimum", tf.minimum, "exact"],
  ["div", tf.div, "onExact"],
  ["floorDiv", tf.floorDiv, "onExact"],
  ["mod", tf.mod, "onExact"],
  ["equal", tf.equal, "onExact", "bool"],
  ["less", tf.less, "onExact", "bool"],
  ["greaterEqual", tf.greaterEqual, "onExact", "bool"],
  ["pow", tf.pow, "onExactInexact"],
  ["atan2", tf.atan2, "onExactInexact"],
];

const INT_BINARY: readonly Binary[] = [
  ["add", tf.add, "exact"],
  ["sub", tf.sub, "exact"],
  ["mul", tf.mul, "exact"],
  ["floorDiv", tf.floorDiv, "exact"],
  ["mod", tf.mod, "exact"],
  ["maximum", tf.maximum, "exact"],
  ["minimum", tf.minimum, "exact"],
  ["notEqual", tf.notEqual, "exact", "bool"],
  ["greater", tf.greater, "exact", "bool"],
  ["lessEqual", tf.lessEqual, "exact", "bool"],
];

/** A binary op of `h` and a new input of a broadcasting shape (sometimes `h` itself, or the input first). */
export function binaryStep(b: Builder, h: Value): Step | undefined {
  if (h.dtype === "bool") return undefined;
  const table = h.dtype === "int32" ? INT_BINARY : FLOAT_BINARY.filter(([, , kind]) => allowed(kind, h.exact, b.special));
  const [name, fn, kind, to] = b.r.pick(table);
  const self = b.r.chance(0.1);
  const shape = self ? [...h.shape] : partnerShape(b, h.shape);
  const k = self ? -1 : b.input(shape, h.dtype);
  const w = self ? "h" : `x${k}`;
  const swap = b.r.chance(0.3);
  return {
    line: `h = ${name}(${swap ? `${w}, h` : `h, ${w}`})${self ? "" : `  (x${k}: ${h.dtype}[${shape}])`}`,
    out: { shape: bcast(h.shape, shape), dtype: to ?? h.dtype, exact: keepsExact(kind, h.exact) },
    apply: (x, xs) => {
      const y = self ? x : xs[k]!;
      return swap ? fn(y, x) : fn(x, y);
    },
  };
}

/** bool values: logicalNot, logicalAnd/Or with a new input, or `where(h, a, c)` over new float or int32 inputs. */
export function logicStep(b: Builder, h: Value): Step | undefined {
  if (h.dtype !== "bool") return undefined;
  const r = b.r;
  const kind = r.pick(["not", "and", "or", "where", "where"]);
  if (kind === "not") return { line: "h = logicalNot(h)", out: h, apply: (x) => tf.logicalNot(x) };
  if (kind === "and" || kind === "or") {
    const shape = partnerShape(b, h.shape);
    const k = b.input(shape, "bool");
    const fn = kind === "and" ? tf.logicalAnd : tf.logicalOr;
    return {
      line: `h = logical${kind === "and" ? "And" : "Or"}(h, x${k})  (x${k}: bool[${shape}])`,
      out: { ...h, shape: bcast(h.shape, shape) },
      apply: (x, xs) => fn(x, xs[k]!),
    };
  }
  const dtype: FuzzDType = r.pick(["float32", "float32", "int32", "bool"]);
  const [sa, sc] = [partnerShape(b, h.shape), partnerShape(b, h.shape, false)];
  const [a, c] = [b.input(sa, dtype), b.input(sc, dtype)];
  return {
    line: `h = where(h, x${a}, x${c})  (${dtype}[${sa}], [${sc}])`,
    out: { shape: bcast(bcast(h.shape, sa), sc), dtype, exact: true },
    apply: (x, xs) => tf.where(x, xs[a]!, xs[c]!),
  };
}

/** A cast to another dtype (float32 to int32 only from exact values: it truncates). */
export function castStep(b: Builder, h: Value): Step | undefined {
  const targets = (["float32", "int32", "bool"] as const).filter((d) => d !== h.dtype && !(h.dtype === "float32" && !h.exact));
  if (targets.length === 0) return undefined;
  const to = b.r.pick(targets);
  return { line: `h = cast(h, "${to}")`, out: { ...h, dtype: to }, apply: (x) => tf.cast(x, to) };
}
