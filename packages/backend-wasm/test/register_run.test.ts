import { describe, expect, it } from "vitest";
import { renderKernel } from "../src/dialect/c_dialect.js";
import { scalarKernelVariants } from "../src/dialect/kernel_catalog.js";
import { ACC_FIRST, ACC_SECOND, registerRunRoles } from "../src/dialect/register_run.js";

/** The roles of op `name`'s kernel for these argument dtypes. */
function rolesOf(name: string, args: readonly string[]): number {
  const variant = scalarKernelVariants().find((v) => v.op.name === name && v.kernel.args.join() === args.join());
  if (variant === undefined) throw new Error(`no ${name} kernel for ${args.join()}`);
  return registerRunRoles(variant.kernel, renderKernel(variant.kernel));
}

describe("which kernels may run in registers", () => {
  it("single-instruction float32 and int32 ops take both roles when binary and the first when unary", () => {
    for (const op of ["AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "SquaredDifference"]) {
      expect(rolesOf(op, ["float32", "float32"]), op).toBe(ACC_FIRST | ACC_SECOND);
    }
    for (const op of ["AddV2", "Mul", "Maximum"]) expect(rolesOf(op, ["int32", "int32"]), op).toBe(ACC_FIRST | ACC_SECOND);
    for (const op of ["Neg", "Abs", "Relu", "Relu6", "Sqrt", "Square", "Floor", "Reciprocal"]) {
      expect(rolesOf(op, ["float32"]), op).toBe(ACC_FIRST);
    }
  });

  it("transcendentals, per-lane helpers, bool lanes and three-argument selects keep their own kernels", () => {
    for (const op of ["Exp", "Tanh", "Sigmoid", "Log", "Sin"]) expect(rolesOf(op, ["float32"]), op).toBe(0);
    expect(rolesOf("FloorMod", ["float32", "float32"])).toBe(0);
    expect(rolesOf("Greater", ["float32", "float32"])).toBe(0);
    expect(rolesOf("LogicalAnd", ["bool", "bool"])).toBe(0);
    expect(rolesOf("SelectV2", ["bool", "float32", "float32"])).toBe(0);
  });
});
