import type { DType } from "../base/dtype.js";
import { ArgumentError, DisposedError, KilnError } from "../base/errors.js";
import type { Shape } from "../base/shape.js";
import type { AnyOpDef } from "../ir/op.js";
import { add, sub } from "../ops/binary.js";
import { identity } from "../ops/identity.js";
import { toTensor } from "../ops/convert.js";
import { type TensorLike, asTensor, toTensorSymbol } from "../tensor/convert.js";
import { Tensor } from "../tensor/tensor.js";
import { getRuntime } from "../trace/runtime.js";
import { AssignAddVariableOp, AssignSubVariableOp, AssignVariableOp, ReadVariableOp } from "./variable_ops.js";

/** Options of `new tf.Variable(initial, options)`. */
export interface VariableOptions {
  trainable?: boolean;
  name?: string;
  dtype?: DType;
  /** Applied by optimizers after each update (e.g. a max-norm constraint). */
  constraint?: (value: Tensor) => Tensor;
}

/** Thrown when a traced function creates variables on a trace other than its first (SPEC H1). */
export class VariableCreationError extends KilnError {}

let nextVariableId = 0;

/**
 * Mutable state that outlives calls: weights, counters. Accepted by every op in place of a
 * tensor (it reads its current value). Inside a `tf.function`, reads and writes become
 * `ReadVariableOp` / `Assign*VariableOp` nodes that run on every call, in program order.
 *
 * ```ts
 * const counter = new tf.Variable(0, { dtype: "int32" });
 * const increment = tf.function((c: tf.Variable) => c.assignAdd(1));
 * increment(counter); increment(counter); // counter is 2
 * ```
 */
export class Variable {
  readonly id = nextVariableId++;
  readonly name: string;
  readonly trainable: boolean;
  readonly dtype: DType;
  readonly shape: Shape;
  readonly constraint: ((value: Tensor) => Tensor) | undefined;
  #value: Tensor;

  constructor(initial: TensorLike | (() => TensorLike), options: VariableOptions = {}) {
    const runtime = getRuntime();
    const graph = runtime.graphTrace()?.graph;
    if (graph !== undefined && !graph.allowVariableCreation) {
      throw new VariableCreationError(
        `Kiln functions may only create variables on their first trace; create them outside or once. ` +
          `The function '${graph.name}' is being traced again (new input signature) and tried to create a variable${options.name === undefined ? "" : ` '${options.name}'`}`,
      );
    }
    // Initial values are computed eagerly, outside any trace (TF's init_scope).
    this.#value = runtime.withEager(() => {
      const value = typeof initial === "function" ? initial() : initial;
      if (value instanceof Tensor && value.isSymbolic) {
        throw new ArgumentError(
          `Variable: the initial value ${value.toString()} depends on the traced function's inputs; initial values must be computable outside the function (use a constant, or a function of outer values)`,
        );
      }
      const tensor = toTensor(value, "Variable", "initial", options.dtype);
      // The variable owns its value: copy a tensor the caller still holds.
      return runtime.tracker.keep(asTensor(value) === undefined ? tensor : identity(tensor));
    });
    if (options.dtype !== undefined && this.#value.dtype !== options.dtype) {
      const dtype = this.#value.dtype;
      this.#value.dispose();
      throw new ArgumentError(`Variable: initial value has dtype ${dtype} but dtype ${options.dtype} was requested; cast it first`);
    }
    this.name = options.name ?? `Variable_${this.id}`;
    this.trainable = options.trainable ?? true;
    this.dtype = this.#value.dtype;
    this.shape = this.#value.shape;
    this.constraint = options.constraint;
  }

  /** The current value. Eagerly, the variable's own tensor (do not dispose it); traced, a `ReadVariableOp`. */
  read(): Tensor {
    const graphTrace = getRuntime().graphTrace();
    if (graphTrace === undefined) return this.#eagerValue("read");
    return graphTrace.bind(ReadVariableOp, [this.resource(ReadVariableOp)], {})[0]!;
  }

  /** Alias of `read()`. */
  value(): Tensor {
    return this.read();
  }

  /** Replaces the value (same shape and dtype); returns the new value. */
  assign(value: TensorLike): Tensor {
    return this.#update(AssignVariableOp, value, (v) => identity(v));
  }

  /** Adds `delta` in place; returns the new value. */
  assignAdd(delta: TensorLike): Tensor {
    return this.#update(AssignAddVariableOp, delta, (d) => add(this.#value, d));
  }

  /** Subtracts `delta` in place; returns the new value. */
  assignSub(delta: TensorLike): Tensor {
    return this.#update(AssignSubVariableOp, delta, (d) => sub(this.#value, d));
  }

  /**
   * The symbolic resource standing for this variable in the graph being traced: the
   * placeholder of the argument it was passed as, or a capture named after the first op
   * that used it (`readvariableop_resource`, like TF).
   */
  resource(firstOp: AnyOpDef): Tensor {
    const trace = getRuntime().graphTrace()!;
    const graph = trace.graph;
    let placeholder = graph.resources.get(this);
    if (placeholder === undefined) {
      placeholder = trace.addPlaceholder(`${firstOp.name.toLowerCase()}_resource`, { shape: this.shape, dtype: this.dtype }, true);
      graph.resources.set(this, placeholder);
      graph.addCapture(this, placeholder);
    }
    return trace.tensorOf(placeholder);
  }

  /** Called by the executor: installs a new value tensor (already kept) and returns the old one. */
  swapValue(next: Tensor): Tensor {
    const previous = this.#value;
    this.#value = next;
    return previous;
  }

  /** The current eager value, for the executor. */
  get eagerValue(): Tensor {
    return this.#eagerValue("read");
  }

  dispose(): void {
    this.#value.dispose();
  }

  [toTensorSymbol](): Tensor {
    return this.read();
  }

  toString(): string {
    return `<tf.Variable '${this.name}' shape=${JSON.stringify(this.shape)} dtype=${this.dtype}>`;
  }

  #update(op: AnyOpDef, value: TensorLike, eager: (delta: Tensor) => Tensor): Tensor {
    const runtime = getRuntime();
    const graphTrace = runtime.graphTrace();
    if (graphTrace !== undefined) {
      graphTrace.bind(op, [this.resource(op), toTensor(value, op.api, "value", this.dtype)], {});
      return this.read();
    }
    const current = this.#eagerValue(op.api);
    const delta = toTensor(value, op.api, "value", this.dtype);
    try {
      op.infer([current, delta], {});
      this.swapValue(runtime.tracker.keep(eager(delta))).dispose();
    } finally {
      // A tensor made here from a JS value is ours to free; the caller's tensors are not.
      if (asTensor(value) === undefined) delta.dispose();
    }
    return this.#value;
  }

  #eagerValue(method: string): Tensor {
    if (this.#value.isDisposed) throw new DisposedError(`Variable '${this.name}'.${method}: the variable was disposed`);
    return this.#value;
  }
}
