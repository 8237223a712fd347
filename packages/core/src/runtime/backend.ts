import type { DType, DataArray } from "../base/dtype.js";
import type { ConcreteShape } from "../base/shape.js";
import type { AnyOpDef, Attrs, ValueInfo } from "../ir/op.js";

/** The version of the Backend contract this core speaks. A plugin built for another fails to register. */
export const BACKEND_API_VERSION = 1;

/** An opaque handle to a buffer owned by a backend. */
export type DataId = object;

/** What a kernel receives for each input: the backend buffer plus its concrete shape and dtype. */
export interface TensorData {
  readonly dataId: DataId;
  readonly shape: ConcreteShape;
  readonly dtype: DType;
}

/** What a backend can do; core consults these instead of probing. */
export interface BackendCaps {
  /** Reads must go through `read()` (a GPU): there is no `readSync`. */
  readonly asyncOnly: boolean;
  /** Dtypes the backend can store. */
  readonly dtypes: readonly DType[];
}

/** Memory held by one backend. */
export interface BackendMemory {
  readonly numBytes: number;
  readonly numBuffers: number;
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
  readonly caps: BackendCaps;
  /** Takes ownership of `values` (the caller must not mutate them afterwards). */
  write(values: DataArray, shape: ConcreteShape, dtype: DType): DataId;
  read(dataId: DataId): Promise<DataArray>;
  readSync?(dataId: DataId): DataArray;
  disposeData(dataId: DataId): void;
  memory(): BackendMemory;
  /** Releases every buffer and device resource. */
  dispose(): void;
  /**
   * Optional: one kernel for a cluster of elementwise ops (DESIGN 6). Return `undefined`
   * when the cluster holds an op or dtype this backend cannot fuse; the ops then run one
   * by one.
   */
  compileFused?(cluster: FusedCluster): KernelFn | undefined;
}

/** An operand of a fused op: an input of the cluster, or the result of an earlier fused op. */
export type FusedOperand = { readonly input: number } | { readonly op: number };

/**
 * Consecutive elementwise ops of a graph that all produce `shape`. Every cluster input has
 * that shape or a single element (broadcast). The kernel returns one buffer per entry of
 * `outputs` (the ops whose results are used outside the cluster).
 */
export interface FusedCluster {
  readonly shape: ConcreteShape;
  readonly inputs: readonly ValueInfo[];
  readonly ops: readonly { readonly op: AnyOpDef; readonly attrs: object; readonly operands: readonly FusedOperand[]; readonly dtype: DType }[];
  readonly outputs: readonly number[];
}

/** Arguments every kernel receives. Output shapes were already inferred and checked by core. */
export interface KernelArgs<A extends object = Attrs, B extends Backend = Backend> {
  readonly inputs: readonly TensorData[];
  readonly attrs: A;
  readonly outputs: readonly (ValueInfo & { readonly shape: ConcreteShape })[];
  readonly backend: B;
  /**
   * Optional buffers for the outputs, offered by plans (DESIGN 5): `out[i]`, when present,
   * is a dead buffer of this backend holding exactly output i's dtype and element count
   * (old contents, nobody else reads it). A kernel may overwrite it completely and return
   * it as output i's id instead of allocating, or ignore it. Inputs never alias it.
   */
  readonly out?: readonly (DataId | undefined)[];
}

/** A kernel returns one buffer per output, in the order the op declares them. */
export type KernelFn<A extends object = Attrs, B extends Backend = Backend> = (args: KernelArgs<A, B>) => DataId[];

/**
 * Registers `run` as the implementation of `op` on `backend`.
 *
 * ```ts
 * tf.registerKernel({ op: "Cube", backend: "cpu", run: ({ inputs, backend }) => [...] });
 * ```
 */
export interface KernelRegistration<A extends object = Attrs, B extends Backend = Backend> {
  /** The op, or its raw name. */
  readonly op: AnyOpDef | string;
  readonly backend: string;
  readonly run: KernelFn<A, B>;
}

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
