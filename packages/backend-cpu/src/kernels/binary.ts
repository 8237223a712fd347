import type { KernelRegistration } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { byDtype, type ExpressionTable, elementwiseKernel } from "./elementwise/kernel.js";

// Each op is one JS expression of the elements `a` and `b`, compiled per dtype into
// loops for the same-shape, scalar-operand and broadcast layouts (elementwise/compile.ts).
// float32 + - * / computed in double and rounded once on store give exactly float32
// arithmetic's result. int32 wraps like C: `| 0` for + and -, Math.imul for *.

const COMPARE = (op: string): ExpressionTable => {
  const expression = `a ${op} b ? 1 : 0`;
  return { float32: expression, int32: expression };
};

/** The binary ops, by raw op name, as expressions per input dtype. */
export const BINARY_EXPRESSIONS: Record<string, ExpressionTable> = {
  AddV2: { float32: "a + b", int32: "(a + b) | 0" },
  Sub: { float32: "a - b", int32: "(a - b) | 0" },
  Mul: { float32: "a * b", int32: "Math.imul(a, b)" },
  RealDiv: { float32: "a / b" },
  FloorDiv: { float32: "floorDivFloat(a, b)", int32: "floorDivInt(a, b)" },
  FloorMod: { float32: "floorModFloat(a, b)", int32: "floorModInt(a, b)" },
  Pow: { float32: "powFloat(a, b)", int32: "powInt(a, b)" },
  // Math.max/min return NaN if either side is NaN (TF 2.4+ semantics) and order -0 < 0.
  Maximum: { float32: "Math.max(a, b)", int32: "a > b ? a : b" },
  Minimum: { float32: "Math.min(a, b)", int32: "a < b ? a : b" },
  SquaredDifference: { float32: "(a - b) * (a - b)", int32: "Math.imul(a - b, a - b)" },
  Atan2: { float32: "Math.atan2(a, b)" },
  Equal: { float32: "a === b ? 1 : 0", int32: "a === b ? 1 : 0", bool: "a === b ? 1 : 0" },
  NotEqual: { float32: "a !== b ? 1 : 0", int32: "a !== b ? 1 : 0", bool: "a !== b ? 1 : 0" },
  Less: COMPARE("<"),
  LessEqual: COMPARE("<="),
  Greater: COMPARE(">"),
  GreaterEqual: COMPARE(">="),
  LogicalAnd: { bool: "a !== 0 && b !== 0 ? 1 : 0" },
  LogicalOr: { bool: "a !== 0 || b !== 0 ? 1 : 0" },
};

/** Binary elementwise kernels with broadcasting. */
export const binaryKernels: KernelRegistration<any, CpuBackend>[] = Object.entries(BINARY_EXPRESSIONS).map(([op, table]) =>
  elementwiseKernel(op, 2, byDtype(table)),
);
