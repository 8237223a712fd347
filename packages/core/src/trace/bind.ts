import type { AnyOpDef } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";
import { getRuntime } from "./runtime.js";

/**
 * The single interception point: every public op calls `bind`, and the trace on top of
 * the runtime's stack decides what it means (run a kernel, record a graph node, ...).
 *
 * ```ts
 * const [sum] = bind(AddV2, [a, b], {});
 * ```
 */
export function bind(op: AnyOpDef, inputs: readonly Tensor[], attrs: object = {}): Tensor[] {
  return getRuntime().trace.bind(op, inputs, attrs);
}

/** `bind` for the common single-output op. */
export function bind1(op: AnyOpDef, inputs: readonly Tensor[], attrs: object = {}): Tensor {
  return getRuntime().trace.bind(op, inputs, attrs)[0]!;
}
