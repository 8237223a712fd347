import type { KernelRegistration } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { byDtype, type ExpressionTable, elementwiseKernel } from "./elementwise/kernel.js";

// Each op is one JS expression of the element `a`, compiled into its own loop per dtype
// (see elementwise/compile.ts). Float math runs in double precision and is rounded to
// float32 when stored, so results are the correctly rounded float32 of the double result.
// int32 results are wrapped with `| 0` or Math.imul, as C does.

const SELU_SCALE = 1.0507009873554805;
const SELU_SCALE_ALPHA = 1.7580993408473768; // scale * alpha, alpha = 1.6732632423543772

/** The unary ops, by raw op name, as expressions per input dtype. */
export const UNARY_EXPRESSIONS: Record<string, ExpressionTable> = {
  Neg: { float32: "-a", int32: "(-a) | 0" },
  Abs: { float32: "Math.abs(a)", int32: "(a < 0 ? -a : a) | 0" },
  // NaN gives 0, as TF documents and tfjs does.
  Sign: { float32: "a > 0 ? 1 : a < 0 ? -1 : 0", int32: "a > 0 ? 1 : a < 0 ? -1 : 0" },
  Square: { float32: "a * a", int32: "Math.imul(a, a)" },
  Exp: { float32: "Math.exp(a)" },
  Expm1: { float32: "Math.expm1(a)" },
  Log: { float32: "Math.log(a)" },
  Log1p: { float32: "Math.log1p(a)" },
  Sqrt: { float32: "Math.sqrt(a)" },
  Rsqrt: { float32: "1 / Math.sqrt(a)" },
  Reciprocal: { float32: "1 / a" },
  Sin: { float32: "Math.sin(a)" },
  Cos: { float32: "Math.cos(a)" },
  Tanh: { float32: "Math.tanh(a)" },
  Sigmoid: { float32: "1 / (1 + Math.exp(-a))" },
  // Written as comparisons (not Math.max) so NaN passes through unchanged.
  Relu: { float32: "a < 0 ? 0 : a", int32: "a < 0 ? 0 : a" },
  Relu6: { float32: "a < 0 ? 0 : a > 6 ? 6 : a", int32: "a < 0 ? 0 : a > 6 ? 6 : a" },
  Elu: { float32: "a > 0 ? a : Math.expm1(a)" },
  Selu: { float32: `a > 0 ? ${SELU_SCALE} * a : ${SELU_SCALE_ALPHA} * Math.expm1(a)` },
  Softplus: { float32: "softplus(a)" },
  Erf: { float32: "erf(a)" },
  Floor: { float32: "Math.floor(a)" },
  Ceil: { float32: "Math.ceil(a)" },
  Round: { float32: "roundHalfEven(a)" },
  IsNan: { float32: "a !== a ? 1 : 0" },
  // x - x is 0 exactly for finite x, NaN for ±Infinity and NaN.
  IsFinite: { float32: "a - a === 0 ? 1 : 0" },
  LogicalNot: { bool: "a === 0 ? 1 : 0" },
};

/** Unary elementwise kernels: one generated loop per op and dtype. */
export const unaryKernels: KernelRegistration<any, CpuBackend>[] = [
  ...Object.entries(UNARY_EXPRESSIONS).map(([op, table]) => elementwiseKernel(op, 1, byDtype(table))),
  elementwiseKernel("Gelu", 1, ({ attrs }) => (attrs.approximate === true ? "geluTanh(a)" : "gelu(a)")),
];
