import type { DType } from "../base/dtype.js";
import { ArgumentError, DisposedError, KilnError } from "../base/errors.js";
import type { Shape } from "../base/shape.js";
import type { AnyOpDef } from "../ir/op.js";
import { add, sub } from "../ops/binary.js";
import { identity } from "../ops/identity.js";
import { toOwnedTensor, toTensor } from "../ops/convert.js";
import { type TensorLike, asTensor, toTensorSymbol } from "../tensor/convert.js";
import { Tensor } from "../tensor/tensor.js";
import { getRuntime } from "../trace/runtime.js";
import { liftToEager } from "./lift.js";
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
      const given = asTensor(value);
      if (given?.isSymbolic === true) {
        // Built inside the trace (e.g. `new tf.Variable(tf.ones([3]))`): replay it eagerly.
        const handle = given.handle as { graph: unknown };
        if (graph === undefined || handle.graph !== graph) {
          throw new ArgumentError(`Variable: the initial value ${given.toString()} belongs to another trace and cannot initialize a variable here`);
        }
        return runtime.tracker.keep(liftToEager(given, graph, "Variable"));
      }
      const tensor = toOwnedTensor(value as TensorLike, "Variable", "initial", options.dtype);
      // The variable owns its value: copy a tensor the caller still holds.
      return runtime.tracker.keep(given === undefined ? tensor : identity(tensor));
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
    const runtime = getRuntime();
    const value = runtime.graphTrace() === undefined ? this.#eagerValue("read") : runtime.trace.bind(ReadVariableOp, [this.resource(ReadVariableOp)], {})[0]!;
    // Recording tapes watch trainable variables as they are read.
    for (const tape of runtime.activeTapes()) tape.onVariableRead(this, value);
    return value;
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

  /**
   * `v += 1` would silently rebind `v` to a JS value (SPEC H4); fail loudly instead and
   * point at the variable methods.
   */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === "string") return this.toString();
    throw new TypeError(
      `Variable '${this.name}' cannot be used with JS operators (e.g. v += 1 or v * 2): that would replace the variable with a plain value. ` +
        `Use v.assignAdd(1) / v.assign(...) to update it, or tf.add(v, 1) / v.read() to compute with its value`,
    );
  }

  toString(): string {
    return `<tf.Variable '${this.name}' shape=${JSON.stringify(this.shape)} dtype=${this.dtype}>`;
  }

  #update(op: AnyOpDef, value: TensorLike, eager: (delta: Tensor) => Tensor): Tensor {
    const runtime = getRuntime();
    const graphTrace = runtime.graphTrace();
    if (graphTrace !== undefined) {
      runtime.trace.bind(op, [this.resource(op), toTensor(value, op.api, "value", this.dtype)], {});
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
