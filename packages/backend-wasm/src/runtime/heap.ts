import type { DataArray, DType } from "@kiln/core";
import { WasmKernelError, WasmOutOfMemoryError } from "../errors.js";
import type { KilnExports } from "./exports.js";

/** Bytes per element in the wasm heap: bools are stored as one byte (0 or 1). */
export function elementBytes(dtype: DType): number {
  return dtype === "bool" ? 1 : 4;
}

/**
 * A buffer in the wasm heap: the `DataId` of the wasm backend. Its identity is the handle;
 * `live` is cleared when it is freed, so a stale handle is caught instead of reading
 * memory that was handed to someone else.
 */
export class WasmBuffer {
  live = true;
  constructor(
    readonly ptr: number,
    readonly dtype: DType,
    readonly size: number,
  ) {}

  get bytes(): number {
    return this.size * elementBytes(this.dtype);
  }
}

/**
 * The module's linear memory seen from JS: allocation through the C allocator (with a
 * typed error when it fails), typed-array views re-created whenever the memory has grown,
 * and copies in and out.
 *
 * ```ts
 * const ptr = heap.alloc(16, "Fill");
 * heap.f32()[ptr >>> 2] = 1;
 * ```
 */
export class Heap {
  #buffer: ArrayBufferLike;
  #u8: Uint8Array;
  #i32: Int32Array;
  #f32: Float32Array;

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly exports: KilnExports,
  ) {
    this.#buffer = memory.buffer;
    this.#u8 = new Uint8Array(this.#buffer);
    this.#i32 = new Int32Array(this.#buffer);
    this.#f32 = new Float32Array(this.#buffer);
  }

  /** Re-creates the views when the memory grew (its buffer object changes). */
  #refresh(): void {
    const buffer = this.memory.buffer;
    if (buffer === this.#buffer) return;
    this.#buffer = buffer;
    this.#u8 = new Uint8Array(buffer);
    this.#i32 = new Int32Array(buffer);
    this.#f32 = new Float32Array(buffer);
  }

  u8(): Uint8Array {
    this.#refresh();
    return this.#u8;
  }

  i32(): Int32Array {
    this.#refresh();
    return this.#i32;
  }

  f32(): Float32Array {
    this.#refresh();
    return this.#f32;
  }

  /** The current size of the memory in bytes. */
  byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * Allocates `bytes` (16-byte aligned); throws a WasmOutOfMemoryError naming `op` when the
   * heap cannot hold them.
   */
  alloc(bytes: number, op: string): number {
    if (!(bytes <= 0xffff_ff00)) throw new WasmOutOfMemoryError(op, bytes, this.byteLength());
    const ptr = this.exports.kiln_alloc(bytes) >>> 0;
    if (ptr === 0) throw new WasmOutOfMemoryError(op, bytes, this.byteLength());
    return ptr;
  }

  free(ptr: number): void {
    this.exports.kiln_free(ptr);
  }

  /** Copies `values` (stored as `dtype`) to `ptr`. */
  write(ptr: number, values: DataArray, dtype: DType): void {
    if (dtype === "float32") this.f32().set(values, ptr >>> 2);
    else if (dtype === "int32") this.i32().set(values, ptr >>> 2);
    else this.u8().set(values, ptr);
  }

  /** A typed-array view of `size` elements of `dtype` at `ptr` (valid until the memory grows or the buffer is freed). */
  view(ptr: number, dtype: DType, size: number): DataArray {
    if (dtype === "float32") return this.f32().subarray(ptr >>> 2, (ptr >>> 2) + size);
    if (dtype === "int32") return this.i32().subarray(ptr >>> 2, (ptr >>> 2) + size);
    return this.u8().subarray(ptr, ptr + size);
  }

  /** A fresh typed array holding `size` elements of `dtype` copied from `ptr`. */
  read(ptr: number, dtype: DType, size: number): DataArray {
    if (dtype === "float32") return this.f32().slice(ptr >>> 2, (ptr >>> 2) + size);
    if (dtype === "int32") return this.i32().slice(ptr >>> 2, (ptr >>> 2) + size);
    return this.u8().slice(ptr, ptr + size);
  }

  /** The address of a live buffer; a disposed or foreign handle is an error. */
  pointer(dataId: object, op: string): number {
    if (!(dataId instanceof WasmBuffer) || !dataId.live) {
      throw new WasmKernelError(`${op}: a buffer given to the wasm backend was disposed or belongs to another backend`);
    }
    return dataId.ptr;
  }
}
