/**
 * Two-input broadcasting elementwise ops. ONNX broadcasts like NumPy, as Kiln does. Integer
 * floor division and modulo go through int64 with a divisor of 1 where it is 0, so they keep
 * Kiln's defined results (`x // 0` and `x % 0` are 0; `-2^31 // -1` wraps) instead of a
 * runtime's integer-division trap.
 *
 * ```ts
 * // tf.floorDiv(a, b) for float32  ->  Floor(Div(a, b))
 * ```
 */
import type { GraphBuilder } from "../export/graph_builder.js";
import { cast, signBit } from "./helpers.js";
import { wrappingIntPow } from "./int_pow.js";
import type { NodeContext, OpMapping } from "./mapping.js";
import { direct } from "./unary.js";

/** `b` with zeros replaced by ones (int64), and the mask of where it was zero. */
function safeDivisor(g: GraphBuilder, divisor: string): { safe: string; zero: string } {
  const zero = g.node1("Equal", [divisor, g.scalar("int64", 0)]);
  return { safe: g.node1("Where", [zero, g.scalar("int64", 1), divisor]), zero };
}

/** Kiln's int32 floor division or floor modulo, computed in int64. */
function integerDivision(n: NodeContext, kind: "div" | "mod"): string {
  const { b } = n;
  const a = cast(b, n.inputs[0]!, "int32", "int64");
  const { safe, zero } = safeDivisor(b, cast(b, n.inputs[1]!, "int32", "int64"));
  // Mod with fmod = 0 is the floor modulo (the divisor's sign); a - mod is an exact multiple.
  const mod = b.node1("Mod", [a, safe], { fmod: { int: 0 } });
  if (kind === "mod") return cast(b, mod, "int64", "int32");
  const quotient = b.node1("Div", [b.node1("Sub", [a, mod]), safe]);
  return cast(b, b.node1("Where", [zero, b.scalar("int64", 0), quotient]), "int64", "int32");
}

/** Kiln's float32 floor modulo: C's fmod, moved into the divisor's sign. */
function floatFloorMod(n: NodeContext): string {
  const { b } = n;
  const [x, y] = [n.inputs[0]!, n.inputs[1]!];
  const r = b.node1("Mod", [x, y], { fmod: { int: 1 } });
  const zero = b.scalar("float32", 0);
  const signsDiffer = b.node1("Xor", [b.node1("Less", [r, zero]), b.node1("Less", [y, zero])]);
  const adjust = b.node1("And", [b.node1("Not", [b.node1("Equal", [r, zero])]), signsDiffer]);
  return b.node1("Where", [adjust, b.node1("Add", [r, y]), r]);
}

/**
 * atan2(y, x) with C's (and JS's) special cases, from Atan(y / x): moved by ±pi (the sign of y,
 * -0 included) when x has its sign bit set; ±0 and ±pi for two zeros; ±pi/4 and ±3pi/4 for two
 * infinities. Division by a zero x gives ±Infinity, whose Atan is the ±pi/2 of y on the axis.
 */
function atan2(n: NodeContext): string {
  const { b } = n;
  const [y, x] = [n.inputs[0]!, n.inputs[1]!];
  const f = (v: number) => b.scalar("float32", v);
  const yNegative = signBit(b, y);
  const xNegative = signBit(b, x);
  const withSignOfY = (v: number) => b.node1("Where", [yNegative, f(-v), f(v)]);
  const base = b.node1("Atan", [b.node1("Div", [y, x])]);
  const turned = b.node1("Where", [xNegative, b.node1("Add", [base, withSignOfY(Math.PI)]), base]);
  // Two zeros: y itself (a signed zero) when x is +0, ±pi when x is -0.
  const zero = f(0);
  const bothZero = b.node1("And", [b.node1("Equal", [y, zero]), b.node1("Equal", [x, zero])]);
  const zeros = b.node1("Where", [xNegative, withSignOfY(Math.PI), y]);
  const bothInfinite = b.node1("And", [b.node1("IsInf", [y]), b.node1("IsInf", [x])]);
  const infinities = b.node1("Where", [xNegative, withSignOfY((3 * Math.PI) / 4), withSignOfY(Math.PI / 4)]);
  return b.node1("Where", [bothZero, zeros, b.node1("Where", [bothInfinite, infinities, turned])]);
}

export const binaryMappings: readonly OpMapping[] = [
  direct("AddV2", "Add", "int32 wraps on overflow"),
  direct("Sub", "Sub"),
  direct("Mul", "Mul"),
  direct("RealDiv", "Div"),
  {
    op: "FloorDiv",
    onnx: "float32: Floor(Div(a, b)); int32: Div(a - Mod(a, b), b) in int64 with a zero-divisor guard",
    convert: (n) => [n.input(0).dtype === "int32" ? integerDivision(n, "div") : n.b.node1("Floor", [n.b.node1("Div", n.inputs)])],
  },
  {
    op: "FloorMod",
    onnx: "float32: Mod(fmod=1) moved to the divisor's sign; int32: Mod(fmod=0) in int64 with a zero-divisor guard",
    convert: (n) => [n.input(0).dtype === "int32" ? integerDivision(n, "mod") : floatFloorMod(n)],
  },
  {
    op: "Pow",
    onnx: "Pow; int32: Loop of squarings and products in int64 keeping the low 32 bits",
    notes: "int32 powers wrap, and negative int32 exponents truncate, as in Kiln",
    convert: (n) => [n.input(0).dtype === "int32" ? wrappingIntPow(n) : n.b.node1("Pow", n.inputs)],
  },
  direct("Maximum", "Max", "NaN wins, as in Kiln (onnxruntime propagates it)"),
  direct("Minimum", "Min", "NaN wins, as in Kiln (onnxruntime propagates it)"),
  {
    op: "SquaredDifference",
    onnx: "Mul(d, d) with d = Sub(a, b)",
    convert: (n) => {
      const d = n.b.node1("Sub", n.inputs);
      return [n.b.node1("Mul", [d, d])];
    },
  },
  { op: "Atan2", onnx: "Atan(Div(y, x)) with Where for quadrants, signed zeros and infinities", convert: (n) => [atan2(n)] },
  direct("Equal", "Equal"),
  { op: "NotEqual", onnx: "Not(Equal(a, b))", convert: (n) => [n.b.node1("Not", [n.b.node1("Equal", n.inputs)])] },
  direct("Less", "Less"),
  direct("LessEqual", "LessOrEqual"),
  direct("Greater", "Greater"),
  direct("GreaterEqual", "GreaterOrEqual"),
  direct("LogicalAnd", "And"),
  direct("LogicalOr", "Or"),
];
