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

export type TensorHandle = EagerHandle | SymbolicHandle;
