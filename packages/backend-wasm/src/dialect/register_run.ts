import type { ScalarKernel } from "@kiln/core";
import type { RenderedKernel } from "./c_dialect.js";

/** The accumulator of a register run is the kernel's first argument (x0). */
export const ACC_FIRST = 1;
/** The accumulator of a register run is the kernel's second argument (x1). */
export const ACC_SECOND = 2;

/** What a cheap kernel may call: single SIMD128 instructions and the one-instruction helpers. */
const CHEAP_CALL = /^(wasm_[a-z0-9_]+|v_f32|v_i32|v_neg_f32|v_abs_f32)$/;

/**
 * The roles a kernel can take in a register run of a fused program (csrc/elementwise.c):
 * a chain of cheap ops applied to values held in registers, four vectors at a time, with no
 * block buffer between them. A kernel qualifies when it has one or two arguments, every
 * argument and its result are four-byte lanes (float32 or int32: a run keeps them in one
 * v128 accumulator), and its C is a handful of single instructions (add, mul, max, select,
 * a sign mask, sqrt...): a transcendental polynomial keeps its own block loop, where four
 * interleaved copies use the vector registers better than a switch case can. Returns 0, or
 * `ACC_FIRST` (unary), or `ACC_FIRST | ACC_SECOND` (binary: the running value may be either
 * argument). The case compiled for a role is the kernel's own C text, so a run gives the
 * same bits as the kernels one by one, except the sign and payload of NaN results (wasm
 * leaves those to the engine, and V8 may order a commutative instruction's operands
 * differently inside a run).
 *
 * ```ts
 * registerRunRoles(addKernel, renderKernel(addKernel)); // ACC_FIRST | ACC_SECOND
 * registerRunRoles(expKernel, renderKernel(expKernel)); // 0
 * ```
 */
export function registerRunRoles(kernel: ScalarKernel, rendered: RenderedKernel): number {
  const arity = kernel.args.length;
  if (arity < 1 || arity > 2) return 0;
  if (![...kernel.args, kernel.body.dtype].every((d) => d === "float32" || d === "int32")) return 0;
  const text = [...rendered.statements, rendered.value].join(" ");
  for (const [, name] of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\(/g)) if (!CHEAP_CALL.test(name!)) return 0;
  return arity === 1 ? ACC_FIRST : ACC_FIRST | ACC_SECOND;
}
