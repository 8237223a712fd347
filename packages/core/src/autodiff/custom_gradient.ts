import { ArgumentError } from "../base/errors.js";
import { traceSubgraph } from "../function/subgraph.js";
import { Variable } from "../function/variable.js";
import { toOwnedTensor } from "../ops/convert.js";
import { identity } from "../ops/identity.js";
import { asTensor, type TensorLike } from "../tensor/convert.js";
import { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { getRuntime, type Runtime } from "../trace/runtime.js";
import { CustomGradient, type CustomGradientEntry, type GradFunc, gradientList, registerCustomGradient } from "../function/custom_gradient_op.js";

/** What the wrapped function returns: its value and how to compute the inputs' gradients. */
export interface CustomGradientResult {
  readonly value: Tensor;
  readonly gradFunc: (dy: Tensor, saved: Tensor[]) => Tensor | Tensor[];
}

/** Describes a received value for error messages. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (value instanceof Tensor) return `a tensor of shape [${value.shape.join(",")}]`;
  if (typeof value === "object") return `an object with keys {${Object.keys(value).join(", ")}}`;
  return `${typeof value} (${String(value)})`;
}

/** Checks what the body returned: `{ value: Tensor, gradFunc: function }`. */
function checkResult(result: unknown): { value: Tensor; gradFunc: GradFunc } {
  const r = result as Partial<CustomGradientResult> | null | undefined;
  if (typeof r !== "object" || r === null || typeof r.gradFunc !== "function") {
    throw new ArgumentError(
      `customGradient: f must return { value, gradFunc } (value a tensor, gradFunc a function of (dy, saved)), but received ${describe(result)}`,
    );
  }
  if (!(r.value instanceof Tensor))
    throw new ArgumentError(`customGradient: f's value must be a tensor, but received ${describe(r.value)}`);
  return { value: r.value, gradFunc: r.gradFunc as GradFunc };
}

/**
 * tfjs's `tf.customGradient`: `f` computes a value and supplies its own gradient; the ops
 * inside `f` are not recorded. Works eagerly and inside `tf.function` (SPEC J3), where the
 * call becomes one `CustomGradient` op whose gradient is `gradFunc` (also when the
 * function is differentiated from outside). Inside a function, `gradFunc` is traced once
 * with the forward pass so it can be replayed in a backward function.
 *
 * ```ts
 * const clipGrad = tf.customGradient((x, save) => ({
 *   value: x.clone(), gradFunc: (dy) => tf.clipByValue(dy, -1, 1),
 * }));
 * ```
 */
export function customGradient(f: (...args: any[]) => CustomGradientResult): (...args: TensorLike[]) => Tensor {
  return (...args: TensorLike[]) => {
    const runtime = getRuntime();
    // Owned conversions (not single-use): the body may use an argument in several ops.
    const made: Tensor[] = [];
    const inputs = args.map((a, i) => {
      const given = asTensor(a);
      if (given !== undefined) return given;
      const tensor = toOwnedTensor(a, "customGradient", `args[${i}]`);
      made.push(tensor);
      return tensor;
    });
    try {
      return runtime.graphTrace() === undefined ? eagerCall(runtime, f, inputs) : tracedCall(runtime, f, inputs);
    } finally {
      // Tapes hold their own handles on what they need.
      for (const t of made) t.dispose();
    }
  };
}

/** Eagerly: runs `f` unrecorded and records one entry on each tape, whose backward is `gradFunc`. */
function eagerCall(runtime: Runtime, f: (...args: any[]) => CustomGradientResult, inputs: readonly Tensor[]): Tensor {
  const saved: Tensor[] = [];
  const save = (tensors: Tensor[]) => saved.push(...tensors);
  const tapes = runtime.activeTapes();
  const result = checkResult(runtime.withoutTapes(() => f(...inputs, save)));
  // A value that is an input would carry the input's own gradient too (dy + gradFunc(dy)).
  const value = inputs.includes(result.value) ? runtime.withoutTapes(() => identity(result.value)) : result.value;
  for (const tape of tapes) {
    // Each tape keeps its own handles on the saved tensors alive until it is done with them.
    const kept = saved.map((t) => tape.retain(t));
    const backward = (dys: readonly (Tensor | null)[], _inputs: readonly Tensor[], outputs: readonly Tensor[]) =>
      gradientList(result.gradFunc(dys[0] ?? outputs[0]!.zerosLike(), [...kept]), inputs.length);
    tape.record(inputs, [value], backward, "customGradient");
  }
  return value;
}

/**
 * While tracing: runs `f` unrecorded, traces `gradFunc` into a sub-graph (so a replay of
 * this graph elsewhere can run it on remapped tensors) and emits one `CustomGradient` op,
 * which tapes record like any op.
 */
function tracedCall(runtime: Runtime, f: (...args: any[]) => CustomGradientResult, inputs: readonly Tensor[]): Tensor {
  const saved: Tensor[] = [];
  const save = (tensors: Tensor[]) => saved.push(...tensors);
  const { value, gradFunc } = checkResult(runtime.withoutTapes(() => f(...inputs, save)));
  const graph = runtime.graphTrace()!.graph;
  let entry: CustomGradientEntry;
  let captured: Tensor[] = [];
  try {
    let present: boolean[] = [];
    const traced = traceSubgraph("custom_gradient", [{ shape: value.shape, dtype: value.dtype, name: "dy" }], ([dy]) => {
      const grads = gradientList(gradFunc(dy!, [...saved]), inputs.length);
      present = grads.map((g) => g !== null);
      return grads.filter((g) => g !== null);
    });
    // Variables the gradient reads are passed as their values (a replay reads a resource's value).
    captured = runtime.withoutTapes(() => traced.captured.map((c) => (c instanceof Variable ? c.readForOp() : (c as Tensor))));
    entry = { inputs, gradFunc, saved, gradient: { graph: traced.graph, present } };
  } catch (error) {
    // A gradient that cannot be traced only matters if it is needed: report it then.
    entry = { inputs, gradFunc, saved, error };
  }
  const id = registerCustomGradient(graph, entry);
  return bind1(CustomGradient, [value, ...inputs, ...captured], { id, numInputs: inputs.length });
}
