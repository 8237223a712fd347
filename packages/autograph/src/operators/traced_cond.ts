/**
 * Building one `If` op (`tf.cond`) from two branch functions that each return a list of
 * named values (the state of an `if`, the value of `?:`). Leaves that are the same JS
 * value in both branches stay JS values, so static facts survive (`doReturn__` is still
 * plainly `false` after an `if` where neither branch returns); leaves that differ become
 * tensors, of the other branch's dtype when that one is a tensor (so `c ? x : 0` with an
 * int32 `x` gives int32). Finding out takes a second tracing when they differ.
 */
import * as tf from "@kiln/core";
import { AutoGraphError } from "../errors.js";
import { atLocation } from "./state.js";
import { type FlatState, flattenState } from "./structure.js";
import { isTensor } from "./tensors.js";

/** Starts the cond over with more leaves converted to tensors. */
class RetryConverting {
  constructor(
    readonly owner: object,
    readonly convert: Map<number, tf.DType>,
  ) {}
}

function leafTensor(value: unknown, dtype: tf.DType): unknown {
  if (typeof value === "number" || typeof value === "boolean") return tf.scalar(value, dtype);
  return value;
}

/** The dtype a leaf pair should share, or undefined when they cannot be reconciled as tensors. */
function commonDType(a: unknown, b: unknown): tf.DType | undefined {
  const convertible = (v: unknown) => isTensor(v) || typeof v === "number" || typeof v === "boolean";
  if (!convertible(a) || !convertible(b)) return undefined;
  if (isTensor(a)) return a.dtype;
  if (isTensor(b)) return b.dtype;
  return typeof a === "boolean" && typeof b === "boolean" ? "bool" : "float32";
}

/** Describes the branches to `tracedCond`. */
export interface CondBranches {
  /** Traces branch 0 (main) or 1 (else) and returns its values, one per name. */
  run(index: 0 | 1): unknown[];
  /** Called with both branches' values once the else branch is traced (may throw). */
  check?(main: unknown[], orelse: unknown[]): void;
}

/**
 * `tf.cond` over the branches' values: the result, one value per name. `construct` and
 * `loc` locate errors; `names` name the values in them (nested leaves as `x[0]`, `x.key`).
 */
export function tracedCond(
  pred: tf.Tensor,
  branches: CondBranches,
  names: readonly string[],
  construct: string,
  loc: string,
  convert = new Map<number, tf.DType>(),
): unknown[] {
  const token = {};
  const values: unknown[][] = [];
  const flats: FlatState[] = [];
  const leaves: unknown[][] = [];
  // Core reads the names when it reports, after both branches are traced; the first fills them.
  const leafNames: string[] = [];
  const branch = (index: 0 | 1) => () => {
    const result = branches.run(index);
    const flat = flattenState(result, names);
    values[index] = result;
    flats[index] = flat;
    leaves[index] = flat.leaves.map((leaf, i) => (convert.has(i) ? leafTensor(leaf, convert.get(i)!) : leaf));
    if (index === 0) leafNames.push(...flat.names);
    else {
      branches.check?.(values[0]!, result);
      names.forEach((name, i) => {
        if (flats[0]!.structures[i] !== flat.structures[i]) {
          throw new AutoGraphError(
            `'${name}' has structure ${flats[0]!.structures[i]} in the main branch, but ${flat.structures[i]} in the else branch; both branches must give it the same structure`,
          );
        }
      });
      const more = new Map<number, tf.DType>();
      leaves[1]!.forEach((b, i) => {
        const a = leaves[0]![i];
        if (isTensor(a) && isTensor(b)) return;
        if (!isTensor(a) && !isTensor(b) && Object.is(a, b)) return;
        const dtype = commonDType(a, b);
        if (dtype !== undefined) more.set(i, dtype);
      });
      if (more.size > 0) throw new RetryConverting(token, more);
    }
    return leaves[index];
  };
  try {
    const result = atLocation(construct, loc, () => tf.cond(pred, branch(0), branch(1), { names: leafNames })) as unknown[];
    return flats[0]!.rebuild(result);
  } catch (error) {
    if (!(error instanceof RetryConverting) || error.owner !== token) throw error;
    return tracedCond(pred, branches, names, construct, loc, new Map([...convert, ...error.convert]));
  }
}
