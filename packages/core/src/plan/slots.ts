import type { DType } from "../base/dtype.js";
import { type ConcreteShape, sizeOf } from "../base/shape.js";
import type { Backend, DataId } from "../backend/backend.js";

/** A tensor value flowing through a plan: a buffer on some backend, owned by the plan or borrowed. */
export interface DataSlot {
  readonly kind: "data";
  readonly backend: Backend;
  readonly dataId: DataId;
  readonly shape: ConcreteShape;
  readonly dtype: DType;
  /** Number of elements (the product of `shape`), kept so freeing to a pool need not recount. */
  readonly size: number;
  /** Owned buffers are freed by the plan after their last use; borrowed ones belong to someone else. */
  owned: boolean;
  /**
   * For a borrowed value that holds a reference (a variable read pins the buffer it read):
   * called instead of freeing, at the value's last use or by whoever copies it out.
   */
  readonly release: (() => void) | undefined;
}

/** A resource (a variable) flowing through a plan. */
export interface ResourceSlot {
  readonly kind: "resource";
  readonly value: object;
}

export type SlotValue = DataSlot | ResourceSlot;

/**
 * Makes a data slot. Every slot is built here, so all of them share one object layout and
 * the executor's property reads stay monomorphic.
 *
 * ```ts
 * const slot = dataSlot(backend, backend.write(values, [2], "float32"), [2], "float32", true);
 * ```
 */
export function dataSlot(
  backend: Backend,
  dataId: DataId,
  shape: ConcreteShape,
  dtype: DType,
  owned: boolean,
  release?: () => void,
  size = sizeOf(shape),
): DataSlot {
  return { kind: "data", backend, dataId, shape, dtype, size, owned, release };
}

/** Frees an owned value's buffer, or lets go of a borrowed value's reference. */
export function freeSlot(value: DataSlot): void {
  if (value.owned) value.backend.disposeData(value.dataId);
  else value.release?.();
}
