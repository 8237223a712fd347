import { KilnError } from "../base/errors.js";
import type { AnyOpDef } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";
import type { TapeHooks } from "../trace/runtime.js";
import type { Trace } from "../trace/trace.js";
import type { DType, DataArray } from "../base/dtype.js";
import type { ConcreteShape } from "../base/shape.js";

/** One recorded computation: which tensors went in and out, and how to send gradients back. */
export interface TapeEntry {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly backward: (dys: readonly (Tensor | null)[]) => (Tensor | null)[];
}

/**
 * The record of one GradientTape: watched tensors, the computations that used them (in
 * program order), and which watched tensors are reads of which variables.
 */
export class Tape implements TapeHooks {
  readonly entries: TapeEntry[] = [];
  readonly #watched = new Set<Tensor>();
  /** Variable reads while recording: value tensor -> variable. */
  readonly variableReads = new Map<Tensor, object>();
  readonly watchAccessedVariables: boolean;

  constructor(options: { watchAccessedVariables?: boolean } = {}) {
    this.watchAccessedVariables = options.watchAccessedVariables ?? true;
  }

  isWatched(tensor: Tensor): boolean {
    return this.#watched.has(tensor);
  }

  watch(tensor: Tensor): void {
    this.#watched.add(tensor);
  }

  watchVariable(variable: object, value: Tensor): void {
    this.#watched.add(value);
    this.variableReads.set(value, variable);
  }

  onVariableRead(variable: { readonly trainable: boolean }, value: Tensor): void {
    if (this.watchAccessedVariables && variable.trainable) this.watchVariable(variable, value);
  }

  record(inputs: readonly Tensor[], outputs: readonly Tensor[], backward: TapeEntry["backward"], name: string): void {
    if (!inputs.some((t) => this.#watched.has(t))) return;
    this.entries.push({ name, inputs, outputs, backward });
    for (const t of outputs) if (t.dtype === "float32") this.#watched.add(t);
  }
}

/** Records an op on every recording tape whose watched tensors it uses. */
export function recordOp(tapes: readonly TapeHooks[], op: AnyOpDef, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: object): void {
  if (op.nonDifferentiable === true || tapes.length === 0) return;
  const backward = (dys: readonly (Tensor | null)[]) => {
    if (op.grad === undefined) {
      throw new KilnError(`gradient: no gradient is defined for op ${op.name} (${op.api}); it cannot be differentiated. Wrap the computation in tf.customGradient, or stop the gradient with tf.stopGradient`);
    }
    return op.grad({ inputs, outputs, dys, attrs });
  };
  for (const tape of tapes) tape.record(inputs, outputs, backward, op.name);
}

/**
 * Sits on the trace stack while a tape records: forwards every op to the trace below it
 * (eager or graph) and records it on the recording tapes.
 */
export class TapeTrace implements Trace {
  constructor(
    private readonly inner: Trace,
    readonly tape: Tape,
  ) {}

  bind(op: AnyOpDef, inputs: readonly Tensor[], attrs: object): Tensor[] {
    const outputs = this.inner.bind(op, inputs, attrs);
    recordOp([this.tape], op, inputs, outputs, attrs);
    return outputs;
  }

  constant(values: DataArray, shape: ConcreteShape, dtype: DType, name?: string): Tensor {
    return this.inner.constant(values, shape, dtype, name);
  }
}
