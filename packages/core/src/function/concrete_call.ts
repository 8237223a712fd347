import { isPlainObject } from "../base/plain_object.js";
import { formatTfShape } from "../tensor/format.js";
import { Tensor } from "../tensor/tensor.js";
import type { ConcreteFunction } from "./concrete_function.js";
import { acceptsDims, encodeArgs, typeKey, type TypeNode } from "./function_type.js";
import { describeSpec, type SignatureParameter, signatureSummary } from "./pretty_signature.js";
import { Variable } from "./variable.js";

/** A short rendering of a received argument for error messages. */
function show(value: unknown, depth = 0): string {
  if (value instanceof Tensor) return `a tensor of shape ${formatTfShape(value.shape)} and dtype ${value.dtype}`;
  if (value instanceof Variable) return `a Variable of shape ${formatTfShape(value.shape)} and dtype ${value.dtype}`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value !== "object" || value === null) return String(value);
  if (depth > 2) return Array.isArray(value) ? "[...]" : "{...}";
  if (Array.isArray(value)) {
    const items = value.slice(0, 6).map((v) => show(v, depth + 1));
    return `[${items.join(", ")}${value.length > 6 ? ", ..." : ""}]`;
  }
  if (!isPlainObject(value)) return `a ${value.constructor?.name ?? "Object"} object`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${k}: ${show(v, depth + 1)}`)
    .join(", ")}}`;
}

/** True when a parameter holds a tensor or variable somewhere (it is passed on every call); otherwise its JS value is pinned. */
export function carriesTensors(node: TypeNode): boolean {
  switch (node.kind) {
    case "tensor":
    case "variable":
      return true;
    case "list":
      return node.items.some(carriesTensors);
    case "dict":
      return node.values.some(carriesTensors);
    default:
      return false;
  }
}

/** The number of tensor (not variable) leaves of a parameter: its share of `inputDims`. */
function tensorLeaves(node: TypeNode): number {
  switch (node.kind) {
    case "tensor":
      return 1;
    case "list":
      return node.items.reduce((n, item) => n + tensorLeaves(item), 0);
    case "dict":
      return node.values.reduce((n, value) => n + tensorLeaves(value), 0);
    default:
      return 0;
  }
}

/** The JS value a pinned parameter was traced with (as the user wrote it). */
function pinnedValue(node: TypeNode): unknown {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "ref":
      return node.ref.deref();
    case "list":
      return node.items.map(pinnedValue);
    case "dict":
      return Object.fromEntries(node.order.map((k) => [k, pinnedValue(node.values[node.keys.indexOf(k)]!)]));
    default:
      return undefined;
  }
}

/**
 * Binds the arguments of a direct call of a concrete function to its traced parameters
 * and returns the flat tensors and variables to run it with (SPEC B12). A concrete function
 * never retraces: JS-valued parameters are pinned to their traced values, so it may be
 * called with its tensor arguments only, or with every argument (pinned ones equal to
 * their traced values), or with trailing pinned arguments omitted; an explicit `undefined`
 * for a pinned parameter means "the traced value", as an omitted argument does in JS.
 * Anything else is a TypeError showing what the function was traced for.
 *
 * ```ts
 * const square = pow.getConcreteFunction(new tf.TensorSpec([null]), 2);
 * square(x);     // k is pinned to 2
 * square(x, 2);  // the same call
 * square(x, 3);  // TypeError: ... traced for pow(x: TensorSpec(...), k: Literal[2]) ...
 * ```
 */
export function bindConcreteCall(
  concrete: ConcreteFunction,
  args: readonly unknown[],
  parameters: readonly SignatureParameter[],
  fnName: string,
): (Tensor | Variable)[] {
  const params = concrete.functionType.params;
  const pinned = params.map((node) => !carriesTensors(node));
  const tensorPositions = params.flatMap((_, i) => (pinned[i] ? [] : [i]));
  const nameOf = (i: number) => parameters[i]?.name ?? `args_${i}`;
  const traced = () => `${fnName}: this concrete function was traced for ${signatureSummary(fnName, concrete, parameters)}`;
  const retrace = "Call the tf.function itself to trace a new signature";

  let given = [...args];
  while (given.length > 0 && given.at(-1) === undefined) given.pop();
  let positions: number[];
  if (given.length <= params.length && pinned.slice(given.length).every(Boolean)) positions = given.map((_, i) => i);
  else if (given.length === tensorPositions.length) positions = tensorPositions;
  else {
    const forms = [tensorPositions, params.map((_, i) => i)].map((form) => `(${form.map(nameOf).join(", ")})`);
    throw new TypeError(
      `${traced()} and cannot be called with ${args.length} argument${args.length === 1 ? "" : "s"}; ` +
        `pass ${forms[0] === forms[1] ? forms[0] : `its tensor arguments ${forms[0]} or every argument ${forms[1]}`} ` +
        `(JS arguments are pinned to their traced values and may be left out). ${retrace}`,
    );
  }
  // A pinned parameter given as `undefined` keeps its traced value.
  const kept = positions.flatMap((p, k) => (pinned[p] && given[k] === undefined ? [] : [k]));
  positions = kept.map((k) => positions[k]!);
  given = kept.map((k) => given[k]);

  const type = encodeArgs(given, fnName, positions.map(nameOf), { allowSpecs: false });
  const dims = concrete.inputDims;
  let leaf = 0;
  positions.forEach((p, k) => {
    const expected = params[p]!;
    const leaves = tensorLeaves(expected);
    const fits =
      typeKey([type.params[k]!]) === typeKey([expected]) &&
      acceptsDims(dims.slice(leaf, leaf + leaves), type.dims.slice(leaf, leaf + leaves));
    leaf += leaves;
    if (fits) return;
    const why = pinned[p]
      ? `JS arguments are pinned to the values they were traced with (leave '${nameOf(p)}' out, or pass ${show(pinnedValue(expected))})`
      : expected.kind === "tensor" || expected.kind === "variable"
        ? `it must match ${describeSpec(concrete.structuredInputSignature[p])} (tensors are never cast or reshaped)`
        : "its tensors must match the traced shapes and dtypes, and JS values inside it are pinned to the traced values";
    throw new TypeError(`${traced()} and cannot be called with ${nameOf(p)} = ${show(given[k])}: ${why}. ${retrace}`);
  });
  return type.flat as (Tensor | Variable)[];
}
