import type { Heap } from "./heap.js";

/** Int32 slots in the argument frame: enough for the largest fused program. */
const FRAME_SLOTS = 4096;

/**
 * A fixed block of wasm memory for passing structured arguments (shapes, strides, fused
 * programs) to kernels: wasm calls take only numbers, so a kernel that needs more reads
 * them from here. Only one kernel runs at a time, so one frame serves them all.
 *
 * ```ts
 * const f = frame.begin();
 * f.push(rank); for (const d of shape) f.push(d);
 * exports.kiln_transpose(frame.ptr);
 * ```
 */
export class ArgFrame {
  readonly ptr: number;
  #length = 0;
  #view: Int32Array = new Int32Array(0);

  constructor(readonly heap: Heap) {
    this.ptr = heap.alloc(FRAME_SLOTS * 4, "argument frame");
  }

  /** Starts a new argument list. */
  begin(): this {
    this.#length = 0;
    this.#view = this.heap.i32();
    return this;
  }

  /** Appends one int32 (pointers above 2 GiB wrap to negative, as C reads them back). */
  push(value: number): this {
    if (this.#length >= FRAME_SLOTS) throw new RangeError("wasm backend: argument frame overflow");
    this.#view[(this.ptr >>> 2) + this.#length++] = value;
    return this;
  }

  /** Appends every value of `values`. */
  pushAll(values: readonly number[] | Int32Array): this {
    for (let i = 0; i < values.length; i++) this.push(values[i]!);
    return this;
  }

  get length(): number {
    return this.#length;
  }
}
