// `[Symbol.dispose]` is in this file's declarations: consumers get its lib with them, whatever their own `lib`.
/// <reference lib="esnext.disposable" preserve="true" />
import type { DType, DataArray } from "../base/dtype.js";
import { BackendError, DisposedError, KilnError } from "../base/errors.js";
import { type Shape, isConcrete, sizeOf } from "../base/shape.js";
import type { MemoryTracker } from "./memory_tracker.js";
import { readsSync } from "../backend/backend.js";
import { isResourceOutput, type OpOutput } from "../ir/graph.js";
import { formatTfShape, formatValues } from "./format.js";
import { formatTfjs } from "./tfjs_format.js";
import { type EagerHandle, releaseHandle, type TensorHandle } from "./handle.js";

/** Nested JS arrays, as returned by `array()`. */
export type NestedArray = number | boolean | NestedArray[];

/** Where an eager tensor reports its lifetime: the memory tracker and the GC safety net. */
export interface TensorOwner {
  readonly tracker: MemoryTracker;
  readonly finalizer: FinalizationRegistry<EagerHandle>;
  /** Takes the buffer of a handle no tensor holds any more: kept for reuse, or freed. */
  recycle(handle: EagerHandle): void;
}

/** Thrown when a symbolic tensor is converted to a JS value (`+t`, `t > 0`, `${t}` while tracing). */
export class SymbolicTensorError extends KilnError {
  static override readonly errorName: string = "SymbolicTensorError";
}

let nextTensorId = 0;

/**
 * An n-dimensional array. Eager tensors hold data on a backend; symbolic tensors (while a
 * `tf.function` traces) stand for a value in the graph being built. Ops are available as
 * functions (`tf.add(a, b)`) and as chainable methods (`a.add(b)`).
 *
 * ```ts
 * const t = tf.tensor([[1, 2], [3, 4]]);
 * t.shape;          // [2, 2]
 * await t.array();  // [[1, 2], [3, 4]]
 * t.dispose();
 * ```
 */
export class Tensor {
  readonly id = nextTensorId++;
  readonly shape: Shape;
  readonly dtype: DType;
  readonly handle: TensorHandle;
  readonly #owner: TensorOwner | undefined;
  #disposed = false;

  constructor(handle: TensorHandle, shape: Shape, dtype: DType, owner?: TensorOwner) {
    this.handle = handle;
    // Shapes are immutable everywhere in Kiln, so a frozen shape can be shared as is.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.dtype = dtype;
    this.#owner = owner;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Number of elements; `null` when a symbolic tensor has unknown dimensions. */
  get size(): number {
    return isConcrete(this.shape) ? sizeOf(this.shape) : (null as unknown as number);
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** True while tracing: this tensor is a graph value, not data. */
  get isSymbolic(): boolean {
    return this.handle.kind === "symbolic";
  }

  /** True for a variable's resource (see `Variable.resource`): it stands for the variable, not a value. */
  get isResource(): boolean {
    const handle = this.handle;
    return handle.kind === "resource" || (handle.kind === "symbolic" && isResourceOutput(handle.ref as OpOutput));
  }

  /**
   * Reads the values as a flat typed array (a copy the caller may keep). Works on every
   * backend; on an async-only one it also waits for queued work that computes this tensor.
   */
  async data(): Promise<DataArray> {
    const handle = this.#eager("data");
    if (handle.pending !== undefined) await handle.pending;
    if (handle.failure !== undefined) throw handle.failure;
    const values = await handle.backend.read(handle.dataId);
    return values.slice();
  }

  /**
   * True when the values can be read synchronously now (`dataSync`): the data exists and
   * its backend reads synchronously. Symbolic tensors and resources have no values to read.
   */
  get canReadSync(): boolean {
    const handle = this.handle;
    return handle.kind === "eager" && handle.pending === undefined && !this.#disposed && readsSync(handle.backend);
  }

  /** True while queued asynchronous work is still computing this tensor (only on async-only backends). */
  get isPending(): boolean {
    return this.handle.kind === "eager" && this.handle.pending !== undefined;
  }

  /** Synchronous `data()`; throws on backends that can only read asynchronously (webgpu). */
  dataSync(): DataArray {
    return this.#readSync("dataSync");
  }

  /** The values, read synchronously; errors name `method`, the call the user made. */
  #readSync(method: string): DataArray {
    const handle = this.#eager(method);
    const backend = handle.backend;
    if (handle.pending !== undefined || !readsSync(backend)) {
      throw new BackendError(
        `${method}: this tensor ${handle.pending !== undefined ? "is still being computed by queued asynchronous work" : `lives on backend '${backend.name}', which reads only asynchronously`}; ` +
          `use await tensor.data() (or await tensor.array()) instead`,
      );
    }
    if (handle.failure !== undefined) throw handle.failure;
    return backend.readSync(handle.dataId).slice();
  }

  /** Reads the values as nested JS arrays (booleans for `bool`). */
  async array(): Promise<NestedArray> {
    return this.#nest(await this.data());
  }

  /** Reads the values synchronously as nested JS arrays; throws where `dataSync` does. */
  arraySync(): NestedArray {
    return this.#nest(this.#readSync("arraySync"));
  }

  /**
   * Prints the values to the console in tfjs's format (`toString()` gives TF's). On a
   * backend that reads only asynchronously (webgpu) the values print once they arrive.
   *
   * ```ts
   * tf.tensor([[1, 2], [3, 4]]).print();
   * // Tensor
   * //     [[1, 2],
   * //      [3, 4]]
   * ```
   */
  print(verbose = false): void {
    this.#eager("print");
    const shape = this.shape as number[];
    if (this.canReadSync) {
      console.log(formatTfjs(this.#readSync("print"), shape, this.dtype, verbose));
      return;
    }
    void this.data().then(
      (values) => console.log(formatTfjs(values, shape, this.dtype, verbose)),
      (error: unknown) => console.error(error),
    );
  }

  /** Releases the data. Using the tensor afterwards throws a DisposedError. Idempotent. */
  dispose(): void {
    if (this.#disposed || this.handle.kind !== "eager") return;
    this.#disposed = true;
    releaseHandle(this.handle, this.#owner?.recycle);
    this.#owner?.finalizer.unregister(this);
    this.#owner?.tracker.untrack(this);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * TF's repr: `tf.Tensor(8.0, shape=(), dtype=float32)` eagerly and
   * `Tensor("x:0", shape=(), dtype=float32)` while tracing.
   */
  toString(): string {
    if (this.handle.kind === "symbolic") {
      return `Tensor("${this.handle.name}", shape=${formatTfShape(this.shape)}, dtype=${this.dtype})`;
    }
    if (this.handle.kind === "resource") return `tf.Tensor(<resource>, shape=${formatTfShape(this.shape)}, dtype=${this.dtype})`;
    if (this.#disposed) return `tf.Tensor(<disposed>, shape=${formatTfShape(this.shape)}, dtype=${this.dtype})`;
    const handle = this.handle;
    const backend = handle.backend;
    if (handle.pending !== undefined || handle.failure !== undefined || !readsSync(backend)) {
      const state = handle.pending !== undefined ? "pending" : handle.failure !== undefined ? "failed" : `on ${backend.name}`;
      return `tf.Tensor(<${state}>, shape=${formatTfShape(this.shape)}, dtype=${this.dtype})`;
    }
    const text = formatValues(backend.readSync(handle.dataId), this.shape as number[], this.dtype);
    // TF starts multi-line values on their own line.
    const lead = text.includes("\n") ? "\n" : "";
    return `tf.Tensor(${lead}${text}, shape=${formatTfShape(this.shape)}, dtype=${this.dtype})`;
  }

  /**
   * Eager scalars convert to numbers (`+t`, `t > 0`), like TF's `float(t)`. A symbolic
   * tensor has no value yet, so converting it throws and explains the fix.
   */
  [Symbol.toPrimitive](hint: "number" | "string" | "default"): number | string {
    if (this.handle.kind === "symbolic") {
      if (hint === "string") return this.toString();
      throw new SymbolicTensorError(
        `Cannot convert the symbolic tensor ${this.toString()} to a JS ${hint === "number" ? "number" : "value"} while tracing a tf.function: ` +
          `JS operators and 'if'/'while' on a tensor are evaluated once at trace time. ` +
          `Use tensor ops (tf.greater, tf.add, ...) and tf.cond / tf.whileLoop, or enable AutoGraph (import "@kiln/autograph/register") so plain JS control flow is converted`,
      );
    }
    if (hint === "string") return this.toString();
    if (this.rank !== 0) {
      throw new KilnError(`Cannot convert a tensor of shape ${formatTfShape(this.shape)} to a JS number; only scalars convert (use t.dataSync() or t.array())`);
    }
    return this.dataSync()[0]!;
  }

  #eager(method: string): EagerHandle {
    if (this.handle.kind === "symbolic") {
      throw new SymbolicTensorError(
        `${method}: ${this.toString()} is a symbolic tensor from a tf.function trace and has no value; ` +
          `return it from the function (or use tf.print inside it) to see its value`,
      );
    }
    if (this.handle.kind === "resource") throw new KilnError(`${method}: this is a variable's resource, not a value; read the variable instead (v.read())`);
    if (this.#disposed) throw new DisposedError(`${method}: tensor (shape ${formatTfShape(this.shape)}, dtype ${this.dtype}) was already disposed`);
    return this.handle;
  }

  #nest(values: DataArray): NestedArray {
    const shape = this.shape as number[];
    const toJs = this.dtype === "bool" ? (v: number) => v !== 0 : (v: number) => v;
    if (shape.length === 0) return toJs(values[0]!);
    let offset = 0;
    const build = (dim: number): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let i = 0; i < shape[dim]!; i++) out.push(dim === shape.length - 1 ? toJs(values[offset++]!) : build(dim + 1));
      return out;
    };
    return build(0);
  }
}

/** Checks a tensor can be used as an op input: not disposed. */
export function checkAlive(tensor: Tensor, op: string, argName: string): void {
  if (tensor.isDisposed) {
    throw new DisposedError(`${op}: argument '${argName}' (shape ${formatTfShape(tensor.shape)}, dtype ${tensor.dtype}) was already disposed`);
  }
}
