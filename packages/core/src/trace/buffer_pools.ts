import { ResourceExhaustedError } from "../base/errors.js";
import { sizeOf } from "../base/shape.js";
import type { Backend, DataId } from "../backend/backend.js";
import type { ConcreteInfo } from "../ir/op.js";
import { BufferPool } from "../plan/buffer_pool.js";
import type { EagerHandle } from "../tensor/handle.js";

/**
 * The runtime's pools of dead buffers, one per backend, kept across calls: buffers of
 * disposed eager tensors and the intermediates of eager function calls wait here, and the
 * next kernel output of the same dtype and size is written into one instead of a fresh
 * allocation, so a steady loop of calls or eager ops allocates nothing. Each pool is
 * bounded (dead buffers past the bound are freed at once); `tf.memory()` reports pooled
 * bytes apart from live ones, and `tf.releasePools()` frees them.
 *
 * ```ts
 * const pool = runtime.pools.for(backend);
 * runtime.pools.recycle(handle); // a disposed tensor's buffer, kept for reuse
 * runtime.pools.drain();         // frees every pooled buffer
 * ```
 */
export class BufferPools {
  readonly #pools = new Map<Backend, BufferPool>();

  constructor(
    /** The most bytes each backend's pool keeps. */
    private readonly maxBytes?: number,
  ) {}

  /** The pool of `backend` (made on first use). */
  for(backend: Backend): BufferPool {
    let pool = this.#pools.get(backend);
    if (pool === undefined) this.#pools.set(backend, (pool = new BufferPool(backend, this.maxBytes)));
    return pool;
  }

  /** Keeps the buffer of a handle no tensor holds any more (or frees it when its pool is full). */
  readonly recycle = (handle: EagerHandle): void => {
    this.for(handle.backend).keep(handle.dataId, handle.dtype, sizeOf(handle.shape));
  };

  /**
   * Buffers from `backend`'s pool for a kernel to write its outputs into (`KernelArgs.out`),
   * or undefined when the pool has none. Pair with `returnUnused`.
   */
  offer(backend: Backend, outputs: readonly ConcreteInfo[]): (DataId | undefined)[] | undefined {
    const pool = this.#pools.get(backend);
    if (pool === undefined || pool.isEmpty) return undefined;
    const out: (DataId | undefined)[] = new Array(outputs.length);
    for (let i = 0; i < outputs.length; i++) out[i] = pool.take(outputs[i]!.dtype, sizeOf(outputs[i]!.shape));
    return out;
  }

  /** Gives back offered buffers the kernel did not use (`ids` are what it returned; undefined when it threw). */
  returnUnused(backend: Backend, outputs: readonly ConcreteInfo[], out: readonly (DataId | undefined)[], ids: readonly DataId[] | undefined): void {
    const pool = this.for(backend);
    for (let i = 0; i < out.length; i++) {
      const offered = out[i];
      if (offered !== undefined && ids?.[i] !== offered) pool.keep(offered, outputs[i]!.dtype, sizeOf(outputs[i]!.shape));
    }
  }

  /** Pooled bytes and buffers of `backend`. */
  stats(backend: Backend): { bytes: number; buffers: number } {
    const pool = this.#pools.get(backend);
    return { bytes: pool?.bytes ?? 0, buffers: pool?.buffers ?? 0 };
  }

  /**
   * Runs `allocate` (a kernel, a write); if `backend` runs out of memory (a
   * `ResourceExhaustedError`) while its pool holds dead buffers, frees them and tries once
   * more: memory pressure empties the pools before it fails a user's op.
   *
   * ```ts
   * const id = runtime.pools.retryAfterDrain(backend, () => backend.write(values, shape, dtype));
   * ```
   */
  retryAfterDrain<T>(backend: Backend, allocate: () => T): T {
    try {
      return allocate();
    } catch (error) {
      const pool = this.#pools.get(backend);
      if (!(error instanceof ResourceExhaustedError) || pool === undefined || !pool.canFree) throw error;
      pool.drain();
      return allocate();
    }
  }

  /** Frees the pooled buffers of `backend`, or of every backend. */
  drain(backend?: Backend): void {
    if (backend !== undefined) this.#pools.get(backend)?.drain();
    else for (const pool of this.#pools.values()) pool.drain();
  }
}
