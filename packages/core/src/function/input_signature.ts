import { DTypeError } from "../base/errors.js";
import { isPlainObject } from "../base/plain_object.js";
import { toOwnedTensor } from "../ops/convert.js";
import { asTensor, isTensorConvertible, type TensorLike } from "../tensor/convert.js";
import { formatTfShape } from "../tensor/format.js";
import { Tensor } from "../tensor/tensor.js";
import type { Parameter } from "./parameters.js";
import { TensorSpec } from "./tensor_spec.js";

function describeSignature(signature: readonly unknown[]): string {
  const show = (v: unknown): string =>
    v instanceof TensorSpec
      ? v.toString()
      : Array.isArray(v)
        ? `[${v.map(show).join(", ")}]`
        : `{${Object.entries(v as object)
            .map(([k, x]) => `${k}: ${show(x)}`)
            .join(", ")}}`;
  return `[${signature.map(show).join(", ")}]`;
}

function describeValue(value: unknown): string {
  const tensor = value instanceof Tensor ? value : undefined;
  if (tensor !== undefined) return `a tensor of shape ${formatTfShape(tensor.shape)} and dtype ${tensor.dtype}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Checks an `inputSignature` when `tf.function` is called (SPEC F3): an array whose leaves
 * are TensorSpecs (nested arrays and objects allowed), no more specs than parameters, and
 * no required parameter left without a spec.
 */
export function validateSignature(signature: unknown, params: readonly Parameter[] | undefined, name: string): readonly unknown[] {
  if (!Array.isArray(signature)) {
    throw new TypeError(`${name}: inputSignature must be an array of TensorSpecs (one per parameter), received ${typeof signature}`);
  }
  const check = (v: unknown, path: string): void => {
    if (v instanceof TensorSpec) return;
    if (Array.isArray(v)) return v.forEach((x, i) => check(x, `${path}[${i}]`));
    if (isPlainObject(v)) {
      return Object.entries(v).forEach(([k, x]) => check(x, `${path}.${k}`));
    }
    throw new TypeError(`${name}: inputSignature${path} must be a tf.TensorSpec (or arrays/objects of them), received ${describeValue(v)}`);
  };
  signature.forEach((v, i) => check(v, `[${i}]`));
  if (params !== undefined && !params.some((p) => p.rest)) {
    if (signature.length > params.length) {
      throw new TypeError(
        `${name}: inputSignature has ${signature.length} specs but the function takes ${params.length} parameter(s) (${params.map((p) => p.name).join(", ")})`,
      );
    }
    const missing = params.slice(signature.length).filter((p) => !p.hasDefault);
    if (missing.length > 0) {
      throw new TypeError(
        `${name}: inputSignature has no spec for required parameter(s) ${missing.map((p) => `'${p.name}'`).join(", ")}; give every parameter a TensorSpec`,
      );
    }
  }
  return signature;
}

/** Call arguments conformed to an inputSignature. */
export interface Conformed {
  /** The arguments with JS values replaced by tensors of the spec's dtype. */
  readonly args: unknown[];
  /**
   * The tensors made from JS values: the caller frees them once the call returns (while
   * another function is traced they are graph constants instead, owned by that graph).
   */
  readonly created: readonly Tensor[];
}

/** Frees the tensors `conformToSignature` made, unless they are constants of a graph being traced. */
export function releaseConformed(conformed: Conformed): void {
  for (const t of conformed.created) if (!t.isSymbolic) t.dispose();
}

/**
 * Converts call arguments to match the signature (SPEC F2): tensors must fit their spec and
 * are never cast; JS numbers and arrays are converted to the spec's dtype. Anything else
 * is a TypeError showing the received value and the expected signature.
 *
 * ```ts
 * const conformed = conformToSignature([[1, 2]], [new TensorSpec([2])], "f");
 * try { run(conformed.args); } finally { releaseConformed(conformed); }
 * ```
 */
export function conformToSignature(args: readonly unknown[], signature: readonly unknown[], name: string): Conformed {
  if (args.length !== signature.length) {
    throw new TypeError(
      `${name}: expected ${signature.length} argument(s) matching the inputSignature ${describeSignature(signature)}, received ${args.length}`,
    );
  }
  const created: Tensor[] = [];
  const convert = (arg: unknown, spec: unknown, path: string): unknown => {
    const fail = (why: string): never => {
      releaseConformed({ args: [], created });
      throw new TypeError(
        `${name}: argument ${path} is ${describeValue(arg)}, which ${why}; expected the inputSignature ${describeSignature(signature)}`,
      );
    };
    if (spec instanceof TensorSpec) {
      let tensor = asTensor(arg);
      if (tensor === undefined) {
        if (
          isTensorConvertible(arg) ||
          !(typeof arg === "number" || typeof arg === "boolean" || Array.isArray(arg) || ArrayBuffer.isView(arg))
        )
          fail(`is not a tensor`);
        try {
          tensor = toOwnedTensor(arg as TensorLike, name, path, spec.dtype);
        } catch (error) {
          if (error instanceof DTypeError || error instanceof Error) fail(`cannot be converted to ${spec.dtype} (${error.message})`);
          throw error;
        }
        created.push(tensor!);
      }
      if (!spec.isCompatibleWith(tensor!)) fail(`does not match ${spec.toString()}`);
      return tensor;
    }
    if (Array.isArray(spec)) {
      if (!Array.isArray(arg) || arg.length !== spec.length) fail(`does not have the structure of the signature`);
      return spec.map((s, i) => convert((arg as unknown[])[i], s, `${path}[${i}]`));
    }
    const keys = Object.keys(spec as object).sort();
    if (typeof arg !== "object" || arg === null || Object.keys(arg).sort().join() !== keys.join())
      fail(`does not have the keys ${keys.join(", ")}`);
    return Object.fromEntries(
      keys.map((k) => [k, convert((arg as Record<string, unknown>)[k], (spec as Record<string, unknown>)[k], `${path}.${k}`)]),
    );
  };
  return { args: args.map((arg, i) => convert(arg, signature[i], `${i}`)), created };
}
