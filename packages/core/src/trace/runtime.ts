import { bytesPerElement, type DataArray, type DType } from "../base/dtype.js";
import { BackendError } from "../base/errors.js";
import { type ConcreteShape, sizeOf } from "../base/shape.js";
import { OpTable } from "../ir/op_table.js";
import { type Backend, type DataId, readsSync } from "../backend/backend.js";
import { BackendRegistry } from "../backend/backend_registry.js";
import { type MemoryInfo, MemoryTracker } from "../tensor/memory_tracker.js";
import { type EagerHandle, NO_DATA, releaseHandle } from "../tensor/handle.js";
import { Tensor, type TensorOwner } from "../tensor/tensor.js";
import type { ExecutionContext } from "../plan/execution.js";
import { EagerTrace } from "./eager_trace.js";
import { FunctionRegistry } from "./function_registry.js";
import { TaskQueue } from "./task_queue.js";
import { GraphTrace } from "./graph_trace.js";
import type { Trace } from "./trace.js";
import { directVariableAccess } from "./variable_access.js";
import { executionContext } from "./execution_context.js";
import { BufferPools } from "./buffer_pools.js";
import { DEFAULT_MAX_TENSOR_BYTES } from "../base/tensor_size.js";

/** A backward function: upstream gradients and the (retained) inputs and outputs in, input gradients out. */
export type Backward = (
  dys: readonly (Tensor | null)[],
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  needs: readonly boolean[],
) => (Tensor | null)[];

/** What the runtime needs from a recording gradient tape. */
export interface TapeHooks {
  /** The tape's own handle on a tensor it must keep alive (eager), or the tensor itself (traced). */
  retain(tensor: Tensor): Tensor;
  /** A variable was read while recording; trainable ones are watched automatically. */
  onVariableRead(variable: { readonly trainable: boolean }, value: Tensor): void;
  /**
   * Records a differentiable computation (an op, a function call, a custom gradient). The
   * tape retains the tensors; `backward` receives the retained inputs and outputs.
   */
  record(inputs: readonly Tensor[], outputs: readonly Tensor[], backward: Backward, name: string): void;
}

/** A tensor computed by queued work: see `Runtime.pendingTensor`. */
export interface PendingTensor {
  readonly tensor: Tensor;
  settle(backend: Backend, dataId: DataId): void;
  fail(error: unknown): void;
}

/**
 * Owns everything that would otherwise be global: registered backends and kernels, the op
 * table, live-tensor accounting and the trace stack. `tf.*` functions use the default
 * runtime; tests can create their own and run code in it with `runtime.run(fn)`.
 *
 * ```ts
 * const rt = new Runtime();
 * rt.backends.register(cpu());
 * rt.run(() => tf.add(1, 2));
 * ```
 */
/** How many unscoped tensors wait for the GC safety net before a synchronous flush. */
const NURSERY_SIZE = 256;

export class Runtime implements TensorOwner {
  readonly ops = new OpTable();
  readonly tracker: MemoryTracker;
  readonly backends: BackendRegistry;
  readonly finalizer: FinalizationRegistry<EagerHandle>;
  /** Asynchronous work in program order (calls waiting for host reads on async-only backends, and what depends on them). */
  readonly tasks = new TaskQueue();
  /** Concrete functions by name, for call ops run eagerly. */
  readonly functions = new FunctionRegistry();
  /** Dead buffers per backend, reused by later kernels across calls and eager ops (see `BufferPools`). */
  readonly pools = new BufferPools();
  /** What plans run by synchronous calls use: this runtime's kernels, variables and `tf.print`. */
  readonly executionContext: ExecutionContext;
  /** Handles on async-only backends, so `setBackend` can move them without blocking reads. */
  readonly #asyncHandles = new Set<WeakRef<EagerHandle>>();
  readonly #traces: Trace[];
  warn: (message: string) => void = (message) => console.warn(message);
  /** Where `tf.print` writes (stdout by default). */
  print: (message: string) => void = (message) => console.log(message);
  /** `tf.config.runFunctionsEagerly`: call functions' JS directly instead of tracing. */
  runFunctionsEagerly = false;
  /** `tf.config.setMaxTensorBytes`: the largest tensor an op may create. */
  maxTensorBytes = DEFAULT_MAX_TENSOR_BYTES;
  /** The AutoGraph converter, registered by @kiln/autograph; core never imports it. */
  autograph: ((fn: Function) => Function) | undefined;
  /** `tf.autograph.toCode`'s implementation (a function's converted source), installed by @kiln/autograph. */
  autographToCode: ((fn: Function) => string) | undefined;

  constructor() {
    this.backends = new BackendRegistry((message) => this.warn(message));
    this.finalizer = new FinalizationRegistry((handle) => {
      releaseHandle(handle, this.recycle);
      this.tracker.untrack(undefined);
    });
    // Tensors owned by a tidy scope are always freed by it; only those that escape every
    // scope need the GC safety net, which keeps the hot path free of registrations.
    this.tracker = new MemoryTracker((tensor) => {
      const t = tensor as Tensor;
      if (!t.isDisposed && t.handle.kind === "eager") this.#guard(t);
    });
    this.#traces = [new EagerTrace(this)];
    this.executionContext = executionContext(this, directVariableAccess(this));
  }

  /**
   * Puts an unscoped tensor under the GC safety net, in batches: registering costs more
   * than most tiny ops, and most eager tensors are disposed soon after they are made. A
   * tensor still alive when its batch is flushed (after at most `NURSERY_SIZE` more, or at
   * the end of the current task) is registered then; one disposed before never is.
   */
  #guard(tensor: Tensor): void {
    const nursery = this.#nursery;
    nursery.push(tensor);
    if (nursery.length === 1) queueMicrotask(this.#flushNursery);
    else if (nursery.length >= NURSERY_SIZE) this.#flushNursery();
  }

  /** Unscoped tensors waiting for the GC safety net (see `#guard`); held strongly until flushed. */
  readonly #nursery: Tensor[] = [];

  readonly #flushNursery = (): void => {
    const nursery = this.#nursery;
    for (let i = 0; i < nursery.length; i++) {
      const t = nursery[i]!;
      if (!t.isDisposed) this.finalizer.register(t, t.handle as EagerHandle, t);
    }
    nursery.length = 0;
  };

  /** The trace that receives `bind` calls now. */
  get trace(): Trace {
    return this.#traces.at(-1)!;
  }

  /** True while some non-eager trace (a graph being built, a tape) is active. */
  get isTracing(): boolean {
    return this.#traces.length > 1;
  }

  /** The innermost graph being traced, if any (a gradient tape may sit above it). */
  graphTrace(): GraphTrace | undefined {
    for (let i = this.#traces.length - 1; i > 0; i--) {
      const trace = this.#traces[i];
      if (trace instanceof GraphTrace) return trace;
    }
    return undefined;
  }

  /**
   * The tapes recording at this point: those pushed above the innermost graph being traced
   * (a tape outside a tf.function trace never sees the trace's symbolic tensors).
   */
  activeTapes(): TapeHooks[] {
    const tapes: TapeHooks[] = [];
    for (let i = this.#traces.length - 1; i > 0; i--) {
      const trace = this.#traces[i]!;
      if (trace instanceof GraphTrace) break;
      const tape = (trace as { tape?: TapeHooks }).tape;
      if (tape !== undefined) tapes.push(tape);
    }
    return tapes;
  }

  /** Runs `fn` with the recording tapes above the innermost graph hidden (their ops go unrecorded). */
  withoutTapes<T>(fn: () => T): T {
    const removed: [number, Trace][] = [];
    for (let i = this.#traces.length - 1; i > 0; i--) {
      const trace = this.#traces[i]!;
      if (trace instanceof GraphTrace) break;
      if ((trace as { tape?: unknown }).tape !== undefined) removed.push([i, trace]);
    }
    for (const [i] of removed) this.#traces.splice(i, 1);
    try {
      return fn();
    } finally {
      for (const [i, trace] of removed.reverse()) this.#traces.splice(i, 0, trace);
    }
  }

  /** Runs `fn` with `trace` on top of the stack; the stack is restored even if `fn` throws. */
  withTrace<T>(trace: Trace, fn: () => T): T {
    this.#traces.push(trace);
    const depth = this.#traces.length;
    try {
      return fn();
    } finally {
      this.#traces.length = depth - 1;
    }
  }

  /** Runs `fn` with the eager trace alone on the stack (TF's `init_scope`). */
  withEager<T>(fn: () => T): T {
    const saved = this.#traces.splice(1);
    try {
      return fn();
    } finally {
      this.#traces.length = 1;
      this.#traces.push(...saved);
    }
  }

  /** Runs `fn` with this runtime as the default one. */
  run<T>(fn: () => T): T {
    const previous = currentRuntime;
    currentRuntime = this;
    try {
      return fn();
    } finally {
      currentRuntime = previous;
    }
  }

  /** Wraps a backend buffer in a tracked eager tensor. */
  wrap(backend: Backend, dataId: DataId, shape: ConcreteShape, dtype: DType): Tensor {
    const handle: EagerHandle = { kind: "eager", backend, dataId, shape, dtype, numBytes: sizeOf(shape) * bytesPerElement(dtype), refs: 1 };
    const tensor = new Tensor(handle, shape, dtype, this);
    if (!this.tracker.inScope) this.#guard(tensor);
    this.tracker.track(tensor);
    if (!readsSync(backend)) this.#asyncHandles.add(new WeakRef(handle));
    return tensor;
  }

  /**
   * A new tensor on `tensor`'s buffer (the data is freed when both are disposed), owned by
   * the current tidy scope like any op result: what an alias op (Identity) returns eagerly.
   *
   * ```ts
   * const y = runtime.share(x); x.dispose(); y.dataSync(); // still readable
   * ```
   */
  share(tensor: Tensor): Tensor {
    return this.view(tensor, tensor.shape as ConcreteShape);
  }

  /**
   * A new tensor of another shape (same element count) on `tensor`'s buffer: what a view op
   * (Reshape, ExpandDims, Squeeze) returns eagerly. Like `share`, the data is freed when
   * both are disposed.
   *
   * ```ts
   * const flat = runtime.view(image, [784]);
   * ```
   */
  view(tensor: Tensor, shape: ConcreteShape): Tensor {
    const handle = tensor.handle as EagerHandle;
    handle.refs++;
    const copy = new Tensor(handle, shape, tensor.dtype, this);
    if (!this.tracker.inScope) this.#guard(copy);
    this.tracker.track(copy);
    return copy;
  }

  /**
   * Another tensor sharing `tensor`'s buffer, owned by no tidy scope: the data stays alive
   * until both are disposed. Gradient tapes retain what their backward pass needs this way.
   * Symbolic tensors are returned as they are.
   *
   * ```ts
   * const saved = runtime.retain(x); x.dispose(); saved.dataSync(); // still readable
   * ```
   */
  retain(tensor: Tensor): Tensor {
    if (tensor.handle.kind !== "eager" || tensor.isDisposed) return tensor;
    tensor.handle.refs++;
    const copy = new Tensor(tensor.handle, tensor.shape, tensor.dtype, this);
    // Registered with the GC safety net here, or by `keep` when it leaves a tidy scope.
    if (!this.tracker.inScope) this.#guard(copy);
    this.tracker.track(copy);
    return this.tracker.keep(copy);
  }

  /**
   * The tensor's buffer on `backend`, moving the data there first if it lives elsewhere.
   * Moves are synchronous from backends that can read synchronously; tensors on async-only
   * backends are moved by `setBackend` (which awaits) before they are needed.
   */
  dataOn(tensor: Tensor, backend: Backend, op: string): DataId {
    const handle = tensor.handle as EagerHandle;
    if (handle.pending !== undefined) throw new BackendError(`${op}: a tensor is still being computed by queued asynchronous work; its users must wait for it`);
    if (handle.failure !== undefined) throw handle.failure;
    if (handle.backend === backend) return handle.dataId;
    const source = handle.backend;
    if (!readsSync(source)) {
      throw new BackendError(
        `${op}: a tensor lives on async backend '${source.name}' and must be read before it can move to '${backend.name}'; call await tf.setBackend('${backend.name}') (which moves such tensors) or await tensor.data()`,
      );
    }
    this.#move(handle, backend, source.readSync(handle.dataId));
    return handle.dataId;
  }

  /**
   * A tensor whose data queued work computes later (SPEC L2): `settle` installs the data
   * (the handle owns it from then on), `fail` records why there will be none. Reads wait;
   * users of the tensor are queued behind the work.
   *
   * ```ts
   * const { tensor, settle } = runtime.pendingTensor(backend, [2], "float32");
   * runtime.tasks.enqueue(async () => settle(backend, await compute()));
   * ```
   */
  pendingTensor(backend: Backend, shape: ConcreteShape, dtype: DType): PendingTensor {
    let done!: () => void;
    const tensor = this.wrap(backend, NO_DATA, shape, dtype);
    const handle = tensor.handle as EagerHandle;
    handle.pending = new Promise<void>((resolve) => (done = resolve));
    const finish = () => {
      handle.pending = undefined;
      done();
      // Every holder let go while the data was being computed.
      if (handle.refs === 0 && handle.dataId !== NO_DATA) handle.backend.disposeData(handle.dataId);
    };
    return {
      tensor,
      settle: (owner, dataId) => {
        handle.backend = owner;
        handle.dataId = dataId;
        if (!readsSync(owner)) this.#asyncHandles.add(new WeakRef(handle));
        finish();
      },
      fail: (error) => {
        handle.failure = error;
        finish();
      },
    };
  }

  /** Moves a handle's data off an async-only backend to `target`, reading it first. */
  async moveFromAsync(handle: EagerHandle, target: Backend): Promise<void> {
    const values = await handle.backend.read(handle.dataId);
    if (handle.backend !== target) this.#move(handle, target, values);
  }

  /**
   * Settles when every piece of asynchronous work issued so far has finished (TF's
   * `async_wait`): calls waiting for host reads on an async-only backend and what depends
   * on them. Reading a tensor (`await t.data()`) already waits for what it needs.
   */
  asyncWait(): Promise<void> {
    return this.tasks.idle();
  }

  /** Activates a backend and moves tensors held by async-only backends to it. */
  async setBackend(name: string): Promise<void> {
    const target = await this.backends.setActive(name);
    await this.tasks.idle();
    // Dead buffers kept for other backends would only wait there.
    for (const backend of this.backends.instances()) if (backend !== target) this.pools.drain(backend);
    for (const ref of this.#asyncHandles) {
      const handle = ref.deref();
      if (handle === undefined || handle.backend === target || handle.refs === 0 || handle.failure !== undefined) {
        this.#asyncHandles.delete(ref);
        continue;
      }
      if (readsSync(handle.backend)) continue;
      const values = await handle.backend.read(handle.dataId);
      if (handle.backend !== target) this.#move(handle, target, values);
      this.#asyncHandles.delete(ref);
    }
  }

  /** Live tensors and bytes, overall and per backend. */
  memory(): MemoryInfo {
    const backends: MemoryInfo["backends"] = {};
    let numBytes = 0;
    let numDataBuffers = 0;
    let pooledBytes = 0;
    for (const backend of this.backends.instances()) {
      const info = backend.memory();
      // Pooled buffers are dead data kept for reuse: reported apart from live ones.
      const pooled = this.pools.stats(backend);
      backends[backend.name] = { numBytes: info.numBytes - pooled.bytes, numBuffers: info.numBuffers - pooled.buffers, pooledBytes: pooled.bytes };
      numBytes += info.numBytes - pooled.bytes;
      numDataBuffers += info.numBuffers - pooled.buffers;
      pooledBytes += pooled.bytes;
    }
    return { numTensors: this.tracker.numTensors, numBytes, numDataBuffers, pooledBytes, backends };
  }

  /** Takes the buffer of a handle no tensor holds any more into its backend's pool (see `BufferPools`). */
  readonly recycle = (handle: EagerHandle): void => this.pools.recycle(handle);

  #move(handle: EagerHandle, target: Backend, values: DataArray): void {
    const source = handle.backend;
    const newId = target.write(values.slice(), handle.shape, handle.dtype);
    source.disposeData(handle.dataId);
    handle.backend = target;
    handle.dataId = newId;
    if (!readsSync(target)) this.#asyncHandles.add(new WeakRef(handle));
  }
}

let currentRuntime = new Runtime();

/** The runtime `tf.*` functions use now. */
export function getRuntime(): Runtime {
  return currentRuntime;
}
