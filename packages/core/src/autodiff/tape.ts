import type { DataArray, DType } from "../base/dtype.js";
import { KilnError } from "../base/errors.js";
import type { ConcreteShape } from "../base/shape.js";
import { type AnyOpDef, type Differentiate, kernelArity } from "../ir/op.js";
import { Variable } from "../function/variable.js";
import type { Tensor } from "../tensor/tensor.js";
import { type Backward, getRuntime, type TapeHooks } from "../trace/runtime.js";
import type { Trace } from "../trace/trace.js";

/** One recorded computation: which tensors went in and out, and how to send gradients back. */
export interface TapeEntry {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly backward: (dys: readonly (Tensor | null)[], needs: readonly boolean[]) => (Tensor | null)[];
}

/** A tape's retained handle -> the tensor it stands for (see `identityOf`). */
const originals = new WeakMap<Tensor, Tensor>();

/**
 * The tensor `t` stands for on every tape: `t` itself, or, for a handle a tape retained
 * (and handed to a gradient rule because the original had been disposed), the original.
 * Tapes key their records by it, so a backward pass computed from retained handles (the
 * original freed by a tidy scope or an eager loop) still connects, on an outer tape, to
 * what the original was computed from (higher-order gradients).
 *
 * ```ts
 * identityOf(tape.retain(x)); // x
 * ```
 */
function identityOf(t: Tensor): Tensor {
  return originals.get(t) ?? t;
}

/**
 * The record of one GradientTape: watched tensors, the computations that used them (in
 * program order), and which watched tensors are reads of which variables. Eager tensors
 * the backward pass needs are retained (they share the buffer), so disposing them, a
 * tidy scope or freeing a JS argument's constant cannot pull the data away; `release`
 * lets them go.
 */
export class Tape implements TapeHooks {
  readonly entries: TapeEntry[] = [];
  readonly #watched = new Set<Tensor>();
  readonly #retained = new Map<Tensor, Tensor>();
  /** Variables watched explicitly: their reads are watched even when accessed variables are not. */
  readonly #watchedVariables = new Set<object>();
  /** Variable reads while recording: value tensor -> variable. */
  readonly variableReads = new Map<Tensor, object>();
  readonly watchAccessedVariables: boolean;

  constructor(options: { watchAccessedVariables?: boolean } = {}) {
    this.watchAccessedVariables = options.watchAccessedVariables ?? true;
  }

  isWatched(tensor: Tensor): boolean {
    return this.#watched.has(identityOf(tensor));
  }

  /** Tensors produced by any op while the tape recorded (watched or not). */
  readonly #produced = new WeakSet<Tensor>();

  /** Notes an op's outputs as computed while recording. */
  noteProduced(outputs: readonly Tensor[]): void {
    for (const t of outputs) this.#produced.add(t);
  }

  /** True if the tensor was computed while this tape recorded, or is watched. */
  knows(tensor: Tensor): boolean {
    const t = identityOf(tensor);
    return this.#watched.has(t) || this.#produced.has(t);
  }

  watch(tensor: Tensor): void {
    this.#watched.add(tensor);
  }

  watchVariable(variable: object, value: Tensor): void {
    this.#watchedVariables.add(variable);
    this.#watched.add(value);
    this.variableReads.set(value, variable);
  }

  onVariableRead(variable: { readonly trainable: boolean }, value: Tensor): void {
    if ((this.watchAccessedVariables && variable.trainable) || this.#watchedVariables.has(variable)) this.watchVariable(variable, value);
  }

  /**
   * The tape's own handle on `tensor` (sharing its buffer), made once. Inside a trace
   * nothing is retained: the graph captures what it uses and owns its lifetime.
   */
  retain(tensor: Tensor): Tensor {
    if (getRuntime().graphTrace() !== undefined) return tensor;
    let kept = this.#retained.get(tensor);
    if (kept === undefined) {
      kept = getRuntime().retain(tensor);
      this.#retained.set(tensor, kept);
      originals.set(kept, identityOf(tensor));
    }
    return kept;
  }

  /**
   * Records a computation on watched tensors. Inputs may be handles another tape retained
   * (a backward pass run after the originals were freed): the entry names the originals
   * (`identityOf`), so gradients flow on to what they were computed from.
   */
  record(inputs: readonly Tensor[], outputs: readonly Tensor[], backward: Backward, name: string): void {
    const keys = inputs.map(identityOf);
    if (!keys.some((t) => this.#watched.has(t))) return;
    const savedInputs = inputs.map((t) => this.retain(t));
    const savedOutputs = outputs.map((t) => this.retain(t));
    // Rules see the original tensors while they are alive, so an outer tape that watches them
    // records the backward pass (higher-order gradients); the retained copies stand in once
    // the originals were disposed (and stand for them on every tape, see identityOf).
    const live = (tensors: readonly Tensor[], saved: readonly Tensor[]) => tensors.map((t, i) => (t.isDisposed ? saved[i]! : t));
    this.entries.push({
      name,
      inputs: keys,
      outputs,
      backward: (dys, needs) => backward(dys, live(keys, savedInputs), live(outputs, savedOutputs), needs),
    });
    for (const t of outputs) if (t.dtype === "float32") this.#watched.add(t);
  }

  /** Forgets the record and lets go of the retained tensors. */
  release(): void {
    for (const t of this.#retained.values()) t.dispose();
    this.#retained.clear();
    this.entries.length = 0;
  }
}

/** The backward function of an op: its gradient rule, or a clear error when it has none. */
function opBackward(op: AnyOpDef, attrs: object, differentiate: Differentiate<Tensor>): Backward {
  return (dys, inputs, outputs, needs) => {
    const grad = op.grad;
    if (grad === "none") {
      throw new KilnError(
        `gradient: no gradient is defined for op ${op.name} (${op.api}); it cannot be differentiated. Wrap the computation in tf.customGradient, or stop the gradient with tf.stopGradient`,
      );
    }
    return withAttrInputGradients(op, inputs.length, grad({ inputs, outputs, dys, attrs, needs, differentiate }));
  };
}

/**
 * A rule's gradients with `null` added for the op's attr inputs (a shape or bound given as
 * an int32 tensor, see `OpDef.attrInputs`): rules answer for the inputs the kernel takes,
 * and values that only say how big something is carry no gradient.
 *
 * ```ts
 * withAttrInputGradients(Reshape, 2, [dx]); // [dx, null] for reshape(x, tf.shape(y))
 * ```
 */
function withAttrInputGradients(op: AnyOpDef, inputCount: number, grads: (Tensor | null)[]): (Tensor | null)[] {
  const arity = kernelArity(op);
  if (arity === undefined || inputCount <= arity || grads.length !== arity) return grads;
  return [...grads, ...new Array<null>(inputCount - arity).fill(null)];
}

/**
 * Sits on the trace stack while a tape records: forwards every op to the trace below it
 * (eager or graph) and records it on its tape. Inputs are retained before the op runs,
 * since the eager trace frees constants made from JS arguments right after it.
 *
 * An op that takes variables' resources (a call, `If`, `While`) is recorded with the
 * variables' values instead, read just before the op runs: an assignment inside the op
 * cannot change what the gradient sees, the reads make trainable variables watched, and
 * the op's rule differentiates with respect to those values like any other input.
 */
export class TapeTrace implements Trace {
  constructor(
    private readonly inner: Trace,
    readonly tape: Tape,
    private readonly differentiate: Differentiate<Tensor>,
  ) {}

  bind(op: AnyOpDef, inputs: readonly Tensor[], attrs: object): Tensor[] {
    const differentiable = op.grad !== "none";
    const values = differentiable && inputs.some((t) => t.isResource) ? inputs.map((t) => Variable.ofResource(t)?.readForOp() ?? t) : inputs;
    const recording = differentiable && values.some((t) => this.tape.isWatched(t));
    if (recording) for (const t of values) this.tape.retain(t);
    const outputs = this.inner.bind(op, inputs, attrs);
    this.tape.noteProduced(outputs);
    if (recording) this.tape.record(values, outputs, opBackward(op, attrs, this.differentiate), op.name);
    return outputs;
  }

  constant(values: DataArray, shape: ConcreteShape, dtype: DType, name?: string): Tensor {
    // Known to the tape (as a value no source reaches), so it can be a gradient target.
    const tensor = this.inner.constant(values, shape, dtype, name);
    this.tape.noteProduced([tensor]);
    return tensor;
  }
}
