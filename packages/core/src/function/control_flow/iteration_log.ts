import type { DType } from "../../base/dtype.js";
import type { Shape } from "../../base/shape.js";
import { add } from "../../ops/binary.js";
import { range, zeros } from "../../ops/creation.js";
import { gather } from "../../ops/gather.js";
import { concat, stack } from "../../ops/joining.js";
import { shape, size } from "../../ops/shape_of.js";
import { expandDims, reshape } from "../../ops/shape_ops.js";
import type { Tensor } from "../../tensor/tensor.js";

/**
 * Every value one loop variable takes in a traced loop, kept in two tensors that are
 * themselves loop variables, so a gradient can read back the value of any iteration.
 * Values may change shape between iterations (a `null` dim in the shape invariant) and
 * their dims may be known only when the graph runs, so they are stored flat, one after
 * another, in `values` (`[total]`), and `index` holds one int32 row per iteration:
 * `[start, end, ...dims]` (where the value lies in `values`, and its run-time shape).
 *
 * ```ts
 * let log = emptyLog({ shape: [null], dtype: "float32" });
 * log = appendToLog(log, h);           // inside the loop body, once per iteration
 * readLog(log, k, [null]);             // h as it was in iteration k
 * ```
 */
export interface IterationLog {
  readonly values: Tensor;
  readonly index: Tensor;
}

/** A log holding no iteration yet, for values of `type` (a loop variable's dtype and shape invariant). */
export function emptyLog(type: { readonly shape: Shape; readonly dtype: DType }): IterationLog {
  return { values: zeros([0], type.dtype), index: zeros([0, 2 + type.shape.length], "int32") };
}

/** The shape invariants of a log's two tensors (both grow by one entry per iteration). */
export function logInvariants(type: { readonly shape: Shape }): [Shape, Shape] {
  return [[null], [null, 2 + type.shape.length]];
}

/** `log` with `value` appended as the next iteration's entry. */
export function appendToLog(log: IterationLog, value: Tensor): IterationLog {
  const start = size(log.values);
  const row = concat([stack([start, add(start, size(value))]), shape(value)]);
  return {
    values: concat([log.values, reshape(value, [-1])]),
    index: concat([log.index, expandDims(row, 0)]),
  };
}

/**
 * The value appended in iteration `k` (an int32 scalar tensor), shaped by `invariant`:
 * its known dims stay known statically, the `null` ones come from the log at run time.
 */
export function readLog(log: IterationLog, k: Tensor, invariant: Shape): Tensor {
  const row = gather(log.index, k);
  const flat = gather(log.values, range(gather(row, 0), gather(row, 1), 1, "int32"));
  return reshape(
    flat,
    invariant.map((d, i) => d ?? gather(row, 2 + i)),
  );
}
