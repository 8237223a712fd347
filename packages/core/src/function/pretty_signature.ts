import { isPlainObject } from "../base/plain_object.js";
import type { ConcreteShape } from "../base/shape.js";
import { formatTfShape } from "../tensor/format.js";
import { Tensor } from "../tensor/tensor.js";
import type { ConcreteFunction } from "./concrete_function.js";
import type { TypeNode } from "./function_type.js";
import { mapStructure } from "./structure.js";
import { TensorSpec } from "./tensor_spec.js";
import { Variable } from "./variable.js";

/** How a parameter of a traced call is named and passed, as TF's FunctionType prints it. */
export interface SignatureParameter {
  readonly name: string;
  /** A declared parameter, or one element of a rest parameter (or an argument past the declared ones). */
  readonly kind: "POSITIONAL_OR_KEYWORD" | "POSITIONAL_ONLY";
}

function literal(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "bigint":
      return `${value}n`;
    case "function":
      return `<function ${value.name || "(anonymous)"}>`;
    case "object":
      return value === null ? "null" : `<${value.constructor?.name ?? "Object"} object>`;
    default:
      return String(value);
  }
}

/**
 * One traced input or output as signatures print it: `TensorSpec(...)`, `VariableSpec(...)`,
 * `Literal[2]` for a pinned JS value, arrays and objects of those.
 *
 * ```ts
 * describeSpec([new tf.TensorSpec([2]), "mean"]); // "[TensorSpec(shape=(2,), dtype=float32, name=None), Literal[\"mean\"]]"
 * ```
 */
export function describeSpec(value: unknown): string {
  if (value instanceof TensorSpec) return value.toString();
  if (Array.isArray(value)) return `[${value.map(describeSpec).join(", ")}]`;
  if (typeof value === "object" && value !== null && (value as { kind?: string }).kind === "VariableSpec") {
    const v = value as { shape: ConcreteShape; dtype: string; trainable: boolean };
    return `VariableSpec(shape=${formatTfShape(v.shape)}, dtype=${v.dtype}, trainable=${v.trainable ? "True" : "False"})`;
  }
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${describeSpec(v)}`)
      .join(", ")}}`;
  }
  return `Literal[${literal(value)}]`;
}

/**
 * Names for the parameters of a concrete function whose JS parameter names are unknown (a
 * loaded function): a parameter holding tensors is named after its first placeholder
 * (which was named after the parameter), a JS-valued one `args_<i>`.
 */
function fallbackParameters(source: ConcreteFunction): SignatureParameter[] {
  let input = 0;
  const aliases = new Set<number>();
  const inputsOf = (node: TypeNode): number => {
    switch (node.kind) {
      case "tensor":
        return 1;
      case "variable":
        if (aliases.has(node.alias)) return 0;
        aliases.add(node.alias);
        return 1;
      case "list":
        return node.items.reduce((n, item) => n + inputsOf(item), 0);
      case "dict":
        return node.values.reduce((n, value) => n + inputsOf(value), 0);
      default:
        return 0;
    }
  };
  return source.functionType.params.map((node, i) => {
    const first = source.graph.inputs[input]?.op.name;
    const count = inputsOf(node);
    input += count;
    return { name: count > 0 && first !== undefined ? first : `args_${i}`, kind: "POSITIONAL_OR_KEYWORD" };
  });
}

/**
 * A concrete function's signature, one line per parameter (named after the JS parameter),
 * then its output type and captures: the block `prettyPrintedConcreteSignatures()` prints
 * for each trace (SPEC B11).
 *
 * ```ts
 * const square = pow.getConcreteFunction(new tf.TensorSpec([null]), 2);
 * formatConcreteSignature(square, [
 *   { name: "x", kind: "POSITIONAL_OR_KEYWORD" },
 *   { name: "k", kind: "POSITIONAL_OR_KEYWORD" },
 * ]);
 * // Input Parameters:
 * //   x (POSITIONAL_OR_KEYWORD): TensorSpec(shape=(None,), dtype=float32, name='x')
 * //   k (POSITIONAL_OR_KEYWORD): Literal[2]
 * // Output Type:
 * //   TensorSpec(shape=(None,), dtype=float32, name=None)
 * ```
 */
export function formatConcreteSignature(source: ConcreteFunction, parameters?: readonly SignatureParameter[]): string {
  const named = parameters ?? fallbackParameters(source);
  const outputs = mapStructure(source.structuredOutputs, (leaf) =>
    leaf instanceof Tensor ? new TensorSpec(leaf.shape, leaf.dtype) : leaf,
  );
  const lines = [`Input Parameters:`];
  source.structuredInputSignature.forEach((spec, i) => {
    const parameter = named[i] ?? { name: `args_${i}`, kind: "POSITIONAL_ONLY" };
    lines.push(`  ${parameter.name} (${parameter.kind}): ${describeSpec(spec)}`);
  });
  lines.push(`Output Type:`, `  ${describeSpec(outputs)}`);
  if (source.graph.captures.length > 0) {
    lines.push(`Captures:`);
    for (const c of source.graph.captures) {
      const spec = new TensorSpec(c.placeholder.shape, c.placeholder.dtype);
      lines.push(`  ${c.placeholder.op.name}: ${c.value instanceof Variable ? "Variable" : "Tensor"} ${describeSpec(spec)}`);
    }
  }
  return lines.join("\n");
}

/**
 * The one-line form error messages use: `pow(x: TensorSpec(shape=(None,), dtype=float32, name='x'), k: Literal[2])`.
 */
export function signatureSummary(fnName: string, source: ConcreteFunction, parameters?: readonly SignatureParameter[]): string {
  const named = parameters ?? fallbackParameters(source);
  const specs = source.structuredInputSignature;
  return `${fnName}(${specs.map((spec, i) => `${named[i]?.name ?? `args_${i}`}: ${describeSpec(spec)}`).join(", ")})`;
}
