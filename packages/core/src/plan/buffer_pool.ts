import { bytesPerElement, type DType } from "../base/dtype.js";
import type { Backend, DataId } from "../backend/backend.js";
import { type DataSlot, freeSlot } from "./slots.js";

const DTYPE_CODE: Readonly<Record<DType, number>> = { float32: 0, int32: 1, bool: 2 };

/** Dead buffers a pool keeps at most by default, in bytes; beyond it they are freed at once, as without a pool. */
export const MAX_POOLED_BYTES = 32 * 1024 * 1024;

/**
 * Dead buffers of one backend, kept for reuse while a plan runs. When an intermediate dies its buffer waits here, and the next kernel output of
 * the same dtype and element count is written into it instead of a fresh allocation. A
 * While loop shares one pool across its iterations, so a steady loop allocates nothing.
 * The pool is bounded, and whoever created it drains it when the run ends.
 *
 * ```ts
 * const pool = new BufferPool(backend);
 * pool.give(deadSlot);                  // kept instead of freed
 * const out = pool.take("float32", 16); // reused as a kernel's output buffer
 * pool.drain();                         // frees what is left
 * ```
 */
export class BufferPool {
  /** Kept buffers by size and dtype; made on first use, since most pools of short calls stay empty. */
  #free: Map<number, DataId[]> | undefined;
  #bytes = 0;
  #buffers = 0;

  constructor(
    readonly backend: Backend,
    /** The most bytes of dead buffers kept. */
    readonly maxBytes = MAX_POOLED_BYTES,
  ) {}

  /** Bytes of dead buffers kept now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Dead buffers kept now. */
  get buffers(): number {
    return this.#buffers;
  }

  /** Whether the pool holds any buffer (a cheap check before offering outputs). */
  get isEmpty(): boolean {
    return this.#buffers === 0;
  }

  /** A dead buffer holding exactly `size` elements of `dtype`, or undefined. */
  take(dtype: DType, size: number): DataId | undefined {
    const dataId = this.#free?.get(size * 3 + DTYPE_CODE[dtype])?.pop();
    if (dataId !== undefined) {
      this.#bytes -= size * bytesPerElement(dtype);
      this.#buffers--;
    }
    return dataId;
  }

  /** Keeps a dying slot's buffer for reuse when the slot owns it on this backend; otherwise frees it as usual. */
  give(slot: DataSlot): void {
    if (slot.owned && slot.backend === this.backend) this.keep(slot.dataId, slot.dtype, slot.size);
    else freeSlot(slot);
  }

  /** Keeps an owned buffer of this backend for reuse (or frees it when the pool is full). */
  keep(dataId: DataId, dtype: DType, size: number): void {
    const bytes = size * bytesPerElement(dtype);
    if (this.#bytes + bytes > this.maxBytes) {
      this.backend.disposeData(dataId);
      return;
    }
    const key = size * 3 + DTYPE_CODE[dtype];
    this.#free ??= new Map();
    let list = this.#free.get(key);
    if (list === undefined) this.#free.set(key, (list = []));
    list.push(dataId);
    this.#bytes += bytes;
    this.#buffers++;
  }

  /** Frees every kept buffer. */
  drain(): void {
    if (this.#free === undefined) return;
    for (const list of this.#free.values()) for (const dataId of list) this.backend.disposeData(dataId);
    this.#free.clear();
    this.#bytes = 0;
    this.#buffers = 0;
  }
}
