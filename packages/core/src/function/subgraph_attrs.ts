import { isDType } from "../base/dtype.js";
import { ArgumentError } from "../base/errors.js";
import type { Shape } from "../base/shape.js";
import type { ValueInfo } from "../ir/op.js";
import { show } from "../ops/movement_args.js";

/**
 * Attribute checks shared by the ops that run sub-graphs (`PartitionedCall`,
 * `StatefulPartitionedCall`, `If`, `While`), called from their `infer`: a function
 * reference, the output types `Tout`, lists of input indices. Tracing always writes valid
 * values; a graph file may hold anything, and the executor indexes with these, so each
 * is checked before it is trusted (SPEC K2). How the referenced sub-graphs fit the op is
 * checked by `verifyGraph`, which sees the library.
 */

/** The largest dim a declared output type may have (the largest tensor size). */
const MAX_DIM = 2 ** 31 - 1;
/** The most dims a declared output type may have. */
const MAX_RANK = 64;

/**
 * A function reference attribute: a non-empty string naming a library function.
 *
 * ```ts
 * checkFunctionName(attrs.thenBranch, "cond", "thenBranch"); // "cond_true_0"
 * ```
 */
export function checkFunctionName(value: unknown, api: string, name: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new ArgumentError(`${api}: '${name}' must name a function of the graph's library, received ${show(value)}`);
  }
  return value;
}

function checkDim(d: unknown): d is number | null {
  return d === null || (typeof d === "number" && Number.isInteger(d) && d >= 0 && d <= MAX_DIM);
}

/**
 * `Tout`: one `{ shape, dtype }` per output, shapes of non-negative integer dims (or `null`
 * for unknown ones) and a Kiln dtype. Returns them as the op's inferred outputs.
 *
 * ```ts
 * checkOutputTypes([{ shape: [null, 2], dtype: "float32" }], "whileLoop"); // [{ shape: [null, 2], dtype: "float32" }]
 * ```
 */
export function checkOutputTypes(value: unknown, api: string): ValueInfo[] {
  if (!Array.isArray(value)) throw new ArgumentError(`${api}: 'Tout' must be a list of output types, received ${show(value)}`);
  // Attrs never change, and an eager call infers its op on every call: check each list once.
  const checked = checkedOutputTypes.get(value);
  if (checked !== undefined) return checked;
  const types = value.map((t: unknown, i) => {
    const { shape, dtype } = (typeof t === "object" && t !== null ? t : {}) as { shape?: unknown; dtype?: unknown };
    const ok = Array.isArray(shape) && shape.length <= MAX_RANK && shape.every(checkDim) && isDType(dtype);
    if (!ok) {
      throw new ArgumentError(
        `${api}: 'Tout[${i}]' must be { shape, dtype } with a shape of at most ${MAX_RANK} non-negative integer (or null) dims and a dtype, received ${show(t)}`,
      );
    }
    return { shape: [...(shape as Shape)], dtype };
  });
  checkedOutputTypes.set(value, types);
  return types;
}

/** `Tout` lists already checked, and their types. */
const checkedOutputTypes = new WeakMap<readonly unknown[], ValueInfo[]>();

/**
 * A list of the op's input indices (which inputs a branch or loop body takes): integers
 * from `from` up to `count - 1`.
 *
 * ```ts
 * checkInputIndices([1, 2], "cond", "thenInputs", 1, 3); // [1, 2]
 * ```
 */
export function checkInputIndices(value: unknown, api: string, name: string, from: number, count: number): number[] {
  const ok = Array.isArray(value) && value.every((i) => Number.isInteger(i) && i >= from && i < count);
  if (!ok) {
    const range = from < count ? `integers from ${from} to ${count - 1}` : "empty (the op has no inputs to pass)";
    throw new ArgumentError(`${api}: '${name}' must list indices of the op's inputs (${range}), received ${show(value)}`);
  }
  return value as number[];
}
