/// <reference types="@webgpu/types" />
import { USAGE } from "./buffers.js";
import type { CommandStream } from "./commands.js";

/** Where a dispatch's parameters live: a slice of a uniform buffer. */
export interface ParamSlice {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly size: number;
}

/** Bytes per chunk of parameter slices. */
const CHUNK = 64 * 1024;
/** Distinct parameter blocks kept before the cache starts over. */
const MAX_ENTRIES = 4096;

/**
 * Kernel parameters (dims, strides, scalars) as uniform slices, content-addressed: each
 * distinct block of u32s is written to the GPU once and never changed, so a slice can be
 * bound by any number of dispatches in flight without hazards, and a traced call that
 * repeats the same kernels writes no parameters at all. Parameter arrays are treated as
 * immutable once passed here (kernel plans build theirs once per key). Slices are 256-byte aligned
 * (`minUniformBufferOffsetAlignment`) inside 64 KiB chunks; when the cache is full it
 * starts over and the old chunks are destroyed after the commands using them are submitted.
 *
 * ```ts
 * const slice = params.slice(Uint32Array.of(16, 4)); // { buffer, offset, size: 16 }
 * ```
 */
export class ParamCache {
  readonly #slices = new Map<string, ParamSlice>();
  /** Slices by parameter array: a kernel plan passes the same (never modified) array every call, so its key is built once. */
  #byArray = new WeakMap<Uint32Array, ParamSlice>();
  #chunks: GPUBuffer[] = [];
  #used = CHUNK;

  constructor(
    private readonly device: GPUDevice,
    private readonly stream: CommandStream,
    private readonly alignment: number,
  ) {}

  slice(values: Uint32Array): ParamSlice {
    const known = this.#byArray.get(values);
    if (known !== undefined) return known;
    const key = values.join(",");
    const hit = this.#slices.get(key);
    if (hit !== undefined) {
      this.#byArray.set(values, hit);
      return hit;
    }
    if (this.#slices.size >= MAX_ENTRIES) this.#startOver();
    // Uniform arrays of vec4<u32>: whole 16-byte rows.
    const size = Math.max(16, Math.ceil((values.length * 4) / 16) * 16);
    if (this.#used + size > CHUNK) {
      this.#chunks.push(this.device.createBuffer({ size: CHUNK, usage: USAGE.UNIFORM | USAGE.COPY_DST }));
      this.#used = 0;
    }
    const buffer = this.#chunks.at(-1)!;
    const offset = this.#used;
    const padded = new Uint32Array(size / 4);
    padded.set(values);
    // A fresh slice: nothing encoded reads it yet, so writing ahead of pending commands is safe.
    this.device.queue.writeBuffer(buffer, offset, padded);
    this.#used = Math.ceil((offset + size) / this.alignment) * this.alignment;
    const slice = { buffer, offset, size };
    this.#slices.set(key, slice);
    this.#byArray.set(values, slice);
    return slice;
  }

  #startOver(): void {
    for (const chunk of this.#chunks) this.stream.destroyLater(chunk);
    this.#chunks = [];
    this.#slices.clear();
    this.#byArray = new WeakMap();
    this.#used = CHUNK;
  }

  clear(): void {
    this.#startOver();
  }
}
