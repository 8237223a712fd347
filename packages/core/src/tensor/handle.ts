import type { DType } from "../base/dtype.js";
import type { ConcreteShape } from "../base/shape.js";
import type { Backend, DataId } from "../backend/backend.js";

/**
 * Where an eager tensor's data lives. Mutable so that moving the data to another backend
 * (after `setBackend`) updates every holder at once.
 */
export interface EagerHandle {
  readonly kind: "eager";
  backend: Backend;
  dataId: DataId;
  readonly shape: ConcreteShape;
  readonly dtype: DType;
  readonly numBytes: number;
  /** Tensors sharing this buffer (a tape retains its own); the data is freed at zero. */
  refs: number;
  /**
   * Set while the data is still being computed by queued work (an asynchronous call, an op
   * on such a result): settles when `dataId` holds the data, or `failure` says why not.
   * Never rejects, so nothing is left unhandled; readers check `failure` after awaiting.
   */
  pending?: Promise<void>;
  /** Why the computation of a pending handle failed: using the tensor rethrows it. */
  failure?: unknown;
}

/** The `dataId` of a handle whose data is not computed yet. */
export const NO_DATA: object = Object.freeze({});

/**
 * Lets go of one tensor's hold on a handle: when the last one lets go the data goes to
 * `recycle` (a pool that reuses the buffer) or is freed; data still being computed is freed
 * as soon as it arrives.
 */
export function releaseHandle(handle: EagerHandle, recycle?: (handle: EagerHandle) => void): void {
  if (--handle.refs > 0 || handle.pending !== undefined || handle.dataId === NO_DATA) return;
  if (recycle !== undefined) recycle(handle);
  else handle.backend.disposeData(handle.dataId);
}

/**
 * A symbolic tensor: an output of an operation in a graph being traced. It has no data;
 * `graph` is the graph that owns it (used for out-of-scope checks) and `ref` is the
 * graph-side value (an operation output).
 */
export interface SymbolicHandle {
  readonly kind: "symbolic";
  readonly graph: SymbolicOwner;
  readonly ref: unknown;
  /** TF-style tensor name, e.g. `x:0`. */
  readonly name: string;
}

/** The minimum a graph exposes to tensors: its name and whether its trace is still open. */
export interface SymbolicOwner {
  readonly name: string;
  readonly isOpen: boolean;
}

/**
 * A variable's resource, as ops that read or write the variable receive it (a call, `If`,
 * `While`, the variable ops). It has the variable's shape and dtype but no data of its own.
 */
export interface ResourceHandle {
  readonly kind: "resource";
  readonly variable: object;
}

export type TensorHandle = EagerHandle | SymbolicHandle | ResourceHandle;
