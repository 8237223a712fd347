import type { ScalarExpr } from "@kiln/core";

/**
 * Whether a float32 expression's value is always a float32 when its arguments are, so a
 * fused kernel can skip rounding it (`Math.fround`) and stay bit-identical to the op run
 * alone: sign changes, selections, max/min, rounding to integers, literals that are float32.
 * Sums, products, quotients and transcendentals need rounding.
 *
 * ```ts
 * exactInFloat32(reluBody); // true: select(lt(x, 0), 0, x)
 * exactInFloat32(addBody);  // false
 * ```
 */
export function exactInFloat32(node: ScalarExpr): boolean {
  switch (node.kind) {
    case "arg":
      return node.dtype !== "int32"; // an int32 argument may need rounding to become a float32
    case "literal":
      return Number.isNaN(node.value) || Math.fround(node.value) === node.value;
    case "call":
      switch (node.fn) {
        case "neg":
        case "abs":
        case "max":
        case "min":
        case "floor":
        case "ceil":
        case "roundHalfEven":
          return node.args.every(exactInFloat32);
        case "select":
          return exactInFloat32(node.args[1]!) && exactInFloat32(node.args[2]!);
        case "roundF32":
          return true;
        case "toFloat32":
          return exactInFloat32(node.args[0]!); // bool (0 or 1) and float32 are exact; int32 is not
        default:
          return false;
      }
  }
}
