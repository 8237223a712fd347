import type { DType, DataArray } from "../base/dtype.js";
import type { ConcreteShape } from "../base/shape.js";
import type { AnyOpDef, Attrs, ValueInfo } from "../ir/op.js";

/**
 * The version of the Backend contract this core speaks. A plugin built for another fails to
 * register. Version 2: capabilities as one record (reads, dtypes, fusion), kernels that
 * compile per declared specialization, `prepare`, run hooks, wider fusion.
 */
export const BACKEND_API_VERSION = 2;

/** An opaque handle to a buffer owned by a backend. */
export type DataId = object;

/** What a kernel receives for each input: the backend buffer plus its concrete shape and dtype. */
export interface TensorData {
  readonly dataId: DataId;
  readonly shape: ConcreteShape;
  readonly dtype: DType;
}

/** What a backend's `compileFused` accepts; core offers only clusters that fit. */
export interface FusionCapabilities {
  /** Clusters of elementwise ops become one kernel. */
  readonly elementwise: boolean;
  /**
   * Cluster inputs may have any shape that broadcasts to the cluster's (a bias row, a
   * column); without it, only same-shape and single-element inputs are offered.
   */
  readonly broadcast: boolean;
  /**
   * Raw op names whose output may head a cluster: the elementwise ops then run as an
   * epilogue of that op (MatMul + bias + relu in one kernel). Empty: no epilogues.
   */
  readonly epilogues: readonly string[];
}

/**
 * What a backend can do, as one record: core consults it instead of probing for methods.
 * `reads: "sync"` promises a `readSync` method (see `SyncReadBackend`); `"async"` (a GPU)
 * means data is read only through `await read()`.
 */
export interface BackendCapabilities {
  readonly reads: "sync" | "async";
  /** Dtypes the backend can store. */
  readonly dtypes: readonly DType[];
  readonly fusion: FusionCapabilities;
  /**
   * For backends with asynchronous reads: how many `While` iterations core may run ahead of
   * reading the loop's predicate (speculative loops, see docs/architecture.md). Each speculative iteration
   * keeps the previous loop values wherever the predicate already failed, so running past
   * the end changes no result; with `guard`, the work past the end is skipped on the device
   * too. Absent or 1: one predicate read per iteration.
   */
  readonly loopLookahead?: number;
  /**
   * Whether kernels issued under a failing `guard` really do not run, so their outputs keep
   * their old contents (webgpu zeroes their workgroup counts). Only then may a speculative
   * `While` let its step write loop values in place (`OpDef.inPlace`): a guard that lets
   * kernels run (allowed: their results are unused) would overwrite the kept value past the end.
   */
  readonly guardSkips?: boolean;
  /**
   * Whether `write` takes a dead buffer to write into (its `reuse` argument). Core then
   * offers constants written eagerly (`x.mul(0.01)`'s scalar) the buffers of disposed
   * tensors of the same dtype and size from its pools, as it offers kernels their outputs,
   * so a steady eager loop creates no buffers for them. For backends whose buffers cost
   * something to create (GPU buffers); a backend that wraps the given array leaves it unset.
   */
  readonly writeReuse?: boolean;
  /** What the backend reports about itself (adapter, limits, SIMD, threads), for users and bug reports. */
  readonly details?: { readonly [key: string]: string | number | boolean | readonly string[] };
}

/** Memory held by one backend. */
export interface BackendMemory {
  readonly numBytes: number;
  readonly numBuffers: number;
}

/**
 * What a plan will run, offered to `Backend.prepare` before the plan first runs on an
 * asynchronous call, so the backend can compile pipelines or modules ahead (pipelines on
 * a GPU, modules in wasm). Later `compile` and `compileFused` calls should hit its caches.
 */
export interface PlanPreparation {
  /** Kernels compiled per specialization (`CompiledKernelRegistration`), with their keys. */
  readonly kernels: readonly { readonly op: AnyOpDef; readonly key: KernelKey }[];
  /** Fused clusters the plan will ask `compileFused` for. */
  readonly clusters: readonly FusedCluster[];
}

/**
 * A backend instance: owns buffers and runs kernels on them.
 *
 * ```ts
 * const id = backend.write(new Float32Array([1, 2]), [2], "float32");
 * await backend.read(id); // Float32Array [1, 2]
 * ```
 */
export interface Backend {
  readonly apiVersion: number;
  readonly name: string;
  readonly caps: BackendCapabilities;
  /**
   * Takes ownership of `values` (the caller must not mutate them afterwards). With
   * `caps.writeReuse`, core may pass `reuse`: a dead buffer of this backend holding exactly
   * this dtype and element count (old contents, nobody else reads it), which the backend may
   * fill with `values` and return instead of allocating, or ignore.
   */
  write(values: DataArray, shape: ConcreteShape, dtype: DType, reuse?: DataId): DataId;
  /** The values; the result may be a view of backend memory, valid as `readSync`'s. */
  read(dataId: DataId): Promise<DataArray>;
  disposeData(dataId: DataId): void;
  memory(): BackendMemory;
  /** Releases every buffer and device resource. */
  dispose(): void;
  /**
   * Optional: one kernel for a cluster of elementwise ops, possibly headed by a contraction
   * or reduction (see "Fusion" in docs/architecture.md). Only clusters within `caps.fusion` are offered. Return
   * `undefined` for a cluster it cannot compile; its ops then run one by one.
   */
  compileFused?(cluster: FusedCluster): KernelFn | undefined;
  /**
   * Optional: the code `compileFused` generates for a cluster (JS loops on cpu, WGSL on a
   * GPU), for people reading what runs: `cf.planSummary()` shows it. Never on a hot path.
   */
  fusedKernelSource?(cluster: FusedCluster): KernelSource | undefined;
  /** Optional: compiles ahead what a plan will run (awaited before an asynchronous call first runs it). */
  prepare?(work: PlanPreparation): Promise<void>;
  /**
   * Optional hooks around one top-level call of a traced function (nested sub-plans run
   * inside it): a GPU encodes every dispatch into one command buffer and submits it at
   * `endRun`; host reads in between (a While predicate) are the backend's to flush for.
   * `endRun` is called after the last step, also when a step throws.
   */
  beginRun?(): void;
  endRun?(): void;
  /**
   * Optional: runs the kernels issued until the returned function is called only where the
   * bool scalar `predicate` (a buffer of this backend) is true (false with `negate`), without
   * a host read; outputs of skipped kernels hold unspecified values. Guards nest (the inner
   * region runs only where both hold). Core guards speculative `While` iterations and the
   * branches of a predicated `If`, so a GPU decides on the device what to run.
   */
  guard?(predicate: DataId, negate: boolean): () => void;
}

/**
 * A backend with `caps.reads === "sync"`: it also reads synchronously. The returned array
 * may be a view of the backend's own memory: it is valid until the next call into the
 * backend (a write, a kernel, a dispose, memory growth). Core copies what it keeps.
 */
export interface SyncReadBackend extends Backend {
  readSync(dataId: DataId): DataArray;
}

/**
 * True when the backend reads synchronously (`caps.reads === "sync"`), narrowing its type.
 *
 * ```ts
 * if (readsSync(backend)) backend.readSync(id);
 * ```
 */
export function readsSync(backend: Backend): backend is SyncReadBackend {
  return backend.caps.reads === "sync";
}

/**
 * An operand of a fused op: a cluster input, the result of an earlier fused op, or an
 * output of the cluster's head (a contraction or reduction the ops are an epilogue of).
 */
export type FusedOperand = { readonly input: number } | { readonly op: number } | { readonly head: number };

/**
 * Elementwise ops of a graph that all produce `shape`, fused into one kernel. Every input
 * broadcasts to `shape` (same shape or a single element; any broadcastable shape when the
 * backend declares `fusion.broadcast`). With a `head`, the cluster is an epilogue: the head
 * op runs first on its inputs (cluster inputs) and the elementwise ops read its outputs,
 * which are not used outside the cluster. The kernel returns one buffer per entry of
 * `outputs` (the ops whose results are used outside the cluster).
 */
export interface FusedCluster {
  readonly shape: ConcreteShape;
  readonly inputs: readonly (ValueInfo & { readonly shape: ConcreteShape })[];
  readonly head?: {
    readonly op: AnyOpDef;
    readonly attrs: object;
    readonly inputs: readonly number[];
    readonly outputs: readonly (ValueInfo & { readonly shape: ConcreteShape })[];
  };
  readonly ops: readonly { readonly op: AnyOpDef; readonly attrs: object; readonly operands: readonly FusedOperand[]; readonly dtype: DType }[];
  readonly outputs: readonly number[];
}

/** Generated kernel code, as `Backend.fusedKernelSource` returns it: `{ language: "wgsl", code: "@compute ..." }`. */
export interface KernelSource {
  /** `javascript`, `wgsl`, `c`, ...: what `code` is written in. */
  readonly language: string;
  readonly code: string;
}

/** Arguments every kernel receives. Output shapes were already inferred and checked by core. */
export interface KernelArgs<A extends object = Attrs, B extends Backend = Backend> {
  readonly inputs: readonly TensorData[];
  readonly attrs: A;
  readonly outputs: readonly (ValueInfo & { readonly shape: ConcreteShape })[];
  readonly backend: B;
  /**
   * Optional buffers for the outputs, offered by plans (buffer reuse): `out[i]`, when present,
   * is a dead buffer of this backend holding exactly output i's dtype and element count
   * (old contents, nobody else reads it). A kernel may overwrite it completely and return
   * it as output i's id instead of allocating, or ignore it. Inputs never alias it.
   */
  readonly out?: readonly (DataId | undefined)[];
}

/** A kernel returns one buffer per output, in the order the op declares them. */
export type KernelFn<A extends object = Attrs, B extends Backend = Backend> = (args: KernelArgs<A, B>) => DataId[];

/** What a compiled kernel's code depends on. Compiled kernels are cached by exactly this. */
export interface KernelSpecialization {
  /** Input and output dtypes (default: true). */
  readonly dtypes?: boolean;
  /** Input and output ranks. */
  readonly rank?: boolean;
  /** Exact input and output dims (implies rank). */
  readonly shapes?: boolean;
  /** Every attr (`true`), or only the named ones. */
  readonly attrs?: boolean | readonly string[];
}

/** One value as a `KernelKey` describes it: what the kernel's specialization asked for. */
export interface KernelKeyValue {
  readonly dtype?: DType;
  readonly rank?: number;
  readonly shape?: ConcreteShape;
}

/** The specialization a compiled kernel is built for (see `KernelSpecialization`). */
export interface KernelKey<A extends object = Attrs> {
  readonly inputs: readonly KernelKeyValue[];
  readonly outputs: readonly KernelKeyValue[];
  readonly attrs: Partial<A>;
  /** The key as a string, for caches. */
  readonly id: string;
}

/**
 * Registers `run` as the implementation of `op` on `backend`.
 *
 * ```ts
 * tf.registerKernel({ op: "Cube", backend: "cpu", run: ({ inputs, backend }) => [...] });
 * ```
 */
export interface PlainKernelRegistration<A extends object = Attrs, B extends Backend = Backend> {
  /** The op, or its raw name. */
  readonly op: AnyOpDef | string;
  readonly backend: string;
  readonly run: KernelFn<A, B>;
}

/**
 * A kernel compiled per specialization (a shader, a generated wasm function): core builds
 * the key from what `specializeOn` names, compiles once per key and backend instance, and
 * reuses the result. Plans compile when they are built (or in `Backend.prepare`), eager
 * calls on first use of a key.
 *
 * ```ts
 * tf.registerKernel({ op: "MatMul", backend: "webgpu", specializeOn: { rank: true, attrs: ["transposeA", "transposeB"] },
 *   compile: (key, backend) => backend.matmulPipeline(key) });
 * ```
 */
export interface CompiledKernelRegistration<A extends object = Attrs, B extends Backend = Backend> {
  readonly op: AnyOpDef | string;
  readonly backend: string;
  readonly specializeOn: KernelSpecialization;
  compile(key: KernelKey<A>, backend: B): KernelFn<A, B>;
}

/** A kernel registration: a plain function, or one compiled per specialization. */
export type KernelRegistration<A extends object = Attrs, B extends Backend = Backend> =
  | PlainKernelRegistration<A, B>
  | CompiledKernelRegistration<A, B>;

/**
 * What a backend package exports: a name, its kernels, and a (possibly async) factory that
 * creates the backend when it is first selected, so heavy binaries load lazily.
 *
 * ```ts
 * tf.registerBackend(cpu());
 * await tf.setBackend("cpu");
 * ```
 */
export interface BackendPlugin {
  readonly name: string;
  readonly apiVersion: number;
  /** Higher wins when no backend was chosen explicitly. */
  readonly priority?: number;
  readonly kernels: readonly KernelRegistration<any, any>[];
  create(): Backend | Promise<Backend>;
}
