import type { Backend, DataId } from "../backend/backend.js";
import { allocate, bytesPerElement, type DType } from "../base/dtype.js";
import { ResourceExhaustedError } from "../base/errors.js";
import type { BufferSpec } from "./memory_plan.js";
import { type DataSlot, freeSlot } from "./slots.js";

const DTYPE_CODE: Readonly<Record<DType, number>> = { float32: 0, int32: 1, bool: 2 };
const DTYPE_NAMES: readonly DType[] = ["float32", "int32", "bool"];

/** Dead buffers a pool keeps at most by default, in bytes; beyond it the oldest are freed, as without a pool. */
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
  /** Every kept buffer with its key, oldest first: a full pool evicts from the front. */
  readonly #age = new Map<DataId, number>();
  #bytes = 0;
  #buffers = 0;
  /**
   * Buffers plans keep across runs for their statically planned intermediates (see
   * `reserve`), by a token per plan rather than the plan itself, so a plan dropped without
   * `dispose()` is not kept alive from here: when it is collected, its buffers are freed.
   */
  readonly #reservations = new Map<object, Reservation>();
  readonly #tokens = new WeakMap<object, object>();
  #collected: FinalizationRegistry<object> | undefined;
  #reservedBytes = 0;

  constructor(
    readonly backend: Backend,
    /** The most bytes of dead buffers kept. */
    readonly maxBytes = MAX_POOLED_BYTES,
  ) {}

  /** Bytes of dead buffers kept now, and of buffers reserved by plans (idle between their runs). */
  get bytes(): number {
    return this.#bytes + this.#reservedBytes;
  }

  /** Dead buffers kept now, and buffers reserved by plans. */
  get buffers(): number {
    let reserved = 0;
    for (const r of this.#reservations.values()) reserved += r.ids.length;
    return this.#buffers + reserved;
  }

  /**
   * The buffers `owner` (a plan) writes its statically planned intermediates into, kept
   * from one run to the next: made on the first run (from dead buffers where they fit),
   * then handed out again. Undefined while another run of the same owner holds them (its
   * nested or interleaved run uses the pool instead), when reservations would exceed
   * four times the pool's bound, or when the backend is out of memory for them (a
   * `ResourceExhaustedError`: nothing is lost, the run goes without). Pair with `unhold` at
   * the end of the run.
   *
   * ```ts
   * const buffers = pool.reserve(plan, memoryPlan.buffers); // ... run ...; pool.unhold(plan)
   * ```
   */
  reserve(owner: object, specs: readonly BufferSpec[]): DataId[] | undefined {
    let token = this.#tokens.get(owner);
    const held = token === undefined ? undefined : this.#reservations.get(token);
    if (held !== undefined) {
      if (held.inUse) return undefined;
      held.inUse = true;
      return held.ids;
    }
    const bytes = specs.reduce((total, s) => total + s.size * bytesPerElement(s.dtype), 0);
    if (this.#reservedBytes + bytes > 4 * this.maxBytes) return undefined;
    const ids = this.#make(specs);
    if (ids === undefined) return undefined;
    if (token === undefined) {
      token = {};
      this.#tokens.set(owner, token);
      this.#collected ??= new FinalizationRegistry((collected) => this.#forget(collected));
      this.#collected.register(owner, token, token);
    }
    this.#reservations.set(token, { ids, specs, bytes, inUse: true });
    this.#reservedBytes += bytes;
    return ids;
  }

  /**
   * The buffers of a reservation, from dead ones where they fit. Out of memory, the ones
   * made so far wait in the pool and the answer is undefined: the run then takes buffers
   * step by step, and a step that runs out of memory frees the pool and tries again.
   */
  #make(specs: readonly BufferSpec[]): DataId[] | undefined {
    const ids: DataId[] = [];
    try {
      for (const s of specs) ids.push(this.take(s.dtype, s.size) ?? this.backend.write(allocate(s.dtype, s.size), [s.size], s.dtype));
      return ids;
    } catch (error) {
      ids.forEach((id, i) => this.keep(id, specs[i]!.dtype, specs[i]!.size));
      if (error instanceof ResourceExhaustedError) return undefined;
      throw error;
    }
  }

  /** Frees the reservation of a plan that was collected without `dispose()`. */
  #forget(token: object): void {
    const held = this.#reservations.get(token);
    if (held === undefined) return;
    this.#reservations.delete(token);
    this.#reservedBytes -= held.bytes;
    try {
      for (const dataId of held.ids) this.backend.disposeData(dataId);
    } catch {
      // The backend itself was disposed in the meantime, and its memory with it.
    }
  }

  /** Whether `drain` would free anything: dead buffers, or reservations no run holds. */
  get canFree(): boolean {
    if (this.#buffers > 0) return true;
    for (const held of this.#reservations.values()) if (!held.inUse) return true;
    return false;
  }

  /** Ends a run's use of `owner`'s reserved buffers; they stay reserved for its next run. */
  unhold(owner: object): void {
    const token = this.#tokens.get(owner);
    const held = token === undefined ? undefined : this.#reservations.get(token);
    if (held !== undefined) held.inUse = false;
  }

  /** Gives `owner`'s reserved buffers back as dead buffers (a disposed plan). */
  release(owner: object): void {
    const token = this.#tokens.get(owner);
    const held = token === undefined ? undefined : this.#reservations.get(token);
    if (held === undefined) return;
    this.#reservations.delete(token!);
    this.#tokens.delete(owner);
    this.#collected?.unregister(token!);
    this.#reservedBytes -= held.bytes;
    held.ids.forEach((id, i) => this.keep(id, held.specs[i]!.dtype, held.specs[i]!.size));
  }

  /** Whether the pool holds any buffer (a cheap check before offering outputs). */
  get isEmpty(): boolean {
    return this.#buffers === 0;
  }

  /** A dead buffer holding exactly `size` elements of `dtype`, or undefined. */
  take(dtype: DType, size: number): DataId | undefined {
    const dataId = this.#free?.get(size * 3 + DTYPE_CODE[dtype])?.pop();
    if (dataId !== undefined) {
      this.#age.delete(dataId);
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

  /**
   * Keeps an owned buffer of this backend for reuse. A full pool frees its oldest buffers to
   * make room (the workload it serves now wins over buffers left by earlier ones); a buffer
   * larger than the whole pool is freed at once.
   */
  keep(dataId: DataId, dtype: DType, size: number): void {
    const bytes = size * bytesPerElement(dtype);
    if (bytes > this.maxBytes) {
      this.backend.disposeData(dataId);
      return;
    }
    while (this.#bytes + bytes > this.maxBytes) this.#evictOldest();
    const key = size * 3 + DTYPE_CODE[dtype];
    this.#free ??= new Map();
    let list = this.#free.get(key);
    if (list === undefined) this.#free.set(key, (list = []));
    list.push(dataId);
    this.#age.set(dataId, key);
    this.#bytes += bytes;
    this.#buffers++;
  }

  /** Frees the buffer kept longest. */
  #evictOldest(): void {
    const [dataId, key] = this.#age.entries().next().value as [DataId, number];
    this.#age.delete(dataId);
    const list = this.#free!.get(key)!;
    list.splice(list.indexOf(dataId), 1);
    const size = Math.floor(key / 3);
    this.#bytes -= size * bytesPerElement(DTYPE_NAMES[key % 3]!);
    this.#buffers--;
    this.backend.disposeData(dataId);
  }

  /** Frees every kept buffer, and the reservations no run holds now (their plans reserve again). */
  drain(): void {
    for (const [token, held] of this.#reservations) {
      if (held.inUse) continue;
      for (const dataId of held.ids) this.backend.disposeData(dataId);
      this.#reservations.delete(token);
      this.#reservedBytes -= held.bytes;
    }
    if (this.#free === undefined) return;
    for (const list of this.#free.values()) for (const dataId of list) this.backend.disposeData(dataId);
    this.#free.clear();
    this.#age.clear();
    this.#bytes = 0;
    this.#buffers = 0;
  }
}

/** A plan's reserved buffers (see `BufferPool.reserve`). */
interface Reservation {
  readonly ids: DataId[];
  readonly specs: readonly BufferSpec[];
  readonly bytes: number;
  /** True while a run of the owner writes into them. */
  inUse: boolean;
}
