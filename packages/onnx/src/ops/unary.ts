/**
 * One-input elementwise ops. Most are one ONNX op; the rest are short compositions of ONNX
 * ops where opset 17 has no single op (`Expm1`, `Log1p`, `Rsqrt`, `IsFinite`, `Gelu`).
 *
 * ```ts
 * // tf.rsqrt(x)  ->  Reciprocal(Sqrt(x))
 * ```
 */
import type { GraphBuilder } from "../export/graph_builder.js";
import type { OpMapping } from "./mapping.js";

/** A mapping to one ONNX op of the same inputs. */
export function direct(op: string, onnx: string, notes?: string, attrs: Record<string, { float: number }> = {}): OpMapping {
  return { op, onnx, ...(notes === undefined ? {} : { notes }), convert: (n) => [n.b.node1(onnx, n.inputs, attrs)] };
}

/** A mapping of one input written as a function of the builder and the input name. */
function composed(op: string, onnx: string, build: (b: GraphBuilder, x: string) => string, notes?: string): OpMapping {
  return { op, onnx, ...(notes === undefined ? {} : { notes }), convert: (n) => [build(n.b, n.inputs[0]!)] };
}

const one = (b: GraphBuilder) => b.scalar("float32", 1);
const SQRT1_2 = Math.SQRT1_2;

export const unaryMappings: readonly OpMapping[] = [
  direct("Neg", "Neg"),
  direct("Abs", "Abs"),
  {
    op: "Sign",
    onnx: "Sign (float32: Where(IsNaN(x), 0, Sign(x)))",
    notes: "NaN gives 0, as in Kiln (ONNX's Sign gives NaN)",
    convert: (n) => {
      const { b } = n;
      const x = n.inputs[0]!;
      const sign = b.node1("Sign", [x]);
      const guard = n.input(0).dtype === "float32" && n.options.specialValues !== "runtime";
      return [guard ? b.node1("Where", [b.node1("IsNaN", [x]), b.scalar("float32", 0), sign]) : sign];
    },
  },
  composed("Square", "Mul(x, x)", (b, x) => b.node1("Mul", [x, x])),
  direct("Exp", "Exp"),
  composed("Expm1", "Sub(Exp(x), 1)", (b, x) => b.node1("Sub", [b.node1("Exp", [x]), one(b)]), "exp(x) - 1: absolute error about 6e-8 near 0, where Kiln is exact to 1 ulp"),
  direct("Log", "Log"),
  composed("Log1p", "Log(Add(x, 1))", (b, x) => b.node1("Log", [b.node1("Add", [x, one(b)])]), "log(1 + x): loses relative precision for |x| < 1e-4"),
  direct("Sqrt", "Sqrt"),
  composed("Rsqrt", "Reciprocal(Sqrt(x))", (b, x) => b.node1("Reciprocal", [b.node1("Sqrt", [x])])),
  direct("Reciprocal", "Reciprocal"),
  direct("Sin", "Sin"),
  direct("Cos", "Cos"),
  direct("Tanh", "Tanh"),
  direct("Sigmoid", "Sigmoid"),
  direct("Relu", "Relu"),
  { op: "Relu6", onnx: "Clip(x, 0, 6)", convert: (n) => [n.b.node1("Clip", [n.inputs[0]!, n.b.scalar(n.input(0).dtype, 0), n.b.scalar(n.input(0).dtype, 6)])] },
  direct("Elu", "Elu", undefined, { alpha: { float: 1 } }),
  direct("Selu", "Selu"),
  direct("Softplus", "Softplus"),
  direct("Erf", "Erf"),
  direct("Floor", "Floor"),
  direct("Ceil", "Ceil"),
  direct("Round", "Round", "ties to even, like Kiln"),
  direct("IsNan", "IsNaN"),
  composed("IsFinite", "Not(Or(IsNaN(x), IsInf(x)))", (b, x) => b.node1("Not", [b.node1("Or", [b.node1("IsNaN", [x]), b.node1("IsInf", [x])])])),
  direct("LogicalNot", "Not"),
  {
    op: "Gelu",
    onnx: "x * (1 + Erf(x / sqrt 2)) / 2, or the Tanh form when approximate",
    notes: "opset 20's Gelu is not used, so opset 17 runtimes accept it",
    convert: (n) => {
      const { b } = n;
      const x = n.inputs[0]!;
      const half = b.node1("Mul", [x, b.scalar("float32", 0.5)]);
      if (n.attrs<{ approximate?: boolean }>().approximate === true) {
        const cube = b.node1("Mul", [b.node1("Mul", [b.node1("Mul", [x, b.scalar("float32", 0.044715)]), x]), x]);
        const inner = b.node1("Mul", [b.node1("Add", [x, cube]), b.scalar("float32", 0.7978845608028654)]);
        return [b.node1("Mul", [half, b.node1("Add", [b.node1("Tanh", [inner]), one(b)])])];
      }
      const erf = b.node1("Erf", [b.node1("Mul", [x, b.scalar("float32", SQRT1_2)])]);
      return [b.node1("Mul", [half, b.node1("Add", [erf, one(b)])])];
    },
  },
];
