import type { DType, DataArray } from "../base/dtype.js";
import { ArgumentError, DisposedError, KilnError } from "../base/errors.js";
import { type Shape, sizeOf } from "../base/shape.js";
import type { FuncGraph } from "../ir/func_graph.js";
import type { OpOutput } from "../ir/graph.js";
import type { AnyOpDef } from "../ir/op.js";
import { add, sub } from "../ops/binary.js";
import { identity } from "../ops/identity.js";
import { toOwnedTensor, toTensor } from "../ops/convert.js";
import { type TensorLike, asTensor, toTensorSymbol } from "../tensor/convert.js";
import { type NestedArray, Tensor } from "../tensor/tensor.js";
import { OutOfScopeError } from "../base/errors.js";
import { getRuntime } from "../trace/runtime.js";
import { tidy } from "../trace/scope.js";
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
export class VariableCreationError extends KilnError {
  static override readonly errorName: string = "VariableCreationError";
}

let nextVariableId = 0;

/**
 * Options that make the constructor build an argument stand-in (module-private, so only
 * `Variable.argumentStandIn` can): the source's metadata, no value, bound to one trace.
 */
class StandInOptions implements VariableOptions {
  readonly name: string;

  constructor(
    readonly source: Variable,
    readonly graph: FuncGraph,
  ) {
    this.name = source.name;
  }
}

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
  /** The value; `undefined` only for an argument stand-in, which has none of its own. */
  #value: Tensor | undefined;
  /** For an argument stand-in: the trace it belongs to. */
  readonly #standInGraph: FuncGraph | undefined;
  /** The eager resource tensor (see `resource`), made on first use. */
  #eagerResource: Tensor | undefined;

  constructor(initial: TensorLike | (() => TensorLike), options: VariableOptions = {}) {
    if (options instanceof StandInOptions) {
      const source = options.source;
      this.name = source.name;
      this.trainable = source.trainable;
      this.dtype = source.dtype;
      this.shape = source.shape;
      this.constraint = source.constraint;
      this.#standInGraph = options.graph;
      return;
    }
    const runtime = getRuntime();
    const graph = runtime.graphTrace()?.graph;
    if (graph !== undefined && !graph.allowVariableCreation) {
      throw new VariableCreationError(
        `Kiln functions may only create variables on their first trace; create them outside or once. ` +
          `The function '${graph.name}' is being traced again (new input signature) and tried to create a variable${options.name === undefined ? "" : ` '${options.name}'`}`,
      );
    }
    // Initial values are computed eagerly, outside any trace (TF's init_scope), in a scope
    // that frees what an initializer function made (the variable keeps its own copy).
    this.#value = runtime.withEager(() => tidy(() => {
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
    }));
    const value = this.#value;
    if (options.dtype !== undefined && value.dtype !== options.dtype) {
      value.dispose();
      throw new ArgumentError(`Variable: initial value has dtype ${value.dtype} but dtype ${options.dtype} was requested; cast it first`);
    }
    this.name = options.name ?? `Variable_${this.id}`;
    this.trainable = options.trainable ?? true;
    this.dtype = value.dtype;
    this.shape = value.shape;
    this.constraint = options.constraint;
    this.#standInGraph = undefined;
  }

  /**
   * How a variable passed as an argument appears inside the trace of `graph` (TF's
   * placeholder variable): a distinct Variable with the same name, dtype, shape and
   * trainability whose reads and writes go through the argument's resource placeholder
   * (the tracer registers it in `graph.resources`). Because it is a different object, the
   * passed variable read from a closure is still captured on its own, so a trace reused
   * for another variable keeps reading the closure's one. It has no value outside the trace.
   *
   * ```ts
   * const f = tf.function((v) => tf.add(v, v1)); // f(v1), then f(v2) gives v2 + v1
   * ```
   */
  static argumentStandIn(source: Variable, graph: FuncGraph): Variable {
    return new Variable(0, new StandInOptions(source, graph));
  }

  /** True for the stand-in of a variable argument (see `argumentStandIn`). */
  get isArgumentStandIn(): boolean {
    return this.#standInGraph !== undefined;
  }

  /**
   * The current value, as a snapshot: a later assignment does not change it (TF's
   * `read_value`). Eagerly it is a new tensor sharing the value's buffer, owned by the
   * caller (dispose it, or read inside `tf.tidy`); traced, a `ReadVariableOp`.
   *
   * ```ts
   * const before = v.read();
   * v.assign(5);
   * before.arraySync(); // the old value
   * ```
   */
  read(): Tensor {
    const runtime = getRuntime();
    if (runtime.graphTrace() !== undefined) return this.readForOp();
    return this.#watched(runtime.share(this.#eagerValue("read")));
  }

  /**
   * The value for an op to consume right away (how ops and the runtime read a variable
   * passed where a tensor is expected). Eagerly the variable's own tensor, not the caller's
   * to dispose; traced, a `ReadVariableOp`. Users call `read()`.
   */
  readForOp(): Tensor {
    const runtime = getRuntime();
    return this.#watched(runtime.graphTrace() === undefined ? this.#eagerValue("read") : runtime.trace.bind(ReadVariableOp, [this.resource(ReadVariableOp)], {})[0]!);
  }

  /** Recording tapes watch trainable variables as they are read. */
  #watched(value: Tensor): Tensor {
    for (const tape of getRuntime().activeTapes()) tape.onVariableRead(this, value);
    return value;
  }

  /** Alias of `read()`. */
  value(): Tensor {
    return this.read();
  }

  /** Replaces the value (same shape and dtype); returns the new value (a snapshot, like `read()`). */
  assign(value: TensorLike): Tensor {
    return this.#update(AssignVariableOp, value, (v) => identity(v));
  }

  /** Adds `delta` in place; returns the new value (a snapshot, like `read()`). */
  assignAdd(delta: TensorLike): Tensor {
    return this.#update(AssignAddVariableOp, delta, (d, current) => add(current, d));
  }

  /** Subtracts `delta` in place; returns the new value (a snapshot, like `read()`). */
  assignSub(delta: TensorLike): Tensor {
    return this.#update(AssignSubVariableOp, delta, (d, current) => sub(current, d));
  }

  /**
   * The resource standing for this variable, which ops that read or write it take (calls,
   * `If`, `While`, the variable ops). Eagerly, one resource tensor per variable; while
   * tracing, the placeholder of the argument it was passed as or a capture named after the
   * first op that used it (`readvariableop_resource`, like TF).
   */
  resource(firstOp: AnyOpDef): Tensor {
    const trace = getRuntime().graphTrace();
    if (trace === undefined) {
      if (this.#standInGraph !== undefined) this.#eagerValue(firstOp.api);
      return (this.#eagerResource ??= new Tensor({ kind: "resource", variable: this }, this.shape, this.dtype));
    }
    const graph = trace.graph;
    const home = this.#standInGraph;
    if (home !== undefined && !graph.resources.has(this) && (!home.isOpen || !graph.isSelfOrAncestor(home))) {
      throw new OutOfScopeError(
        `${firstOp.api}: ${this.#standInText()}, and is out of scope in '${graph.name}'. Use the variable itself (pass it, or read it from a closure) instead of keeping the argument`,
      );
    }
    return trace.tensorOf(trace.resourceOf(this, { shape: this.shape, dtype: this.dtype }, firstOp.name));
  }

  /** The variable a resource tensor stands for (see `resource`), if it is one. */
  static ofResource(tensor: Tensor): Variable | undefined {
    const handle = tensor.handle;
    if (handle.kind === "resource") return handle.variable as Variable;
    if (handle.kind !== "symbolic") return undefined;
    const variable = (handle.graph as FuncGraph).variableOf(handle.ref as OpOutput);
    return variable instanceof Variable ? variable : undefined;
  }

  /** Called by the executor: installs a new value tensor (already kept) and returns the old one. */
  swapValue(next: Tensor): Tensor {
    const previous = this.#eagerValue("assign");
    this.#value = next;
    return previous;
  }

  /** The current eager value, for the executor. */
  get eagerValue(): Tensor {
    return this.#eagerValue("read");
  }

  /** The number of dimensions, as for a tensor. */
  get rank(): number {
    return this.shape.length;
  }

  /** The number of elements, as for a tensor. */
  get size(): number {
    return sizeOf(this.shape as number[]);
  }

  /**
   * The current value's elements, read like a tensor's (`Tensor.dataSync`), so tfjs code
   * that treats a variable as a tensor works. No tensor is left for the caller to free.
   * Inside a `tf.function` the value is symbolic and reading it throws, as for a tensor.
   *
   * ```ts
   * const v = tf.variable(tf.tensor1d([1, 2]));
   * v.dataSync(); // Float32Array [1, 2]
   * ```
   */
  dataSync(): DataArray {
    return this.#valueToRead("dataSync").dataSync();
  }

  /** The current value's elements, read asynchronously (works on every backend). */
  data(): Promise<DataArray> {
    return this.#valueToRead("data").data();
  }

  /** The current value as nested arrays, read synchronously. */
  arraySync(): NestedArray {
    return this.#valueToRead("arraySync").arraySync();
  }

  /** The current value as nested arrays, read asynchronously. */
  array(): Promise<NestedArray> {
    return this.#valueToRead("array").array();
  }

  /** Prints the current value in tfjs's format (see `Tensor.print`). */
  print(verbose = false): void {
    this.#valueToRead("print").print(verbose);
  }

  /** The tensor a read method looks at: the eager value itself, or a symbolic read while tracing. */
  #valueToRead(method: string): Tensor {
    return getRuntime().graphTrace() === undefined ? this.#eagerValue(method) : this.readForOp();
  }

  /** Frees the value (a stand-in has none: disposing it does nothing). */
  dispose(): void {
    this.#value?.dispose();
  }

  [toTensorSymbol](): Tensor {
    return this.readForOp();
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

  #update(op: AnyOpDef, value: TensorLike, eager: (delta: Tensor, current: Tensor) => Tensor): Tensor {
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
      this.swapValue(runtime.tracker.keep(eager(delta, current))).dispose();
    } finally {
      // A tensor made here from a JS value is ours to free; the caller's tensors are not.
      if (asTensor(value) === undefined) delta.dispose();
    }
    return runtime.share(this.#value!);
  }

  #eagerValue(method: string): Tensor {
    const value = this.#value;
    if (value === undefined) {
      throw new KilnError(`Variable '${this.name}'.${method}: ${this.#standInText()}; use the variable itself outside the function`);
    }
    if (value.isDisposed) throw new DisposedError(`Variable '${this.name}'.${method}: the variable was disposed`);
    return value;
  }

  #standInText(): string {
    return `this is the stand-in for the variable '${this.name}' passed to the tf.function '${this.#standInGraph!.name}', which exists only while its function is traced`;
  }
}
