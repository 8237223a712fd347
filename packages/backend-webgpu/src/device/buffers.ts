/// <reference types="@webgpu/types" />
import type { DataArray, DType } from "@kiln/core";
import type { CommandStream } from "./commands.js";

// WebGPU's usage flags (fixed by the spec), so no global constants are needed in Node.
export const USAGE = {
  MAP_READ: 0x1,
  MAP_WRITE: 0x2,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  UNIFORM: 0x40,
  STORAGE: 0x80,
  INDIRECT: 0x100,
} as const;
const STORAGE_USAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/** A GPU buffer shared by the tensors that alias it (Reshape, Identity), freed when the last lets go. */
export interface BufferStore {
  readonly buffer: GPUBuffer;
  /** Allocated bytes (the size class). */
  readonly capacity: number;
  refs: number;
}

/**
 * A tensor's data on the webgpu backend (its `DataId`): a buffer of `length` elements, 4
 * bytes each (float32 as f32, int32 as i32, bool as a u32 holding 0 or 1). Data written from
 * JS keeps its values on the host too when small (`host`), so index checks and reads of
 * them need no GPU round trip; a kernel that overwrites the buffer drops them.
 */
export class GpuData {
  host: DataArray | undefined;
  live = true;
  constructor(
    public store: BufferStore,
    readonly dtype: DType,
    readonly length: number,
  ) {}

  get buffer(): GPUBuffer {
    return this.store.buffer;
  }

  /** Bytes the tensor's elements occupy on the device (at least 4: WebGPU binds no empty range). */
  get bytes(): number {
    return Math.max(4, this.length * 4);
  }
}

/** Smallest size class: small buffers share one class so they are reused freely. */
const MIN_CLASS = 256;

/**
 * The size class a request of `bytes` is served from: powers of two and the midpoints
 * between them (1.5 x 2^k), so a reused buffer wastes at most a third of its bytes.
 *
 * ```ts
 * sizeClass(1000); // 1024
 * sizeClass(1100); // 1536
 * ```
 */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_CLASS) return MIN_CLASS;
  const power = 2 ** Math.ceil(Math.log2(bytes));
  return bytes <= power * 0.75 ? power * 0.75 : power;
}

/**
 * Device buffers kept for reuse, by size class (the plans' buffer pool, at the device level): a
 * freed tensor's buffer waits here and serves the next allocation of its class, so steady
 * code (a training loop, a traced call) stops creating GPU buffers. Reuse is safe while
 * commands that read the old contents are still pending, because every later write to it
 * is encoded after them. Beyond `limitBytes` freed buffers are destroyed instead.
 *
 * ```ts
 * const store = pool.acquire(4096);
 * pool.release(store); // kept for the next acquire of 4096 bytes
 * ```
 */
export class BufferPool {
  readonly #free = new Map<number, GPUBuffer[]>();
  #pooledBytes = 0;
  /** Buffers created so far (for tests: a steady loop stops creating them). */
  created = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly stream: CommandStream,
    private readonly limitBytes: number,
  ) {}

  acquire(bytes: number): BufferStore {
    const capacity = sizeClass(bytes);
    const list = this.#free.get(capacity);
    const reused = list?.pop();
    if (reused !== undefined) {
      this.#pooledBytes -= capacity;
      return { buffer: reused, capacity, refs: 1 };
    }
    this.created++;
    return { buffer: this.device.createBuffer({ size: capacity, usage: STORAGE_USAGE }), capacity, refs: 1 };
  }

  release(store: BufferStore): void {
    if (this.#pooledBytes + store.capacity > this.limitBytes) {
      this.stream.destroyLater(store.buffer);
      return;
    }
    let list = this.#free.get(store.capacity);
    if (list === undefined) this.#free.set(store.capacity, (list = []));
    list.push(store.buffer);
    this.#pooledBytes += store.capacity;
  }

  get pooledBytes(): number {
    return this.#pooledBytes;
  }

  /** Destroys every pooled buffer. */
  clear(): void {
    for (const list of this.#free.values()) for (const buffer of list) this.stream.destroyLater(buffer);
    this.#free.clear();
    this.#pooledBytes = 0;
  }
}

/**
 * Host-visible buffers for reading results back (`mapAsync`), reused by size class so a
 * read costs no allocation once the pool is warm.
 */
export class StagingPool {
  readonly #free = new Map<number, GPUBuffer[]>();

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number): GPUBuffer {
    const capacity = sizeClass(bytes);
    return this.#free.get(capacity)?.pop() ?? this.device.createBuffer({ size: capacity, usage: USAGE.MAP_READ | USAGE.COPY_DST });
  }

  release(buffer: GPUBuffer): void {
    const capacity = buffer.size;
    let list = this.#free.get(capacity);
    if (list === undefined) this.#free.set(capacity, (list = []));
    // A few per class are plenty; reads are short-lived.
    if (list.length < 4) list.push(buffer);
    else buffer.destroy();
  }

  clear(): void {
    for (const list of this.#free.values()) for (const buffer of list) buffer.destroy();
    this.#free.clear();
  }
}
