import { ArgumentError, BackendError } from "../base/errors.js";
import type { OpOutput } from "../ir/graph.js";
import { type AnyOpDef, type Attrs, kernelArity, withAttrInputs } from "../ir/op.js";
import { partialValue } from "../ir/partial_value.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * Values of eager tensors known without reading them: what `tf.shape`, `tf.size` and
 * `tf.rank` return eagerly (they come from a shape core already knows), so a shape tensor
 * works as an attr on every backend, async-only ones included.
 */
const knownValues = new WeakMap<Tensor, readonly number[]>();

/** Records that `tensor` holds `values` (see `knownValues`). */
export function rememberValue<T extends Tensor>(tensor: T, values: readonly number[]): T {
  knownValues.set(tensor, values);
  return tensor;
}

/** An eager tensor's values for an attr: remembered, or read synchronously; undefined when neither is possible now. */
function eagerValue(tensor: Tensor): readonly number[] | undefined {
  const known = knownValues.get(tensor);
  if (known !== undefined) return known;
  return tensor.canReadSync ? Array.from(tensor.dataSync()) : undefined;
}

/** True when the op was given its attr inputs (see `OpDef.attrInputs`). */
export function hasAttrInputs(op: AnyOpDef, inputs: readonly unknown[]): boolean {
  const arity = kernelArity(op);
  return arity !== undefined && inputs.length > arity;
}

/**
 * Eagerly: the op's attr inputs read into its attrs (the kernel then runs as if they had
 * been given as attrs). A value that cannot be read now (a tensor on an async-only backend)
 * is a BackendError that says what to pass instead.
 */
export function foldEagerAttrInputs(op: AnyOpDef, inputs: readonly Tensor[], attrs: object): { inputs: readonly Tensor[]; attrs: Attrs } {
  const values = op.attrInputs!.map((spec) => {
    const value = eagerValue(inputs[spec.input]!);
    if (value === undefined) {
      throw new BackendError(
        `${op.api}: the '${spec.attr}' tensor lives on an async-only backend and cannot be read synchronously; pass a JS ${spec.scalar ? "number" : "array"}, tf.shape(...) of a tensor, or await its data first`,
      );
    }
    return value;
  });
  return { inputs: inputs.slice(0, kernelArity(op)), attrs: withAttrInputs(op, attrs, values, inputs) };
}

/**
 * While tracing: the op's attr inputs folded into its attrs when every value is known
 * (constants, readable eager tensors), so the graph records the static op; otherwise
 * undefined and the op keeps its inputs (the plan reads them when it runs).
 */
export function foldTracedAttrInputs(op: AnyOpDef, inputs: readonly Tensor[], attrs: object): { inputs: readonly Tensor[]; attrs: Attrs } | undefined {
  const values: number[][] = [];
  for (const spec of op.attrInputs!) {
    const input = inputs[spec.input]!;
    const value = input.isSymbolic ? partialValue(input.handle.kind === "symbolic" ? (input.handle.ref as OpOutput) : input) : eagerValue(input);
    if (value === undefined || value.some((v) => v === null)) return undefined;
    values.push(value as number[]);
  }
  return { inputs: inputs.slice(0, kernelArity(op)), attrs: withAttrInputs(op, attrs, values, inputs) };
}

/** True for a tensor or a variable (anything that converts to one). */
function isTensorLikeObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as { handle?: unknown }).handle !== undefined && typeof (value as { dispose?: unknown }).dispose === "function";
}

/**
 * Attrs are JS values (numbers, arrays, strings). A tensor given where only a JS value can
 * work (`tf.linspace(0, 1, n)` with a traced `n`) is an ArgumentError that says so, instead
 * of failing later in a confusing way (SPEC D4).
 */
export function rejectTensorAttrs(op: AnyOpDef, attrs: object): void {
  // Every op call passes here: no allocation, and only objects need a closer look.
  for (const key in attrs) {
    const value: unknown = (attrs as Record<string, unknown>)[key];
    if (typeof value !== "object" || value === null) continue;
    const holds = isTensorLikeObject(value) || (Array.isArray(value) && value.some(isTensorLikeObject));
    if (!holds) continue;
    throw new ArgumentError(
      `${op.api}: '${key}' must be a JS value here, but it received a tensor. ${op.api} reads '${key}' when it is traced, so a tensor's value (known only when the graph runs) cannot be used; pass a JS number or array (read an eager tensor with await t.data())`,
    );
  }
}
